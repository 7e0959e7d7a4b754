/** Test helpers for the YAML front end: a directory-backed host and a plain diagnostic renderer. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "../../../../compiler/diagnostics/types.js";
import type { YamlHost } from "../../../../compiler/syntax/yaml/index.js";
import { readYaml, lowerYaml } from "../../../../compiler/syntax/yaml/index.js";
import type { Machine } from "../../../../compiler/ir/index.js";
import { LineMap } from "../../../../compiler/source/index.js";

/** The project root the tests pretend to run in (absolute references resolve against it). */
export const PROJECT_ROOT = "/project";

/** A host over a directory; `files` (project-relative path → text) take precedence. */
export function directoryHost(dir: string | undefined, env: Record<string, string> = {}, files: Record<string, string> = {}): YamlHost {
  return {
    readFile(path: string): string | undefined {
      if (Object.prototype.hasOwnProperty.call(files, path)) return files[path];
      if (dir === undefined) return undefined;
      const abs = join(dir, path);
      return existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, "utf8") : undefined;
    },
    env,
    projectRoot: PROJECT_ROOT,
  };
}

/** Runs `readYaml` then (when it reported no error) `lowerYaml`, as the pipeline does. */
export function compileYaml(path: string, text: string, host: YamlHost): { machines: readonly Machine[] | undefined; diagnostics: Diagnostic[] } {
  const read = readYaml({ path, text }, host);
  const diagnostics = [...read.diagnostics];
  if (!read.value || diagnostics.some((d) => d.severity === "error")) return { machines: undefined, diagnostics };
  const lowered = lowerYaml(read.value);
  diagnostics.push(...lowered.diagnostics);
  return { machines: lowered.value, diagnostics };
}

/** The 1-based line and column of a diagnostic's primary label. */
export function primaryPosition(d: Diagnostic, host: YamlHost): { file: string; line: number; column: number } {
  const label = d.labels.find((l) => l.primary) ?? d.labels[0];
  if (!label) return { file: "", line: 0, column: 0 };
  const text = host.readFile(label.span.file) ?? "";
  const { line, column } = new LineMap(text).position(label.span.start);
  return { file: label.span.file, line, column };
}

/** `file:line:col: severity[code]: message`, then labels, notes and help, one per line. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], host: YamlHost): string {
  const lines: string[] = [];
  for (const d of diagnostics) {
    const p = primaryPosition(d, host);
    lines.push(`${p.file}:${p.line}:${p.column}: ${d.severity}[${d.code}]: ${d.message}`);
    for (const label of d.labels) {
      const text = host.readFile(label.span.file) ?? "";
      const map = new LineMap(text);
      const at = map.position(label.span.start);
      const shown = text.slice(label.span.start, Math.min(label.span.end, label.span.start + 60)).split("\n")[0] ?? "";
      lines.push(`  ${label.primary ? "^" : "-"} ${label.span.file}:${at.line}:${at.column} \`${shown}\`${label.message ? ` ${label.message}` : ""}`);
    }
    for (const note of d.notes) lines.push(`  = note: ${note}`);
    if (d.help) lines.push(`  = help: ${d.help}`);
  }
  return lines.join("\n") + (lines.length > 0 ? "\n" : "");
}
