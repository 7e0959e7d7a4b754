/**
 * Type-checks generated modules with the TypeScript checker (ts-morph's bundled compiler):
 * errors inside inline code map back to the inline code's source span (a read of a role the
 * slot does not bind gets its own code, typecheck-resources.ts); a registered function whose
 * type does not fit its slots is reported by name at its use; a custom resource's provider
 * module and class are checked the same way. Files are read through the host (no `node:fs`
 * here, typecheck-fs.ts): project files live under a virtual root, the runtime at its own path.
 */
import { Project, ts } from "ts-morph";
import { allFunctionUses, type FunctionSlot, type FunctionUse, type InlineCode, type Machine } from "../ir/index.js";
import type { Diagnostic, PhaseResult } from "../diagnostics/types.js";
import { phaseResult } from "../diagnostics/log.js";
import { functionTypeMismatch, functionsModuleMissing, inlineCodeError, missingFunctionExport } from "../diagnostics/factories/emit.js";
import { internalError } from "../diagnostics/factories/internal.js";
import { codeOffsetOf, inlineLayouts, sourceSpanOf, type InlineLayout } from "./inline.js";
import { buildModules, type MachineModel, type ModuleModel } from "./model.js";
import { basenameOf, dirnameOf, joinPath } from "./paths.js";
import { memberAccess, quote } from "./identifiers.js";
import { inlineReturnType } from "./table.js";
import type { EmittedFile } from "./index.js";
import { HostFileSystem, ROOT, toVirtual, type TypecheckHost } from "./typecheck-fs.js";
import { providerCheckErrors, providerCheckFile, providerImportError, unboundRoleRead, type ProviderCheckFile } from "./typecheck-resources.js";

export type { TypecheckHost } from "./typecheck-fs.js";

/** A check file: one line per registered function, assigning the export to its slot type. */
interface CheckFile {
  readonly path: string;
  readonly text: string;
  readonly machine: MachineModel;
  /** Offset where each function's line starts, in order of `machine.registered`. */
  readonly lineStarts: readonly number[];
  readonly importStart: number;
  readonly importEnd: number;
}

function checkFileOf(machine: MachineModel, modulePath: string, index: number): CheckFile | undefined {
  if (machine.functions.kind !== "module") return undefined;
  const path = joinPath(dirnameOf(modulePath), `__fsmc_check_${index}__.ts`);
  const moduleSpec = `./${basenameOf(modulePath).replace(/\.ts$/, ".js")}`;
  let text = `import type { ${machine.names.functions} } from ${quote(moduleSpec)};\n`;
  const importStart = text.length;
  text += `import * as userFunctions from ${quote(machine.functions.specifier)};\n`;
  const importEnd = text.length;
  const lineStarts: number[] = [];
  machine.registered.forEach((fn, i) => {
    lineStarts.push(text.length);
    text += `export const f${i}: ${machine.names.functions}[${quote(fn.name)}] = ${memberAccess("userFunctions", fn.name)};\n`;
  });
  return { path, text, machine, lineStarts, importStart, importEnd };
}

function message(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, "\n")
    .split("\n")
    .map((l) => l.trim())
    .join(" ");
}

/** An inline code of a module with the slot it fills and its state's record type. */
interface InlineUse {
  readonly code: InlineCode;
  readonly slot: FunctionSlot;
  readonly dataType: string;
  readonly use: FunctionUse;
}

/** Inline-code regions of a generated module: each `fn:` arrow of a `kind: "inline"` slot. */
interface InlineRegion {
  readonly start: number;
  readonly end: number;
  readonly code: InlineCode;
  readonly use: InlineUse;
  readonly arrow: ts.ArrowFunction;
  readonly layoutOffset: number;
  readonly layout?: InlineLayout;
}

function stringProperty(node: ts.ObjectLiteralExpression, name: string): string | undefined {
  for (const p of node.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name && ts.isStringLiteral(p.initializer)) return p.initializer.text;
  }
  return undefined;
}

/** The region holding `position` (regions are sorted and disjoint). */
function regionAt(regions: readonly InlineRegion[], position: number): InlineRegion | undefined {
  let lo = 0;
  let hi = regions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = regions[mid] as InlineRegion;
    if (position < r.start) hi = mid - 1;
    else if (position >= r.end) lo = mid + 1;
    else return r;
  }
  return undefined;
}

