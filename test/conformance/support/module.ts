/**
 * The module path of a run case: compile the definition with the compiler API (as `fsmc build`
 * does, type-check included), write the emitted module under `test/conformance/.build/`,
 * import it (vitest maps `fsmc/runtime` to `runtime/index.ts`), and create the machine with
 * the case's functions module.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compile, compileToIr } from "../../../compiler/pipeline.js";
import { nodeHost } from "../../../compiler/cli/host.js";
import { renderJson, type JsonDiagnostic } from "../../../compiler/diagnostics/render-json.js";
import type { Machine } from "../../../compiler/ir/index.js";
import type { Clock, ProcessOptions, RunResult } from "../../../runtime/index.js";
import type { ConformanceCase, RunCase } from "./cases.js";

const BUILD_DIR = fileURLToPath(new URL("../.build", import.meta.url));

/** The machine as the runners use it (the generated factory's typed surface, untyped here). */
export interface CaseMachine {
  process(record: unknown, options?: ProcessOptions): Promise<RunResult>;
  processSync(record: unknown, options?: ProcessOptions): RunResult;
  close(): Promise<void>;
}

/** A compiled definition's emitted module, imported. */
export interface BuiltModule {
  /** The generated factory (default export). */
  readonly create: (options: { functions?: Record<string, unknown>; clock?: Clock }) => CaseMachine;
  /** True when the emitted factory returns a `SyncMachine` (every function synchronous). */
  readonly offersSync: boolean;
}

/** Compiles `flow` of case `c` and imports the emitted module; a compile error throws, listing the errors. */
export async function buildModule(c: ConformanceCase, flow: string): Promise<BuiltModule> {
  // The flow's folder is the project root, as for `fsmc build` run there.
  const file = join(c.dir, flow);
  const host = nodeHost(dirname(file), {});
  const path = basename(file);
  const text = readFileSync(file, "utf8");
  const result = compile([{ path, text }], { host });
  const diagnostics = renderJson(result.diagnostics, { ...Object.fromEntries(host.texts), [path]: text });
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw new Error(`${c.id}/${flow} does not compile:\n${errors.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`).join("\n")}`);
  }
  const moduleFile = result.files.find((f) => f.role === "module");
  if (moduleFile === undefined) throw new Error(`${c.id}/${flow}: the compiler emitted no module`);
  // One folder per case, one file per flow.
  const dir = join(BUILD_DIR, c.id);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${flow.replace(/[^\w.-]/g, "_")}.ts`);
  writeFileSync(out, moduleFile.text);
  const mod = (await import(pathToFileURL(out).href)) as { default?: unknown };
  if (typeof mod.default !== "function") throw new Error(`${c.id}/${flow}: the emitted module has no default factory`);
  return {
    create: mod.default as BuiltModule["create"],
    offersSync: /\): SyncMachine</.test(moduleFile.text),
  };
}

/** The functions a run passes to the factory: the module's exported functions. */
export async function loadFunctions(c: ConformanceCase, run: RunCase): Promise<Record<string, unknown>> {
  if (run.functions === undefined) return {};
  const mod = (await import(pathToFileURL(join(c.dir, run.functions)).href)) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(mod).filter(([, v]) => typeof v === "function"));
}

/** Front ends and checks only (load cases): the machine when it loads, and the diagnostics. */
export function loadDefinition(
  dir: string,
  flow: string,
  env: Readonly<Record<string, string>>,
): { machine: Machine | undefined; diagnostics: JsonDiagnostic[] } {
  const host = nodeHost(dir, env);
  const text = readFileSync(join(dir, flow), "utf8");
  const { machines, log } = compileToIr([{ path: flow, text }], host);
  const diagnostics = renderJson(log.sorted(), { ...Object.fromEntries(host.texts), [flow]: text });
  return { machine: machines?.[0], diagnostics };
}
