/**
 * The emit phase: IR machines + symbols + analysis → generated TypeScript modules (one per
 * source file, "DO NOT EDIT") and function stubs (the user's file: created once, appended to
 * later). Diagnostics FSM0500–FSM0599. Pure: files are returned, never written; reading an
 * existing functions module is the caller's job (`EmitOptions.existingFunctions`).
 *
 * `typecheckEmitted` type-checks the result through a `TypecheckHost`; `transpileModule` turns
 * a generated module into JavaScript for `fsmc run`.
 */
import { ts } from "ts-morph";
import { analysisOf, type AnalysisReport } from "../analyze/types.js";
import type { SymbolTable } from "../check/types.js";
import { phaseResult } from "../diagnostics/log.js";
import type { Diagnostic, PhaseResult } from "../diagnostics/types.js";
import { badFunctionsPath, badProviderModule, inlineCodeError, invalidFunctionName } from "../diagnostics/factories/emit.js";
import { internalError } from "../diagnostics/factories/internal.js";
import { allFunctionUses, compareCodePoints, type Machine } from "../ir/index.js";
import { invalidPatterns } from "./checker.js";
import { isBindingIdentifier } from "./identifiers.js";
import { inlineSyntaxError, layoutInline, sourceSpanOf } from "./inline.js";
import { buildModules } from "./model.js";
import { writeModule } from "./module.js";
import { functionsPathProblem, modulePathOf, resolveFunctionsModule } from "./paths.js";
import { nameClashes } from "./names.js";
import { providerModuleProblem } from "./resources.js";
import { unboundRoleLiterals } from "./role-literals.js";
import { writeStubs } from "./stubs.js";

export { typecheckEmitted, type TypecheckHost } from "./typecheck.js";
export { moduleHeader } from "./module.js";

/** A file the emitter produced; writing it is the CLI's job. */
export interface EmittedFile {
  /** Project-relative, `/`-separated. */
  readonly path: string;
  readonly text: string;
  /** `module`: generated, overwritten on every build. `functions`: the user's functions module (new, or with stubs appended). */
  readonly role: "module" | "functions";
}

/** Options of the emit phase. */
export interface EmitOptions {
  /** Current text of existing functions modules, by project path (only those that exist). */
  readonly existingFunctions?: Readonly<Record<string, string>>;
  /** How generated code imports the runtime (default `fsmc/runtime`). */
  readonly runtimeSpecifier?: string;
}

/** The default runtime specifier of generated imports. */
export const RUNTIME_SPECIFIER = "fsmc/runtime";

/** Problems that stop emission: unusable names and paths (functions and provider modules), and inline code that does not parse. */
function validate(machines: readonly Machine[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const modulePaths = new Set(machines.map((m) => modulePathOf(m.sourceFile)));
  for (const machine of machines) {
    const fm = machine.functionsModule;
    if (fm) {
      const problem = functionsPathProblem(fm.path);
      const resolved = problem === undefined ? resolveFunctionsModule(machine.sourceFile, fm.path) : undefined;
      if (problem !== undefined) diagnostics.push(badFunctionsPath(fm.path, fm.span, problem));
      else if (resolved?.kind === "file" && modulePaths.has(resolved.path)) {
        diagnostics.push(badFunctionsPath(fm.path, fm.span, `\`${resolved.path}\` is a generated module, rewritten on every build`));
      }
    }
    const badNames = new Set<string>();
    for (const use of allFunctionUses(machine)) {
      const ref = use.ref;
      if (ref.kind === "RegisteredRef" && !isBindingIdentifier(ref.name) && !badNames.has(ref.name)) {
        badNames.add(ref.name);
        diagnostics.push(invalidFunctionName(ref.name, ref.span));
      }
      if (ref.kind === "InlineCode") {
        const layout = layoutInline(ref, "(data: unknown, ctx: unknown)", "");
        const error = inlineSyntaxError(layout);
        if (error) diagnostics.push(inlineCodeError(ref.id, sourceSpanOf(ref, error.codeOffset, 1), error.message));
      }
    }
    for (const resource of machine.resources) {
      const problem = resource.type === "custom" ? providerModuleProblem(resource) : undefined;
      if (problem === undefined) continue;
      const at = resource.configSpans?.[/`export`/.test(problem) ? "/export" : "/module"];
      diagnostics.push(badProviderModule(resource.name, at?.value ?? resource.nameSpan, problem));
    }
    // `check` reports bad patterns (FSM0313); one reaching emit would throw when the module loads.
    for (const record of machine.records) {
      for (const p of invalidPatterns(record.schema)) {
        diagnostics.push(internalError(new Error(`record \`${record.name}\` reached emit with an invalid pattern \`${p.pattern}\`: ${p.message}`)));
      }
    }
  }
  return diagnostics;
}

/** Emits one module per source file and the functions modules' stubs; files sorted by path. */
export function emit(machines: readonly Machine[], _symbols: SymbolTable, report: AnalysisReport, options: EmitOptions): PhaseResult<EmittedFile[]> {
  const runtimeSpecifier = options.runtimeSpecifier ?? RUNTIME_SPECIFIER;
  const diagnostics = validate(machines);
  for (const machine of machines) diagnostics.push(...unboundRoleLiterals(machine, analysisOf(report, machine)));
  const modules = buildModules(machines, report);
  for (const module of modules) diagnostics.push(...nameClashes(module));
  if (diagnostics.some((d) => d.severity === "error")) return phaseResult<EmittedFile[]>(undefined, diagnostics);

  const files: EmittedFile[] = modules.map((module) => ({ path: module.path, text: writeModule(module, runtimeSpecifier), role: "module" }));
  const stubs = writeStubs(modules, { runtimeSpecifier, ...(options.existingFunctions ? { existingFunctions: options.existingFunctions } : {}) });
  diagnostics.push(...stubs.diagnostics);
  for (const s of stubs.files) files.push({ path: s.path, text: s.text, role: "functions" });
  files.sort((a, b) => compareCodePoints(a.path, b.path));
  return phaseResult(files, diagnostics);
}

/** TypeScript → ES module JavaScript (no type-check), for running a generated module in memory. */
export function transpileModule(text: string): string {
  return ts.transpileModule(text, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: false, inlineSourceMap: false },
    fileName: "module.ts",
  }).outputText;
}
