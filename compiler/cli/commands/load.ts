/**
 * What the commands that run records share (`fsmc run`, `fsmc batch`): compiling a definition in
 * memory to the module `fsmc build` writes, importing it and creating the machine; input lines;
 * the failure result of a malformed line; closing the machine; signal exit codes.
 */
import { createReadStream, existsSync, statSync, writeFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compile } from "../../pipeline.js";
import { transpileModule, type EmittedFile } from "../../emit/index.js";
import type { Machine } from "../../ir/index.js";
import {
  functionsModuleFailed,
  machineSetupFailed,
  oneMachine,
  resourceFailed,
  unknownInitialState,
  unreadableFile,
  type RunPhase,
} from "../../diagnostics/factories/cli.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import type { SourceFile } from "../../source/index.js";
import { internalError } from "../../diagnostics/factories/internal.js";
import { providerModuleMissing } from "../../diagnostics/factories/emit.js";
import { resolveFunctionsModule } from "../../emit/paths.js";
import { nodeHost, runtimeEntry, toAbsolute, toProjectPath } from "../host.js";
import { type CliIo, EXIT, write } from "../io.js";
import { type DiagnosticFormat, hasErrors, printDiagnostics, readSources } from "../sources.js";
import { existingFunctionsReader } from "./build.js";

/** The shape of a loaded generated module (its default export is the factory). */
export interface LoadedModule {
  default: (options: Record<string, unknown>) => LoadedMachine;
}

/** Progress of a batch, as the runtime's `BatchProgress` reports it (docs/batch.md). */
export interface BatchProgress {
  readonly done: number;
  readonly total?: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly ratePerSecond: number;
  readonly byFinalState: Readonly<Record<string, number>>;
}

