/**
 * Loading emit golden folders: `test/fixtures/emit/<case>/` with `input.fsm`, `input.yaml` or
 * `input.ir.json`, an optional `existing/` (functions modules already on disk), and `expected/`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Machine } from "../../../compiler/ir/index.js";
import type { EmitOptions } from "../../../compiler/emit/index.js";
import { hydrateMachine } from "./hydrate.js";
import { compileToIr } from "../../../compiler/pipeline.js";
import type { SymbolTable } from "../../../compiler/check/types.js";
import type { AnalysisReport } from "../../../compiler/analyze/types.js";

/** The folder holding every emit case. */
export const EMIT_FIXTURES = fileURLToPath(new URL("../../fixtures/emit/", import.meta.url));

/** Names of the case folders, sorted. */
export function emitCases(): string[] {
  return readdirSync(EMIT_FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** The input of a case: machines plus the symbols and analysis the emitter receives. */
export interface CaseInput {
  readonly machines: Machine[];
  readonly symbols: SymbolTable;
  readonly report: AnalysisReport;
}

const NONE = { machines: [] };

/**
 * The input of a case: `input.fsm` or `input.yaml` goes through the real front end, check and
 * analysis (its first line may name the project path: `// source: examples/orders/orders.fsm`,
 * `# source: flow.yaml`); `input.ir.json` (one machine or an array) is compact IR, hydrated.
 */
export function caseInput(name: string): CaseInput {
  const dir = join(EMIT_FIXTURES, name);
  for (const file of ["input.fsm", "input.yaml"]) {
    if (!existsSync(join(dir, file))) continue;
    const text = readFileSync(join(dir, file), "utf8");
    const path = /^(?:\/\/|#) source: (\S+)/.exec(text)?.[1] ?? file;
    const host = { readFile: () => undefined, env: {}, projectRoot: "/project" };
    const { machines, symbols, report, log } = compileToIr([{ path, text }], host);
    if (log.hasErrors || !machines || !symbols || !report) {
      throw new Error(`${name}/${file} does not compile:\n${log.sorted().map((d) => `${d.code} ${d.message}`).join("\n")}`);
    }
    return { machines: [...machines], symbols, report };
  }
  const raw: unknown = JSON.parse(readFileSync(join(dir, "input.ir.json"), "utf8"));
  return { machines: (Array.isArray(raw) ? raw : [raw]).map(hydrateMachine), symbols: NONE, report: NONE };
}

/** The machines of a case. */
export function caseMachines(name: string): Machine[] {
  return caseInput(name).machines;
}

/** Emit options of a case: files in `existing/` are existing functions modules next to the first source. */
export function caseOptions(name: string, machines: readonly Machine[]): EmitOptions {
  const dir = join(EMIT_FIXTURES, name, "existing");
  if (!existsSync(dir)) return {};
  const source = machines[0]?.sourceFile ?? "";
  const base = source.includes("/") ? source.slice(0, source.lastIndexOf("/") + 1) : "";
  const existingFunctions: Record<string, string> = {};
  for (const file of readdirSync(dir).sort()) existingFunctions[`${base}${file}`] = readFileSync(join(dir, file), "utf8");
  return { existingFunctions };
}