/** The regions inside [start, end) (regions are sorted and disjoint). */
function regionsWithin(regions: readonly InlineRegion[], start: number, end: number): InlineRegion[] {
  let lo = 0;
  let hi = regions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((regions[mid] as InlineRegion).start < start) lo = mid + 1;
    else hi = mid;
  }
  const out: InlineRegion[] = [];
  for (let i = lo; i < regions.length && (regions[i] as InlineRegion).end <= end; i++) out.push(regions[i] as InlineRegion);
  return out;
}

function inlineRegions(file: ts.SourceFile, inlineOf: (factory: string, id: string) => InlineUse | undefined): InlineRegion[] {
  const regions: InlineRegion[] = [];
  const text = file.text;
  const visit = (node: ts.Node, factory: string): void => {
    const inFactory = ts.isFunctionDeclaration(node) && node.name ? node.name.text : factory;
    if (ts.isObjectLiteralExpression(node) && stringProperty(node, "kind") === "inline") {
      const id = stringProperty(node, "name");
      const fnProp = node.properties.find((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === "fn");
      const use = id !== undefined ? inlineOf(inFactory, id) : undefined;
      if (use && fnProp && ts.isPropertyAssignment(fnProp) && ts.isArrowFunction(fnProp.initializer)) {
        const { code } = use;
        const arrow = fnProp.initializer;
        const start = arrow.getStart(file);
        const headStart = start + (code.isAsync ? "async ".length : 0);
        const params = text.slice(headStart, arrow.equalsGreaterThanToken.getStart(file)).trimEnd();
        const lineStart = text.lastIndexOf("\n", start) + 1;
        const indent = /^[ \t]*/.exec(text.slice(lineStart, start))?.[0] ?? "";
        const layout = inlineLayouts(code, params, indent).find((l) => text.startsWith(l.text, start));
        regions.push({ start, end: arrow.end, code, use, arrow, layoutOffset: start, ...(layout ? { layout } : {}) });
      }
    }
    ts.forEachChild(node, (child) => visit(child, inFactory));
  };
  visit(file, "");
  return regions;
}

/** The statement around `position` imports or binds the functions module (`options.functions ?? userFunctions`). */
function bindsUserFunctions(file: ts.SourceFile, position: number): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || position < node.getFullStart() || position >= node.end) return;
    if ((ts.isVariableStatement(node) || ts.isImportDeclaration(node)) && /\buserFunctions\d*\b/.test(node.getText(file))) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** TypeScript codes of a value that does not fit its declared type. */
const NOT_ASSIGNABLE: ReadonlySet<number> = new Set([2322, 2353, 2375, 2559, 2561, 2739, 2740, 2741]);

/** True when `position` lies in a value the arrow itself returns (its expression body, or a `return` of its own). */
function inReturnedValue(arrow: ts.ArrowFunction, file: ts.SourceFile, position: number): boolean {
  for (let n = nodeAt(arrow.body, file, position); n !== undefined && n !== arrow; n = n.parent) {
    if (ts.isReturnStatement(n)) return true;
    if (n === arrow.body) return !ts.isBlock(n);
    if (ts.isFunctionLike(n)) return false;
  }
  return false;
}

/** The deepest node of `file` at `position`, under `root`. */
function nodeAt(root: ts.Node, file: ts.SourceFile, position: number): ts.Node | undefined {
  let node: ts.Node | undefined;
  const find = (n: ts.Node): void => {
    if (position < n.getStart(file) || position >= n.end) return;
    node = n;
    ts.forEachChild(n, find);
  };
  find(root);
  return node;
}

/**
 * TypeScript puts a property's type error on its name (`v` of `{ v: "str" }`); the label
 * covers the whole one-line property (`v: "str"`) so that it shows the value too. Undefined
 * when the error is not of that kind.
 */
function valueLength(arrow: ts.ArrowFunction, file: ts.SourceFile, d: ts.Diagnostic): number | undefined {
  if (!NOT_ASSIGNABLE.has(d.code) || d.start === undefined) return undefined;
  const name = nodeAt(arrow.body, file, d.start);
  const property = name?.parent;
  if (property === undefined || !ts.isPropertyAssignment(property) || property.name !== name || name.getStart(file) !== d.start) return undefined;
  const text = file.text.slice(d.start, property.end);
  return text.includes("\n") ? undefined : text.length;
}