/** What the CLI uses of a generated machine (structurally, as `compiler/` never imports `runtime/`). */
export interface LoadedMachine {
  process(record: unknown, options?: Record<string, unknown>): Promise<Record<string, unknown>>;
  processBatch(
    records: Iterable<unknown> | AsyncIterable<unknown>,
    options?: {
      concurrency?: number;
      batchSize?: number;
      initialState?: string;
      workers?: number;
      signal?: AbortSignal;
      progressIntervalMs?: number;
      onProgress?: (progress: BatchProgress) => void;
    },
  ): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * Imports a module; with `typescript`, through tsx's scoped loader (`tsImport`), which also loads
 * `.ts` files that the module imports, whatever the nearest package.json says about module types.
 */
async function importWith(specifier: string, typescript: boolean): Promise<unknown> {
  if (!typescript) return import(specifier);
  const { tsImport } = await import("tsx/esm/api");
  return tsImport(specifier, import.meta.url);
}

/** True when `path` is an existing regular file. */
export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** True when `path` is an existing folder. */
export function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function needsTsx(path: string): boolean {
  return /\.(c|m)?tsx?$/.test(path);
}

/** Resolves the functions-module import of an emitted module to an absolute file URL. */
function resolveFunctionsImport(specifier: string, moduleAbs: string): string {
  const abs = resolve(dirname(moduleAbs), specifier);
  if (existsSync(abs)) return pathToFileURL(abs).href;
  const asTs = abs.replace(/\.(m|c)?js$/, (_m, k: string | undefined) => `.${k ?? ""}ts`);
  return pathToFileURL(existsSync(asTs) ? asTs : abs).href;
}

/** FSM0512 for a missing module file that a custom resource of the machine names as its provider. */
function missingProvider(machine: Machine, projectPath: string): Diagnostic[] {
  for (const r of machine.resources) {
    const module = r.config["module"];
    if (r.type !== "custom" || typeof module !== "string") continue;
    const ref = resolveFunctionsModule(machine.sourceFile, module);
    if (ref.kind !== "file" || ref.path !== projectPath) continue;
    const span = r.configSpans?.["/module"]?.value ?? r.nameSpan;
    return [providerModuleMissing(r.name, module, projectPath, span, "")];
  }
  return [];
}

/**
 * Turns the emitted TypeScript module into importable JavaScript: transpiled, with
 * `fsmc/runtime`, the functions module and the provider modules of custom resources rewritten
 * to absolute file URLs (project-relative paths of the ones missing in `missing`).
 */
export function linkModule(file: EmittedFile, root: string): { js: string; usesTs: boolean; missing: string[] } {
  const moduleAbs = toAbsolute(root, file.path);
  const runtimeUrl = pathToFileURL(runtimeEntry().module).href;
  let usesTs = false;
  const missing: string[] = [];
  const js = transpileModule(file.text).replace(/(from\s+|import\s*\(\s*)(["'])([^"']+)\2/g, (whole, lead: string, q: string, spec: string) => {
    if (spec === "fsmc/runtime") return `${lead}${q}${runtimeUrl}${q}`;
    if (spec.startsWith(".")) {
      const url = resolveFunctionsImport(spec, moduleAbs);
      if (!existsSync(fileURLToPath(url))) {
        missing.push(toProjectPath(root, fileURLToPath(url).replace(/\.(m|c)?js$/, (_m, k: string | undefined) => `.${k ?? ""}ts`)));
      }
      if (needsTsx(url)) usesTs = true;
      return `${lead}${q}${url}${q}`;
    }
    return whole;
  });
  return { js, usesTs, missing };
}

/**
 * Imports the linked module: from a `data:` URL, or — given `dir` — from a real file there, which
 * worker threads can import too (its `import.meta.url` is the definition's `module`). The file is
 * `.mts` when the module imports TypeScript, so that a worker registers tsx before importing it.
 */
async function importModule(js: string, typescript: boolean, modulePath: string, dir: string | undefined): Promise<LoadedModule> {
  if (dir !== undefined) {
    const file = join(dir, basename(modulePath).replace(/\.[cm]?tsx?$/, "") + (typescript ? ".mts" : ".mjs"));
    writeFileSync(file, js);
    // tsx registered for the whole process, not scoped: a scoped import gives the module a
    // `?tsx-namespace=…` URL, which a worker's own tsx does not load.
    if (typescript) (await import("tsx/esm/api")).register();
    return (await import(pathToFileURL(file).href)) as LoadedModule;
  }
  const url = `data:text/javascript;base64,${Buffer.from(js, "utf8").toString("base64")}`;
  return (await importWith(url, typescript)) as LoadedModule;
}

async function loadFunctions(io: CliIo, spec: string): Promise<Record<string, unknown>> {
  const abs = toAbsolute(io.cwd, spec);
  if (!existsSync(abs)) throw new Error("no such file");
  const mod = (await importWith(pathToFileURL(abs).href, needsTsx(abs))) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mod)) if (k !== "default" && typeof v === "function") out[k] = v;
  const def = mod["default"];
  if (def && typeof def === "object") for (const [k, v] of Object.entries(def)) if (typeof v === "function" && !(k in out)) out[k] = v;
  return out;
}

function allStateNames(machine: Machine): string[] {
  return machine.networks.flatMap((n) => n.states.map((s) => s.name));
}

/** Input lines (file or stdin), as a readline interface that a signal can close. */
export function inputLines(io: CliIo, input: string): Interface {
  const stream = input === "-" ? io.stdin : createReadStream(toAbsolute(io.cwd, input), { encoding: "utf8" });
  return createInterface({ input: stream, crlfDelay: Infinity });
}

/** Options shared by the commands that run records (`fsmc run`, `fsmc batch`). */
export interface LoadOptions {
  readonly functions?: string;
  readonly initialState?: string;
  readonly format: DiagnosticFormat;
  readonly typecheck: boolean;
  /** A private folder to write the module to and import it from (worker threads need a file); default: a `data:` URL. */
  readonly moduleDir?: string;
}

/** A machine ready to run records, with what its diagnostics need; or the exit code of a failure (already reported). */
export type Loaded =
  | { readonly exit?: undefined; readonly fsm: LoadedMachine; readonly sources: readonly SourceFile[]; readonly texts: Readonly<Record<string, string>> }
  | { readonly exit: number };

/**
 * Compiles `file` in memory to the module `fsmc build` writes, imports it and creates the
 * machine; every failure on the way is printed as diagnostics and given as its exit code.
 */
export async function loadMachine(io: CliIo, file: string, options: LoadOptions): Promise<Loaded> {
  const { sources, diagnostics: readErrors, root } = readSources(io, [file]);
  if (readErrors.length > 0) {
    await printDiagnostics(io, readErrors, sources, options.format);
    return { exit: EXIT.invalid };
  }
  const host = nodeHost(root, io.env);
  const result = compile(sources, { host, typecheck: options.typecheck, emit: { existingFunctions: existingFunctionsReader(root) } });
  const diagnostics = [...result.diagnostics];
  const machine = result.machines[0];
  if (!hasErrors(diagnostics) && result.machines.length !== 1) {
    diagnostics.push(oneMachine(sources[0]?.path ?? file, result.machines.length, result.machines[1]?.nameSpan));
  }
  if (!hasErrors(diagnostics) && machine && options.initialState !== undefined && !allStateNames(machine).includes(options.initialState)) {
    diagnostics.push(unknownInitialState(options.initialState, allStateNames(machine), machine.nameSpan));
  }
  const texts = Object.fromEntries(host.texts);
  if (hasErrors(diagnostics) || !machine) {
    await printDiagnostics(io, diagnostics, sources, options.format, texts);
    return { exit: EXIT.invalid };
  }
  await printDiagnostics(io, diagnostics, sources, options.format, texts);

  const moduleFile = result.files.find((f) => f.role === "module");
  if (!moduleFile) {
    await printDiagnostics(io, [internalError(new Error("the emitter produced no module"))], sources, options.format);
    return { exit: EXIT.internal };
  }
  let functions: Record<string, unknown> | undefined;
  if (options.functions !== undefined) {
    try {
      functions = await loadFunctions(io, options.functions);
    } catch (error) {
      await printDiagnostics(io, [functionsModuleFailed(options.functions, (error as Error).message)], sources, options.format);
      return { exit: EXIT.invalid };
    }
  }
  const linked = linkModule(moduleFile, root);
  const fnModule = machine.functionsModule?.path;
  const providers = linked.missing.flatMap((path) => missingProvider(machine, path));
  if (providers.length > 0) {
    await printDiagnostics(io, providers, sources, options.format, texts);
    return { exit: EXIT.invalid };
  }
  if (fnModule !== undefined && linked.missing.length > 0) {
    const note = `${linked.missing.map((m) => `\`${m}\``).join(", ")} does not exist; run \`fsmc build ${file}\` to create it with typed stubs`;
    await printDiagnostics(io, [functionsModuleFailed(fnModule, note)], sources, options.format);
    return { exit: EXIT.invalid };
  }
  let mod: LoadedModule;
  try {
    mod = await importModule(linked.js, linked.usesTs, moduleFile.path, options.moduleDir);
  } catch (error) {
    const reason = loadFailureText(error);
    // tsx may raise the same failure again outside this await (CommonJS evaluation); it is reported.
    process.on("uncaughtException", (late: unknown) => {
      if (loadFailureText(late) !== reason) throw late;
    });
    await printDiagnostics(io, [functionsModuleFailed(fnModule ?? "functions module", reason)], sources, options.format);
    return { exit: EXIT.invalid };
  }
  let fsm: LoadedMachine;
  try {
    fsm = mod.default(functions ? { functions } : {});
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const failure = resourceFailure(error, "opening") ?? machineSetupFailed(sources[0]?.path ?? file, reason, functions !== undefined);
    await printDiagnostics(io, [failure], sources, options.format);
    return { exit: EXIT.invalid };
  }
  return { fsm, sources, texts };
}

