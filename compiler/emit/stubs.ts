/**
 * Function stubs: the functions module is the user's code. It is written once, with a typed
 * stub that throws `NotImplementedError` for every registered function; later builds append
 * stubs for newly named functions at the end and never touch what is already there.
 */
import { ts } from "ts-morph";
import { compareCodePoints } from "../ir/index.js";
import type { Span } from "../source/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { appendedStub, opaqueFunctionsModule } from "../diagnostics/factories/emit.js";
import { formatTypeScript } from "./format.js";
import { docText, quote } from "./identifiers.js";
import { RUNTIME_TYPES, RuntimeImports } from "./imports.js";
import type { MachineModel, ModuleModel, RegisteredModel } from "./model.js";
import { basenameOf, importSpecifierOf } from "./paths.js";

/** A stub to write: the function, and the generated module its types live in. */
interface StubEntry {
  readonly fn: RegisteredModel;
  readonly machine: MachineModel;
  /** Specifier of the generated module, relative to the stubs file. */
  readonly moduleSpecifier: string;
}

/** What an existing functions module already provides. */
export interface ExistingExports {
  readonly names: ReadonlySet<string>;
  /** True when it has `export * from …` (its names cannot be known without reading that module). */
  readonly reExportsAll: boolean;
  /** Local name of a value import of `NotImplementedError` from the runtime, if any. */
  readonly notImplemented?: string;
}

function bindingNames(name: ts.BindingName, out: Set<string>): void {
  if (ts.isIdentifier(name)) {
    out.add(name.text);
    return;
  }
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, out);
}

/** Exported by name: `export …`, but not `export default …` (that is the `default` export). */
function isExported(node: ts.Node): boolean {
  const modifiers = ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : [];
  return modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) && !modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

/** The value names a module exports (declarations and `export { … }` lists), parsed, never run. */
export function existingExports(text: string, runtimeSpecifier: string): ExistingExports {
  const file = ts.createSourceFile("functions.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  let reExportsAll = false;
  let notImplemented: string | undefined;
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      if (
        clause &&
        !clause.isTypeOnly &&
        bindings &&
        ts.isNamedImports(bindings) &&
        ts.isStringLiteral(statement.moduleSpecifier) &&
        statement.moduleSpecifier.text === runtimeSpecifier
      ) {
        for (const el of bindings.elements) {
          if (!el.isTypeOnly && (el.propertyName ?? el.name).text === "NotImplementedError") notImplemented = el.name.text;
        }
      }
    } else if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) continue;
      const clause = statement.exportClause;
      if (clause === undefined) reExportsAll = true;
      else if (ts.isNamespaceExport(clause)) names.add(clause.name.text);
      else for (const el of clause.elements) if (!el.isTypeOnly) names.add(el.name.text);
    } else if (isExported(statement)) {
      if (ts.isVariableStatement(statement)) {
        for (const d of statement.declarationList.declarations) bindingNames(d.name, names);
      } else if (
        (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
        statement.name !== undefined
      ) {
        names.add(statement.name.text);
      } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
        names.add(statement.name.text);
      }
    }
  }
  return { names, reExportsAll, ...(notImplemented !== undefined ? { notImplemented } : {}) };
}

/** Replaces whole-word type names outside string literals (`Order` → `import("./o.fsm.js").Order`). */
function replaceTypeNames(text: string, replacement: (name: string) => string | undefined): string {
  return text
    .split(/("(?:[^"\\]|\\.)*")/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\b[A-Za-z_$][A-Za-z0-9_$]*\b/g, (w) => replacement(w) ?? w)))
    .join("");
}

/** The signature of a stub (`isValid(data: Order, ctx: Ctx<"validate">): boolean`), types rewritten by `typeRef`. */
function signature(fn: RegisteredModel, typeRef: (text: string) => string): string {
  const params = fn.params === "none" ? "" : `, params${fn.params === "optional" ? "?" : ""}: Readonly<Record<string, unknown>>`;
  return `${fn.name}(data: ${typeRef(fn.dataType)}, ctx: ${typeRef(fn.ctxType)}${params}): ${typeRef(fn.returnType)}`;
}

function stubFunction(fn: RegisteredModel, typeRef: (text: string) => string, throwExpr: string, appended: boolean): string {
  const usage = fn.usage.join("; ");
  const doc = `/** ${docText(usage.charAt(0).toUpperCase() + usage.slice(1))}.${appended ? " Appended by `fsmc build`." : ""} */`;
  return `${doc}\nexport function ${signature(fn, typeRef)} {\nthrow ${throwExpr};\n}\n`;
}

function notImplementedMessage(name: string): string {
  return `function \`${name}\` is not implemented yet: write it in the functions module`;
}

/** Type names a machine's module exports that stubs may mention: record types and custom handle types. */
function recordNames(machine: MachineModel): Set<string> {
  const names = new Set<string>();
  for (const r of machine.resources) if (r.handleAlias !== undefined) names.add(r.handleAlias);
  for (const s of machine.states) {
    const own = machine.ownRecordOf(s.state);
    if (own) names.add(own.typeName);
  }
  if (machine.inputRecord) names.add(machine.inputRecord.typeName);
  return names;
}