/**
 * For a transform whose result does not fit its declared return type: what a transform may
 * return (decision E4), since the TypeScript message names only the types.
 */
function returnedValueNote(region: InlineRegion, file: ts.SourceFile, d: ts.Diagnostic): string | undefined {
  const { code, slot, dataType } = region.use;
  const returns = inlineReturnType(code, slot, dataType);
  if (returns === undefined || !NOT_ASSIGNABLE.has(d.code) || !inReturnedValue(region.arrow, file, d.start ?? 0)) return undefined;
  const record = code.language === "js" ? "a plain object" : `an object of type \`${dataType}\``;
  const promise = code.isAsync ? " (async code: a promise of one of these)" : "";
  return `a transform returns the record, ${record}, or nothing (\`undefined\` or \`null\` keep the record)${promise}; here its return type is \`${returns}\``;
}

/**
 * The text the checker sees for a generated module: the module with its table literals elided,
 * offset for offset. Type-checking a 1,000-state table costs most of a build, and what can fail
 * there is the inline code (the table's own types are fixed by the emitter and held by the
 * golden tests). So each outermost object or array literal whose value only flows into a declared
 * type (see `isSink`) becomes `[<arrow>, <arrow>] as never`: every inline arrow stays
 * at its offset and in its scope (module names, `fn`, `options`), the rest turns to spaces
 * (line breaks kept). The slots' function type takes `never` parameters and returns `unknown`,
 * so an arrow checks alike in or out of its slot. A literal in any other position is kept.
 */
function elideTables(file: ts.SourceFile, regions: readonly InlineRegion[]): string {
  const text = file.text;
  let out = "";
  let copied = 0;
  const blank = (from: number, to: number): string => text.slice(from, to).replace(/[^\n]/g, " ");
  const elided = (literal: ts.Expression): string | undefined => {
    const start = literal.getStart(file);
    const inside = regionsWithin(regions, start, literal.end);
    const tail = "] as never";
    let next = "[";
    let at = start + 1;
    for (const r of inside) {
      if (r.start < at) return undefined;
      next += `${blank(at, r.start)}${text.slice(r.start, r.end)},`;
      at = r.end + 1;
    }
    if (at > literal.end - tail.length) return undefined;
    return `${next}${blank(at, literal.end - tail.length)}${tail}`;
  };
  /**
   * A literal whose type only flows into a declared type: a typed variable's initializer, an
   * argument of a call with explicit type arguments or whose result is unused, the operand of
   * `return` in a function with a declared return type. `never` there changes no other type.
   */
  const isSink = (node: ts.Expression): boolean => {
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent)) return parent.initializer === node && parent.type !== undefined;
    if (ts.isCallExpression(parent)) return parent.arguments.includes(node) && (parent.typeArguments !== undefined || ts.isExpressionStatement(parent.parent));
    if (ts.isReturnStatement(parent)) {
      const fn = ts.findAncestor(parent, ts.isFunctionLike);
      return fn !== undefined && fn.type !== undefined;
    }
    return false;
  };
  const isLiteral = (node: ts.Node): node is ts.ObjectLiteralExpression | ts.ArrayLiteralExpression =>
    ts.isObjectLiteralExpression(node) || ts.isArrayLiteralExpression(node);
  const visit = (node: ts.Node): void => {
    if (isLiteral(node)) {
      if (regionAt(regions, node.getStart(file)) !== undefined) return; // the user's code is checked as written
      const holdsInline = regionsWithin(regions, node.getStart(file), node.end).length > 0;
      const replacement = isSink(node) ? elided(node) : undefined;
      if (replacement !== undefined) {
        out += text.slice(copied, node.getStart(file)) + replacement;
        copied = node.end;
        return;
      }
      if (!holdsInline) return; // nothing inside to elide or keep
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out + text.slice(copied);
}

/**
 * Globals every runtime fsmc supports (Node ≥ 20, browsers) has but lib ES2023 lacks; declared
 * here instead of loading the DOM or Node typings, which would double the check's cost.
 */
const ENVIRONMENT = `${ROOT}/__fsmc_environment__.d.ts`;
const ENVIRONMENT_TEXT = [
  "declare function structuredClone<T = unknown>(value: T, options?: { transfer?: unknown[] }): T;",
  "declare function setTimeout(handler: (...args: unknown[]) => void, timeout?: number, ...args: unknown[]): unknown;",
  "declare function clearTimeout(id: unknown): void;",
  "declare function setInterval(handler: (...args: unknown[]) => void, timeout?: number, ...args: unknown[]): unknown;",
  "declare function clearInterval(id: unknown): void;",
  "declare function queueMicrotask(callback: () => void): void;",
  "declare var console: { log(...data: unknown[]): void; info(...data: unknown[]): void; warn(...data: unknown[]): void; error(...data: unknown[]): void; debug(...data: unknown[]): void };",
  "declare class TextEncoder { encode(input?: string): Uint8Array }",
  "declare class TextDecoder { constructor(label?: string); decode(input?: ArrayBufferView | ArrayBuffer): string }",
  "declare class URL { constructor(url: string, base?: string | URL); readonly href: string; readonly host: string; readonly hostname: string; readonly pathname: string; readonly search: string; readonly protocol: string; readonly searchParams: URLSearchParams; toString(): string }",
  "declare class URLSearchParams { constructor(init?: string | Record<string, string>); get(name: string): string | null; has(name: string): boolean; toString(): string }",
  "declare function fetch(input: string | URL, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ ok: boolean; status: number; json(): Promise<unknown>; text(): Promise<string> }>;",
  "",
].join("\n");

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"],
  types: [],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true,
  noEmit: true,
  allowJs: false,
  resolveJsonModule: false,
};