/** Closes the machine (releasing every resource); a failure is reported, never thrown. */
export async function closeMachine(fsm: LoadedMachine): Promise<Diagnostic | undefined> {
  try {
    await fsm.close();
    return undefined;
  } catch (error) {
    return resourceFailure(error, "closing") ?? internalError(error);
  }
}

/** FSM0909 for a runtime resource error (an `FSMR` code naming a resource), else undefined. */
export function resourceFailure(error: unknown, phase: RunPhase): Diagnostic | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message, resource } = error as { code?: unknown; message?: unknown; resource?: unknown };
  if (typeof code !== "string" || !/^FSMR\d{4}$/.test(code) || typeof message !== "string") return undefined;
  const named = typeof resource === "string" ? resource : /^resource `([^`]+)`/.exec(message)?.[1];
  if (named === undefined && !/resource/i.test(message)) return undefined;
  return resourceFailed(named, code, message, phase);
}

/** Exit codes of a run stopped by a signal (128 + its number, as shells report it). */
export const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/** A module-loading error as one readable line (no `data:` URL, the runtime import explained). */
function loadFailureText(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  const cleaned = message.replace(/data:text\/javascript;base64,[A-Za-z0-9+/=]+/g, "the generated module");
  if (/Cannot find (module|package) ['"]fsmc(\/runtime)?['"]/.test(cleaned)) {
    return `${cleaned}: the functions module imports \`fsmc/runtime\`, which is not installed where it lives; install fsmc in the project (\`npm i fsmc\`)`;
  }
  return cleaned;
}

/** The failure result of an input line that is not a record (it still gets its line of output). */
export function badLine(line: number, error: string, raw: string): Record<string, unknown> {
  return {
    success: false,
    final_state: null,
    data: null,
    path: [],
    error,
    metadata: { line, raw: raw.length > 200 ? `${raw.slice(0, 200)}…` : raw },
  };
}
