/** Reading the source files named on the command line, and printing diagnostics. */
import { readFileSync, statSync } from "node:fs";
import type { SourceFile } from "../source/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { unknownFileType, unreadableFile } from "../diagnostics/factories/cli.js";
import { renderText } from "../diagnostics/render-text.js";
import { renderJson } from "../diagnostics/render-json.js";
import { frontEndOf } from "../pipeline.js";
import { projectRootFor, toAbsolute, toProjectPath } from "./host.js";
import { resolve } from "node:path";
import { type CliIo, write } from "./io.js";

/** Output format of diagnostics. */
export type DiagnosticFormat = "text" | "json";

/** Reads each file (relative to the cwd); unreadable files and unknown types become diagnostics. */
export function readSources(io: CliIo, files: readonly string[]): { sources: SourceFile[]; diagnostics: Diagnostic[]; root: string } {
  const root = projectRootFor(io.cwd, files);
  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const path = toProjectPath(root, resolve(io.cwd, file)) || file;
    if (frontEndOf(path) === undefined) {
      diagnostics.push(unknownFileType(path));
      continue;
    }
    const abs = toAbsolute(root, path);
    try {
      if (!statSync(abs).isFile()) {
        diagnostics.push(unreadableFile(path, "it is a directory, not a file"));
        continue;
      }
      sources.push({ path, text: readFileSync(abs, "utf8") });
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      diagnostics.push(unreadableFile(path, e.code === "ENOENT" ? "no such file" : e.message));
    }
  }
  return { sources, diagnostics, root };
}

/** Prints diagnostics on stderr in the chosen format (text closes with a count line). */
export async function printDiagnostics(
  io: CliIo,
  diagnostics: readonly Diagnostic[],
  sources: readonly SourceFile[],
  format: DiagnosticFormat,
  extraSources: Readonly<Record<string, string>> = {},
): Promise<void> {
  const texts: Record<string, string> = { ...extraSources };
  for (const s of sources) texts[s.path] = s.text;
  if (format === "json") {
    await write(io.stderr, JSON.stringify(renderJson(diagnostics, texts), null, 2) + "\n");
    return;
  }
  if (diagnostics.length === 0) return;
  await write(io.stderr, renderText(diagnostics, texts, { color: io.isTty }));
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
