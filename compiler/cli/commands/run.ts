/**
 * `fsmc run <file> [--input f.jsonl|-] [--output f] [--functions mod] [--initial-state s]`:
 * compiles the definition in memory to the same module `fsmc build` writes, imports it, and
 * processes JSONL records, writing one JSON result per record in input order (DESIGN §1).
 */
import { createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compile } from "../../pipeline.js";
import { transpileModule, type EmittedFile } from "../../emit/index.js";
import type { Machine } from "../../ir/index.js";
import { functionsModuleFailed, machineSetupFailed, oneMachine, unknownInitialState, unreadableFile } from "../../diagnostics/factories/cli.js";
import { internalError } from "../../diagnostics/factories/internal.js";
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

/**
 * Turns the emitted TypeScript module into importable JavaScript: transpiled, with
 * `fsmc/runtime` and the functions module rewritten to absolute file URLs.
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
        missing.push(`\`${toProjectPath(root, fileURLToPath(url).replace(/\.(m|c)?js$/, (_m, k: string | undefined) => `.${k ?? ""}ts`))}\``);
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

/** Async iterable of input lines (file or stdin). */
function inputLines(io: CliIo, input: string): AsyncIterable<string> {
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
  if (fnModule !== undefined && linked.missing.length > 0) {
    const note = `${linked.missing.join(", ")} does not exist; run \`fsmc build ${file}\` to create it with typed stubs`;
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
    await printDiagnostics(io, [machineSetupFailed(sources[0]?.path ?? file, reason, functions !== undefined)], sources, options.format);
    return EXIT.invalid;
  }

  if (options.input !== "-" && !isFile(toAbsolute(io.cwd, options.input))) {
    await printDiagnostics(io, [unreadableFile(options.input, "the input file does not exist or is not a file")], sources, options.format);
    await fsm.close();
    return EXIT.invalid;
  }
  if (options.output !== undefined && !isDirectory(dirname(toAbsolute(io.cwd, options.output)))) {
    await printDiagnostics(io, [unreadableFile(options.output, "the output file's folder does not exist", "write")], sources, options.format);
    await fsm.close();
    return EXIT.invalid;
  }
  const out = options.output !== undefined ? createWriteStream(toAbsolute(io.cwd, options.output)) : io.stdout;
  let failed = 0;
  let lineNo = 0;
  const processOptions = options.initialState !== undefined ? { initialState: options.initialState } : undefined;
  try {
    for await (const raw of inputLines(io, options.input)) {
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
      const r = await fsm.process(record, processOptions);
      if (r["success"] !== true) failed++;
      await write(out, JSON.stringify(r) + "\n");
    }
  } finally {
    await fsm.close();
    if (out !== io.stdout) await new Promise<void>((res) => (out as NodeJS.WritableStream).end(res));
  }
  return failed > 0 ? EXIT.recordsFailed : EXIT.ok;
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