/**
 * Type-checks the generated modules (and, through them, the user's functions modules as they
 * will be after this build: new or appended stubs included).
 */
export function typecheckEmitted(files: readonly EmittedFile[], machines: readonly Machine[], host: TypecheckHost): PhaseResult<void> {
  const modules = buildModules(machines, { machines: [] });
  const virtual = new Map<string, string>();
  for (const f of files) virtual.set(toVirtual(f.path), f.text);
  // Each generated module: parsed as written (for inline regions and positions), checked as elided.
  const parsed: { file: EmittedFile; sourceFile: ts.SourceFile; regions: InlineRegion[]; module: ModuleModel }[] = [];
  for (const f of files) {
    const module = f.role === "module" ? modules.find((m) => m.path === f.path) : undefined;
    if (!module) continue;
    const byFactory = new Map<string, Map<string, InlineUse>>();
    for (const m of module.machines) {
      const codes = new Map<string, InlineUse>();
      for (const use of allFunctionUses(m.machine)) {
        if (use.ref.kind === "InlineCode") codes.set(use.ref.id, { code: use.ref, slot: use.slot, dataType: m.dataTypeOf(use.state), use });
      }
      byFactory.set(m.names.factory, codes);
    }
    const inlineOf = (factory: string, id: string): InlineUse | undefined => byFactory.get(factory)?.get(id);
    const sourceFile = ts.createSourceFile(toVirtual(f.path), f.text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const regions = inlineRegions(sourceFile, inlineOf);
    parsed.push({ file: f, sourceFile, regions, module });
    virtual.set(toVirtual(f.path), elideTables(sourceFile, regions));
  }
  const checks: CheckFile[] = [];
  const providerChecks: ProviderCheckFile[] = [];
  modules.forEach((module, moduleIndex) => {
    module.machines.forEach((m, i) => {
      const check = checkFileOf(m, module.path, i);
      if (check) {
        checks.push(check);
        virtual.set(toVirtual(check.path), check.text);
      }
    });
    const providers = providerCheckFile(module, moduleIndex);
    if (providers) {
      providerChecks.push(providers);
      virtual.set(toVirtual(providers.path), providers.text);
    }
  });
  virtual.set(ENVIRONMENT, ENVIRONMENT_TEXT);
  const runtime = toVirtual(host.runtimeTypesPath);
  const project = new Project({
    fileSystem: new HostFileSystem(host, virtual),
    compilerOptions: { ...COMPILER_OPTIONS, paths: { "fsmc/runtime": [runtime] } },
    skipAddingFilesFromTsConfig: true,
  });
  for (const p of parsed) project.addSourceFileAtPath(toVirtual(p.file.path));
  for (const c of checks) project.addSourceFileAtPath(toVirtual(c.path));
  for (const c of providerChecks) project.addSourceFileAtPath(toVirtual(c.path));
  project.addSourceFileAtPath(ENVIRONMENT);
  project.resolveSourceFileDependencies();
  const program = project.getProgram().compilerObject;
  const checker = program.getTypeChecker();

  const diagnostics: Diagnostic[] = [];
  for (const { file: f, sourceFile, regions, module } of parsed) {
    const checked = program.getSourceFile(toVirtual(f.path));
    if (!checked) continue;
    const reported = new Set<string>();
    for (const d of [...program.getSyntacticDiagnostics(checked), ...program.getSemanticDiagnostics(checked)]) {
      const start = d.start ?? 0;
      const region = regionAt(regions, start);
      if (region) {
        if (reported.has(region.code.id)) continue; // one cause, one error: the first error of each inline code
        reported.add(region.code.id);
        const offset = region.layout ? codeOffsetOf(region.layout, start - region.layoutOffset) : undefined;
        const unbound = unboundRoleRead(d, checked, checker, region.use.use, (n) => sourceSpanOf(region.code, offset, n));
        if (unbound !== undefined) {
          diagnostics.push(unbound);
          continue;
        }
        const length = valueLength(region.arrow, sourceFile, d) ?? d.length ?? 1;
        const error = inlineCodeError(region.code.id, sourceSpanOf(region.code, offset, length), message(d), d.code);
        const note = returnedValueNote(region, sourceFile, d);
        diagnostics.push(note === undefined ? error : { ...error, notes: [...error.notes, note] });
        continue;
      }
      if (bindsUserFunctions(sourceFile, start)) continue; // reported per function from the check file
      const provider = providerImportError(d, sourceFile, module, message(d));
      if (provider === null) continue;
      if (provider !== undefined) {
        diagnostics.push(provider);
        continue;
      }
      const { line, character } = sourceFile.getLineAndCharacterOfPosition(start);
      diagnostics.push(internalError(new Error(`generated module ${f.path}:${line + 1}:${character + 1} does not type-check: TS${d.code}: ${message(d)}`)));
    }
  }
  for (const c of providerChecks) {
    const sourceFile = program.getSourceFile(toVirtual(c.path));
    if (sourceFile) diagnostics.push(...providerCheckErrors(c, program.getSemanticDiagnostics(sourceFile), message));
  }
  for (const c of checks) {
    const sourceFile = program.getSourceFile(toVirtual(c.path));
    if (!sourceFile) continue;
    const machine = c.machine.machine;
    const written = machine.functionsModule?.path ?? "the functions module";
    const all = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    if (all.some((d) => (d.start ?? 0) >= c.importStart && (d.start ?? 0) < c.importEnd)) {
      const d = all.find((x) => (x.start ?? 0) >= c.importStart && (x.start ?? 0) < c.importEnd);
      diagnostics.push(functionsModuleMissing(written, machine.functionsModule?.span ?? machine.nameSpan, d ? message(d) : ""));
      continue;
    }
    const reported = new Set<number>();
    for (const d of all) {
      const start = d.start ?? 0;
      let index = -1;
      c.lineStarts.forEach((s, i) => {
        if (start >= s) index = i;
      });
      const fn = c.machine.registered[index];
      if (!fn || reported.has(index)) continue;
      reported.add(index);
      const span = fn.uses[0]?.ref.span ?? machine.nameSpan;
      if (d.code === 2339) diagnostics.push(missingFunctionExport(fn.name, written, span));
      else diagnostics.push(functionTypeMismatch(fn.name, written, span, message(d), c.machine.names.functions));
    }
  }
  return phaseResult(undefined, onePerProvider(diagnostics));
}

/** One cause, one error: a provider class that fails both its handle type and its check line is reported once. */
function onePerProvider(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    if (d.code !== "FSM0512" && d.code !== "FSM0513") return true;
    if (seen.has(d.message)) return false;
    seen.add(d.message);
    return true;
  });
}
