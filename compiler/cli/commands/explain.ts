/** `fsmc explain <code>`: prints the long explanation of a diagnostic code. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CODES, codeInfo } from "../../diagnostics/codes.js";
import { RUNTIME_CODES } from "../../diagnostics/runtime-codes.js";
import { unknownCode } from "../../diagnostics/factories/cli.js";
import { type CliIo, EXIT, write } from "../io.js";
import { printDiagnostics } from "../sources.js";

/** Folder of the explanation files (shipped as sources next to the build). */
export function explanationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const inDist = /[\\/]dist[\\/]/.test(here);
  return resolve(here, inDist ? "../../../../compiler/diagnostics/explanations" : "../../diagnostics/explanations");
}

/** Runs `fsmc explain`; exit 0, or 2 for an unknown code. */
export async function explainCommand(io: CliIo, code: string): Promise<number> {
  const normalized = /^\d+$/.test(code) ? `FSM${code.padStart(4, "0")}` : code.toUpperCase();
  const known = codeInfo(normalized) !== undefined || Object.prototype.hasOwnProperty.call(RUNTIME_CODES, normalized);
  if (!known) {
    await printDiagnostics(io, [unknownCode(code, [...Object.keys(CODES), ...Object.keys(RUNTIME_CODES)])], [], "text");
    return EXIT.invalid;
  }
  const text = readFileSync(resolve(explanationsDir(), `${normalized}.md`), "utf8");
  await write(io.stdout, text.endsWith("\n") ? text : text + "\n");
  return EXIT.ok;
}