/** A whole new functions module. */
function newStubsFile(sources: readonly string[], entries: readonly StubEntry[], runtimeSpecifier: string): string {
  const imports = new RuntimeImports();
  imports.value("NotImplementedError");
  // Record types by module; a name two modules export is written `import("…").Name` instead.
  const owners = new Map<string, Set<string>>();
  for (const e of entries) for (const n of recordNames(e.machine)) owners.set(n, (owners.get(n) ?? new Set()).add(e.moduleSpecifier));
  const typeImports = new Map<string, Set<string>>();
  const functions = entries.map((e) => {
    const records = recordNames(e.machine);
    const typeRef = (text: string): string =>
      imports.type(
        replaceTypeNames(text, (w) => {
          if (!records.has(w)) return undefined;
          if ((owners.get(w)?.size ?? 0) > 1) return `import(${quote(e.moduleSpecifier)}).${w}`;
          typeImports.set(e.moduleSpecifier, (typeImports.get(e.moduleSpecifier) ?? new Set()).add(w));
          return w;
        }),
      );
    return stubFunction(e.fn, typeRef, `new NotImplementedError(${quote(e.fn.name)})`, false);
  });
  const moduleImports = [...typeImports.keys()]
    .sort(compareCodePoints)
    .map((spec) => `import type { ${[...(typeImports.get(spec) ?? [])].sort(compareCodePoints).join(", ")} } from ${quote(spec)};`);
  const header = [
    `// Functions for ${sources.join(", ")}. Written once by fsmc; edit freely.`,
    "// New functions are appended by `fsmc build`.",
  ].join("\n");
  return formatTypeScript(`${header}\n\n${[imports.declaration(runtimeSpecifier), ...moduleImports].join("\n")}\n\n${functions.join("\n")}`);
}

/** Stubs appended to an existing module: fully-qualified types, so no import has to change. */
function appendedStubs(existing: string, info: ExistingExports, entries: readonly StubEntry[], runtimeSpecifier: string): string {
  const runtimeTypes = new Set<string>(RUNTIME_TYPES);
  const functions = entries.map((e) => {
    const records = recordNames(e.machine);
    const typeRef = (text: string): string =>
      replaceTypeNames(text, (w) =>
        records.has(w) ? `import(${quote(e.moduleSpecifier)}).${w}` : runtimeTypes.has(w) ? `import(${quote(runtimeSpecifier)}).${w}` : undefined,
      );
    const throwExpr =
      info.notImplemented !== undefined
        ? `new ${info.notImplemented}(${quote(e.fn.name)})`
        : `new Error(${quote(notImplementedMessage(e.fn.name))})`;
    return stubFunction(e.fn, typeRef, throwExpr, true);
  });
  const separator = existing === "" || existing.endsWith("\n") ? "\n" : "\n\n";
  return `${existing}${separator}${formatTypeScript(functions.join("\n"))}`;
}

/** Options of stub generation. */
export interface StubOptions {
  readonly existingFunctions?: Readonly<Record<string, string>>;
  readonly runtimeSpecifier: string;
}

/** The stub files to write (new or appended), plus warnings; nothing for complete modules. */
export function writeStubs(modules: readonly ModuleModel[], options: StubOptions): { files: { path: string; text: string }[]; diagnostics: Diagnostic[] } {
  const byPath = new Map<string, { sources: string[]; entries: StubEntry[]; span: Span }>();
  for (const module of modules) {
    for (const machine of module.machines) {
      if (machine.stubsPath === undefined) continue;
      const path = machine.stubsPath;
      const group = byPath.get(path) ?? { sources: [], entries: [], span: machine.machine.functionsModule?.span ?? machine.machine.nameSpan };
      const sourceName = basenameOf(module.sourceFile);
      if (!group.sources.includes(sourceName)) group.sources.push(sourceName);
      for (const fn of machine.registered) {
        if (group.entries.some((e) => e.fn.name === fn.name)) continue;
        group.entries.push({ fn, machine, moduleSpecifier: importSpecifierOf(path, module.path) });
      }
      byPath.set(path, group);
    }
  }
  const files: { path: string; text: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of [...byPath.keys()].sort(compareCodePoints)) {
    const group = byPath.get(path);
    if (!group) continue;
    const entries = [...group.entries].sort((a, b) => compareCodePoints(a.fn.name, b.fn.name));
    const existing = options.existingFunctions?.[path];
    if (existing === undefined) {
      files.push({ path, text: newStubsFile(group.sources, entries, options.runtimeSpecifier) });
      continue;
    }
    const info = existingExports(existing, options.runtimeSpecifier);
    const missing = entries.filter((e) => !info.names.has(e.fn.name));
    if (missing.length === 0) continue;
    if (info.reExportsAll) {
      diagnostics.push(opaqueFunctionsModule(path, group.span, missing.map((e) => e.fn.name)));
      continue;
    }
    const referenced = new Set(entries.map((e) => e.fn.name));
    const unused = [...info.names].filter((n) => !referenced.has(n));
    for (const e of missing) diagnostics.push(appendedStub(path, e.fn.name, e.fn.uses[0]?.ref.span ?? group.span, unused));
    files.push({ path, text: appendedStubs(existing, info, missing, options.runtimeSpecifier) });
  }
  return { files, diagnostics };
}
