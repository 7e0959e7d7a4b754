/** Checks that every name a generated module declares or imports is declared once. */
import type { Diagnostic } from "../diagnostics/types.js";
import { generatedNameClash, type GeneratedName } from "../diagnostics/factories/emit.js";
import { RUNTIME_TYPES, RUNTIME_VALUES } from "./imports.js";
import type { ModuleModel } from "./model.js";

/** The module-level names of a module, in a fixed order, with a clash diagnostic for each repeat. */
export function nameClashes(module: ModuleModel): Diagnostic[] {
  const taken = new Map<string, GeneratedName>();
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>(); // one cause, one error: a machine clashes on all its names at once
  const declare = (name: string, owner: GeneratedName): void => {
    const first = taken.get(name);
    if (first === undefined) {
      taken.set(name, owner);
      return;
    }
    if (owner.span === undefined) return; // two fixed names never clash with each other
    const pair = `${first.what}\u0000${owner.what}`;
    if (reported.has(pair)) return;
    reported.add(pair);
    diagnostics.push(generatedNameClash(name, module.path, first, { what: owner.what, span: owner.span }));
  };
  for (const name of [...RUNTIME_TYPES, ...RUNTIME_VALUES]) declare(name, { what: "an import from fsmc/runtime" });
  declare("userFunctions", { what: "the functions-module import" });
  for (const r of module.records) {
    const what = `record \`${r.record.name}\``;
    declare(r.typeName, { what, span: r.record.nameSpan });
    declare(r.checkName, { what: `the checker of record \`${r.record.name}\``, span: r.record.nameSpan });
  }
  for (const m of module.machines) {
    const what = `machine \`${m.machine.name}\``;
    for (const name of Object.values(m.names)) declare(name, { what, span: m.machine.nameSpan });
    for (const r of m.resources) {
      if (r.handleAlias !== undefined) declare(r.handleAlias, { what: `the handle type of resource \`${r.decl.name}\``, span: r.decl.nameSpan });
    }
  }
  for (const p of module.providers) {
    const owner = module.machines.flatMap((m) => m.resources).find((r) => r.provider === p);
    declare(p.local, { what: `the provider class of resource \`${owner?.decl.name ?? p.local}\``, ...(owner ? { span: owner.decl.nameSpan } : {}) });
  }
  return diagnostics;
}
