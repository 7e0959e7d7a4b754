/**
 * `fsmc run <file> [--input f.jsonl|-] [--output f] [--functions mod] [--initial-state s]`:
 * compiles the definition in memory to the same module `fsmc build` writes, imports it, and
 * processes JSONL records, writing one JSON result per record in input order (DESIGN §1).
 */
import { createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { dirname, resolve } from "node:path";
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
import { internalError } from "../../diagnostics/factories/internal.js";
import { providerModuleMissing } from "../../diagnostics/factories/emit.js";
import { resolveFunctionsModule } from "../../emit/paths.js";
import { nodeHost, runtimeEntry, toAbsolute, toProjectPath } from "../host.js";
import { type CliIo, EXIT, write } from "../io.js";
import { type DiagnosticFormat, hasErrors, printDiagnostics, readSources } from "../sources.js";
import { existingFunctionsReader } from "./build.js";

/** Options of `fsmc run`. */
export interface RunOptions {
  readonly input: string;
  readonly output?: string;
  readonly functions?: string;
  readonly initialState?: string;
  readonly format: DiagnosticFormat;
  readonly typecheck: boolean;
}

/** The shape of a loaded generated module (its default export is the factory). */
interface LoadedModule {
  default: (options: Record<string, unknown>) => {
    process(record: unknown, options?: Record<string, unknown>): Promise<Record<string, unknown>>;
    close(): Promise<void>;
  };
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

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function isDirectory(path: string): boolean {
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

async function importModule(js: string, typescript: boolean): Promise<LoadedModule> {
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
function inputLines(io: CliIo, input: string): Interface {
  const stream = input === "-" ? io.stdin : createReadStream(toAbsolute(io.cwd, input), { encoding: "utf8" });
  return createInterface({ input: stream, crlfDelay: Infinity });
}

/** Runs `fsmc run`; exit 0 all succeeded, 3 some failed, 2 invalid definition, 1 internal error. */
export async function runCommand(io: CliIo, file: string, options: RunOptions): Promise<number> {
  const { sources, diagnostics: readErrors, root } = readSources(io, [file]);
  if (readErrors.length > 0) {
    await printDiagnostics(io, readErrors, sources, options.format);
    return EXIT.invalid;
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
    return EXIT.invalid;
  }
  await printDiagnostics(io, diagnostics, sources, options.format, texts);

  const moduleFile = result.files.find((f) => f.role === "module");
  if (!moduleFile) {
    await printDiagnostics(io, [internalError(new Error("the emitter produced no module"))], sources, options.format);
    return EXIT.internal;
  }
  let functions: Record<string, unknown> | undefined;
  if (options.functions !== undefined) {
    try {
      functions = await loadFunctions(io, options.functions);
    } catch (error) {
      await printDiagnostics(io, [functionsModuleFailed(options.functions, (error as Error).message)], sources, options.format);
      return EXIT.invalid;
    }
  }
  const linked = linkModule(moduleFile, root);
  const fnModule = machine.functionsModule?.path;
  const providers = linked.missing.flatMap((path) => missingProvider(machine, path));
  if (providers.length > 0) {
    await printDiagnostics(io, providers, sources, options.format, texts);
    return EXIT.invalid;
  }
  if (fnModule !== undefined && linked.missing.length > 0) {
    const note = `${linked.missing.map((m) => `\`${m}\``).join(", ")} does not exist; run \`fsmc build ${file}\` to create it with typed stubs`;
    await printDiagnostics(io, [functionsModuleFailed(fnModule, note)], sources, options.format);
    return EXIT.invalid;
  }
  let mod: LoadedModule;
  try {
    mod = await importModule(linked.js, linked.usesTs);
  } catch (error) {
    const reason = loadFailureText(error);
    // tsx may raise the same failure again outside this await (CommonJS evaluation); it is reported.
    process.on("uncaughtException", (late: unknown) => {
      if (loadFailureText(late) !== reason) throw late;
    });
    await printDiagnostics(io, [functionsModuleFailed(fnModule ?? "functions module", reason)], sources, options.format);
    return EXIT.invalid;
  }
  let fsm: ReturnType<LoadedModule["default"]>;
  try {
    fsm = mod.default(functions ? { functions } : {});
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const failure = resourceFailure(error, "opening") ?? machineSetupFailed(sources[0]?.path ?? file, reason, functions !== undefined);
    await printDiagnostics(io, [failure], sources, options.format);
    return EXIT.invalid;
  }
  let outcome: RecordsOutcome;
  let closing: Diagnostic | undefined;
  try {
    outcome = await processRecords(io, fsm, options);
  } finally {
    // The machine is closed on every way out of the records (the last one, an error, a signal).
    closing = await closeMachine(fsm);
  }
  const failures = [outcome.failure, closing].filter((d): d is Diagnostic => d !== undefined);
  if (failures.length > 0) await printDiagnostics(io, failures, sources, options.format, texts);
  if (outcome.exit === EXIT.ok && closing !== undefined) return EXIT.recordsFailed;
  return outcome.exit;
}

/** Closes the machine (releasing every resource); a failure is reported, never thrown. */
async function closeMachine(fsm: ReturnType<LoadedModule["default"]>): Promise<Diagnostic | undefined> {
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

/** How the records went: the exit code, and the diagnostic of a failure that stopped them. */
interface RecordsOutcome {
  readonly exit: number;
  readonly failure?: Diagnostic;
}

/** Exit codes of a run stopped by a signal (128 + its number, as shells report it). */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs every input record through the machine, writing one result per record. SIGINT and
 * SIGTERM stop the reading: the record in flight finishes, then the caller closes the machine.
 */
async function processRecords(io: CliIo, fsm: ReturnType<LoadedModule["default"]>, options: RunOptions): Promise<RecordsOutcome> {

  if (options.input !== "-" && !isFile(toAbsolute(io.cwd, options.input))) {
    return { exit: EXIT.invalid, failure: unreadableFile(options.input, "the input file does not exist or is not a file") };
  }
  if (options.output !== undefined && !isDirectory(dirname(toAbsolute(io.cwd, options.output)))) {
    return { exit: EXIT.invalid, failure: unreadableFile(options.output, "the output file's folder does not exist", "write") };
  }
  const out = options.output !== undefined ? createWriteStream(toAbsolute(io.cwd, options.output)) : io.stdout;
  let failed = 0;
  let lineNo = 0;
  const processOptions = options.initialState !== undefined ? { initialState: options.initialState } : undefined;
  const lines = inputLines(io, options.input);
  let stoppedBy: string | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    stoppedBy = signal;
    lines.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = raw.replace(/^\uFEFF/, "");
      if (line.trim() === "") continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        failed++;
        await write(out, JSON.stringify(badLine(lineNo, `invalid JSON on line ${lineNo}: ${(error as Error).message}`, line)) + "\n");
        continue;
      }
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        failed++;
        await write(out, JSON.stringify(badLine(lineNo, `line ${lineNo} is not a JSON object`, line)) + "\n");
        continue;
      }
      let r: Record<string, unknown>;
      try {
        r = await fsm.process(record, processOptions);
      } catch (error) {
        // A resource that cannot serve (a refused connection, a closed pool) stops the run.
        const failure = resourceFailure(error, "running");
        if (failure === undefined) throw error;
        return { exit: EXIT.recordsFailed, failure };
      }
      if (r["success"] !== true) failed++;
      await write(out, JSON.stringify(r) + "\n");
    }
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
    lines.close();
    if (out !== io.stdout) await new Promise<void>((res) => (out as NodeJS.WritableStream).end(res));
  }
  if (stoppedBy !== undefined) return { exit: SIGNAL_EXIT[stoppedBy] ?? EXIT.recordsFailed };
  return { exit: failed > 0 ? EXIT.recordsFailed : EXIT.ok };
}

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
function badLine(line: number, error: string, raw: string): Record<string, unknown> {
  return {
    success: false,
    final_state: null,
    data: null,
    path: [],
    error,
    metadata: { line, raw: raw.length > 200 ? `${raw.slice(0, 200)}…` : raw },
  };
}
