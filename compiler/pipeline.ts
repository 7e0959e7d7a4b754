/**
 * The compiler pipeline: parse → lower → check → analyze → emit, one pure phase each; the
 * pipeline stops after a phase that reported an error. File access goes through `CompileHost`.
 */
import type { SourceFile } from "./source/index.js";
import { DiagnosticLog, phaseResult } from "./diagnostics/log.js";
import type { Diagnostic, PhaseResult } from "./diagnostics/types.js";
import type { Machine } from "./ir/index.js";
import { parseDsl, lowerDsl, type DslSyntax } from "./syntax/dsl/index.js";
import { readYaml, lowerYaml, type YamlHost, type YamlSyntax } from "./syntax/yaml/index.js";
import { check } from "./check/index.js";
import type { SymbolTable } from "./check/types.js";
import { analyze } from "./analyze/index.js";
import type { AnalysisReport } from "./analyze/types.js";
import { emit, typecheckEmitted, type EmitOptions, type EmittedFile, type TypecheckHost } from "./emit/index.js";

/** What the pipeline may read: included YAML files, the environment, the functions modules. */
export interface CompileHost extends YamlHost, TypecheckHost {}

/** Options of one compilation. */
export interface CompileOptions {
  readonly host: CompileHost;
  readonly emit?: EmitOptions;
  /** Type-check the emitted modules and the user's functions (default true). */
  readonly typecheck?: boolean;
  /** Wraps each phase (the CLI passes a timer for `--timings`); phases stay free of clocks. */
  readonly trace?: PhaseTracer;
}

/** Runs one named phase; the default just calls it. */
export type PhaseTracer = <T>(phase: string, run: () => T) => T;

const untraced: PhaseTracer = (_phase, run) => run();

/** Everything a compilation produced; `files` is empty after an error. */
export interface CompileResult {
  readonly machines: readonly Machine[];
  /** The analysis of the machines (held resources, role scopes, lifetimes …); absent when a phase before it failed. */
  readonly report?: AnalysisReport;
  readonly files: readonly EmittedFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/** A parsed source of either front end. */
export type SyntaxTree = { readonly kind: "dsl"; readonly tree: DslSyntax } | { readonly kind: "yaml"; readonly tree: YamlSyntax };

/** The front end for a file name: `.fsm` is the DSL; `.yaml`, `.yml` and `.json` are dataknobs YAML. */
export function frontEndOf(path: string): "dsl" | "yaml" | undefined {
  if (/\.fsm$/i.test(path)) return "dsl";
  if (/\.(ya?ml|json)$/i.test(path)) return "yaml";
  return undefined;
}

/** Parses every source with its front end. */
export function parse(sources: readonly SourceFile[], host: YamlHost): PhaseResult<SyntaxTree[]> {
  const trees: SyntaxTree[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const source of sources) {
    if (frontEndOf(source.path) === "dsl") {
      const r = parseDsl(source);
      diagnostics.push(...r.diagnostics);
      if (r.value !== undefined) trees.push({ kind: "dsl", tree: r.value });
    } else {
      const r = readYaml(source, host);
      diagnostics.push(...r.diagnostics);
      if (r.value !== undefined) trees.push({ kind: "yaml", tree: r.value });
    }
  }
  return phaseResult(trees, diagnostics);
}

/** Lowers every syntax tree to IR machines (source order); `env` feeds the DSL's `env(…)`. */
export function lower(trees: readonly SyntaxTree[], env: Readonly<Record<string, string | undefined>> = {}): PhaseResult<Machine[]> {
  const machines: Machine[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const t of trees) {
    const r = t.kind === "dsl" ? lowerDsl(t.tree, { env }) : lowerYaml(t.tree);
    diagnostics.push(...r.diagnostics);
    if (r.value !== undefined) machines.push(...r.value);
  }
  return phaseResult(machines, diagnostics);
}

/** Front ends, checks and analysis only (what `fsmc check` runs before type-checking). */
export function compileToIr(
  sources: readonly SourceFile[],
  host: YamlHost,
  trace: PhaseTracer = untraced,
): { machines?: readonly Machine[]; symbols?: SymbolTable; report?: AnalysisReport; log: DiagnosticLog } {
  const log = new DiagnosticLog();
  const trees = log.take(trace("parse", () => parse(sources, host)));
  const machines = trees && log.take(trace("lower", () => lower(trees, host.env)));
  const symbols = machines && log.take(trace("check", () => check(machines)));
  const report = machines && symbols && log.take(trace("analyze", () => analyze(machines, symbols)));
  return {
    log,
    ...(machines ? { machines } : {}),
    ...(symbols ? { symbols } : {}),
    ...(report ? { report } : {}),
  };
}

/** The whole pipeline. */
export function compile(sources: readonly SourceFile[], options: CompileOptions): CompileResult {
  const trace = options.trace ?? untraced;
  const { log, machines, symbols, report } = compileToIr(sources, options.host, trace);
  const files = machines && symbols && report && log.take(trace("emit", () => emit(machines, symbols, report, options.emit ?? {})));
  if (files && machines && options.typecheck !== false) log.take(trace("typecheck", () => typecheckEmitted(files, machines, options.host)));
  return { machines: machines ?? [], ...(report ? { report } : {}), files: log.hasErrors ? [] : (files ?? []), diagnostics: log.sorted() };
}
