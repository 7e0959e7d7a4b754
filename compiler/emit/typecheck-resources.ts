/**
 * The type check's view of resources: an inline `ctx.resources.x` for a role the slot does not
 * bind (FSM0510 instead of TypeScript's "property does not exist"), a provider module that does
 * not resolve (FSM0512), and a provider export that is missing or is not a `ResourceProvider`
 * class (FSM0513, checked through one line per provider in a check file).
 */
import { ts } from "ts-morph";
import type { Diagnostic } from "../diagnostics/types.js";
import { badProviderClass, providerModuleMissing, unboundResourceRole } from "../diagnostics/factories/emit.js";
import type { FunctionUse } from "../ir/index.js";
import type { Span } from "../source/index.js";
import { quote } from "./identifiers.js";
import type { ModuleModel } from "./model.js";
import { dirnameOf, joinPath } from "./paths.js";
import type { ProviderImport, ResourceModel } from "./resources.js";
import { scopeName } from "./role-literals.js";

/** TypeScript codes of a property read that the type does not have. */
const NO_PROPERTY: ReadonlySet<number> = new Set([2339, 7053]);

/** The deepest node of `file` containing `position`. */
function deepestAt(file: ts.SourceFile, position: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (position < n.getStart(file) || position >= n.end) return;
    found = n;
    ts.forEachChild(n, visit);
  };
  visit(file);
  return found;
}

/** `ctx.resources` (the object a role is read from). */
function isCtxResources(node: ts.Expression): node is ts.PropertyAccessExpression {
  return ts.isPropertyAccessExpression(node) && node.name.text === "resources" && ts.isIdentifier(node.expression) && node.expression.text === "ctx";
}

/**
 * The role read at an error position: `ctx.resources.x` (TypeScript points at `x`) or
 * `ctx.resources["x"]` (at the whole access, or at the literal).
 */
function roleReadAt(file: ts.SourceFile, position: number): { role: string; object: ts.PropertyAccessExpression } | undefined {
  for (let node = deepestAt(file, position); node !== undefined && !ts.isSourceFile(node); node = node.parent) {
    if (ts.isPropertyAccessExpression(node) && node.name.getStart(file) === position && isCtxResources(node.expression)) {
      return { role: node.name.text, object: node.expression };
    }
    if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && isCtxResources(node.expression)) {
      const at = [node.getStart(file), node.argumentExpression.getStart(file)];
      if (at.includes(position)) return { role: node.argumentExpression.text, object: node.expression };
    }
    if (node.getStart(file) !== position && !ts.isIdentifier(node) && !ts.isStringLiteralLike(node) && !ts.isPropertyAccessExpression(node)) return undefined;
  }
  return undefined;
}

/**
 * FSM0510 for a TypeScript error on `ctx.resources.x` / `ctx.resources["x"]` inside inline code,
 * or undefined when the error is about something else. The roles the slot does see are read from
 * the checked type of `ctx.resources`.
 */
export function unboundRoleRead(
  d: ts.Diagnostic,
  checked: ts.SourceFile,
  checker: ts.TypeChecker,
  use: Pick<FunctionUse, "state" | "arc" | "slot">,
  spanOf: (length: number) => Span,
): Diagnostic | undefined {
  if (!NO_PROPERTY.has(d.code) || d.start === undefined) return undefined;
  const read = roleReadAt(checked, d.start);
  if (read === undefined) return undefined;
  const { role, object } = read;
  const available = checker
    .getTypeAtLocation(object)
    .getProperties()
    .map((p) => p.getName())
    .sort();
  return unboundResourceRole(role, scopeName(use), available, spanOf(d.length ?? role.length), "reads");
}

/** The resources of a module that import a provider, with the provider. */
function providerOwners(module: ModuleModel): { model: ResourceModel; provider: ProviderImport }[] {
  return module.machines.flatMap((m) => m.resources.flatMap((r) => (r.provider !== undefined ? [{ model: r, provider: r.provider }] : [])));
}

function configSpan(model: ResourceModel, key: "module" | "export"): Span {
  return model.decl.configSpans?.[`/${key}`]?.value ?? model.decl.configSpans?.["/module"]?.value ?? model.decl.nameSpan;
}

