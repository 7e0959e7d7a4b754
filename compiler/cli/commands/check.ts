/** `fsmc check <files…>`: parse, lower, check, analyze and type-check; print diagnostics; exit 1 on errors. */
import { compile } from "../../pipeline.js";
import { nodeHost } from "../host.js";
import { existingFunctionsReader } from "./build.js";
import { type CliIo, EXIT } from "../io.js";
import { type DiagnosticFormat, hasErrors, printDiagnostics, readSources } from "../sources.js";

/** Options of `fsmc check`. */
export interface CheckOptions {
  readonly format: DiagnosticFormat;
  readonly typecheck: boolean;
}

/** Runs `fsmc check`; returns the exit code (0 clean or warnings only, 1 on errors). */
export async function checkCommand(io: CliIo, files: readonly string[], options: CheckOptions): Promise<number> {
  const { sources, diagnostics: readErrors, root } = readSources(io, files);
  const host = nodeHost(root, io.env);
  // The user's functions modules as they are on disk: check type-checks against them, like build.
  const existingFunctions = existingFunctionsReader(root);
  const result = readErrors.length > 0 ? undefined : compile(sources, { host, typecheck: options.typecheck, emit: { existingFunctions } });
  const diagnostics = [...readErrors, ...(result?.diagnostics ?? [])];
  await printDiagnostics(io, diagnostics, sources, options.format, Object.fromEntries(host.texts));
  return hasErrors(diagnostics) ? 1 : EXIT.ok;
}