/**
 * FSM0512/FSM0513 for a TypeScript error inside a provider import of a generated module;
 * undefined when the error is elsewhere, and `null` when it is one to ignore: a JavaScript
 * provider module without type declarations (it exists), or a provider's handle-type alias (the
 * provider check file reports what the class lacks).
 */
export function providerImportError(d: ts.Diagnostic, file: ts.SourceFile, module: ModuleModel, message: string): Diagnostic | null | undefined {
  const start = d.start ?? 0;
  const owners = providerOwners(module);
  for (const statement of file.statements) {
    if (start < statement.getStart(file) || start >= statement.end) continue;
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const specifier = statement.moduleSpecifier.text;
      const of = owners.filter((o) => o.provider.specifier === specifier);
      if (of.length === 0) return undefined;
      if (d.code === 7016) return null;
      if (d.code === 2307) {
        const first = of[0];
        if (first === undefined) return undefined;
        const { model, provider } = first;
        return providerModuleMissing(model.decl.name, provider.written, provider.path, configSpan(model, "module"), message);
      }
      const clause = statement.importClause;
      const local = clause?.name !== undefined && start < clause.name.end ? clause.name.text : namedLocalAt(clause, start, file);
      const owner = of.find((o) => o.provider.local === local) ?? of[0];
      if (owner === undefined) return undefined;
      return badProviderClass(owner.model.decl.name, owner.provider.written, owner.provider.exportName, configSpan(owner.model, "export"), message);
    }
    // A handle-type alias fails when the class has no `acquire`: the check file says what the class lacks.
    if (ts.isTypeAliasDeclaration(statement) && owners.some((o) => o.model.handleAlias === statement.name.text)) return null;
  }
  return undefined;
}

function namedLocalAt(clause: ts.ImportClause | undefined, position: number, file: ts.SourceFile): string | undefined {
  const bindings = clause?.namedBindings;
  if (bindings === undefined || !ts.isNamedImports(bindings)) return undefined;
  return bindings.elements.find((e) => position >= e.getStart(file) && position < e.end)?.name.text;
}

/** A check file assigning each provider class of a module to the runtime's provider constructor type. */
export interface ProviderCheckFile {
  readonly path: string;
  readonly text: string;
  /** Offset where each provider's line starts, with its owner. */
  readonly lines: readonly { readonly start: number; readonly model: ResourceModel; readonly provider: ProviderImport }[];
  /** Where the imports end (errors before are the module's to report). */
  readonly importEnd: number;
}

/** The provider check file of a module, or undefined when it imports no provider. */
export function providerCheckFile(module: ModuleModel, index: number): ProviderCheckFile | undefined {
  if (module.providers.length === 0) return undefined;
  const path = joinPath(dirnameOf(module.path), `__fsmc_providers_${index}__.ts`);
  let text = 'import type { ResourceDefinition } from "fsmc/runtime";\n';
  for (const p of module.providers) {
    text += p.exportName === "default" ? `import ${p.local} from ${quote(p.specifier)};\n` : `import { ${p.exportName} as ${p.local} } from ${quote(p.specifier)};\n`;
  }
  const importEnd = text.length;
  const lines: { start: number; model: ResourceModel; provider: ProviderImport }[] = [];
  const owners = providerOwners(module);
  module.providers.forEach((p, i) => {
    const owner = owners.find((o) => o.provider === p);
    if (owner === undefined) return;
    lines.push({ start: text.length, model: owner.model, provider: p });
    text += `export const provider${i}: NonNullable<ResourceDefinition["provider"]> = ${p.local};\n`;
  });
  return { path, text, lines, importEnd };
}

/** FSM0513 for the first error of each provider line of a check file. */
export function providerCheckErrors(file: ProviderCheckFile, diagnostics: readonly ts.Diagnostic[], messageOf: (d: ts.Diagnostic) => string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const reported = new Set<number>();
  for (const d of diagnostics) {
    const start = d.start ?? 0;
    if (start < file.importEnd) continue;
    let index = -1;
    file.lines.forEach((l, i) => {
      if (start >= l.start) index = i;
    });
    const line = file.lines[index];
    if (line === undefined || reported.has(index)) continue;
    reported.add(index);
    out.push(badProviderClass(line.model.decl.name, line.provider.written, line.provider.exportName, configSpan(line.model, "export"), messageOf(d)));
  }
  return out;
}
