/**
 * What the emitter derives from the IR before writing text: per-source-file modules, emitted
 * names, global state indices, the data type of each state, and the typed signature of every
 * registered function. Everything here is sorted or in source order, never in input order.
 */
import type { AnalysisReport, MachineAnalysis, RoleScope } from "../analyze/types.js";
import { isAsyncBuiltin } from "../check/builtin-catalogue.js";
import {
  allFunctionUses,
  allStates,
  compareCodePoints,
  type Arc,
  type FunctionUse,
  type Machine,
  type Network,
  type RecordType,
  type RegisteredRef,
  type State,
} from "../ir/index.js";
import { pascalCase, quote, typeIdentifier } from "./identifiers.js";
import { providerImports, resourceModels, resourcesTypeOf, type ProviderImport, type ResourceModel } from "./resources.js";
import {
  defaultFunctionsPathOf,
  functionsPathProblem,
  importSpecifierOf,
  modulePathOf,
  resolveFunctionsModule,
} from "./paths.js";

/** A record type as emitted (shared by the machines of one module when identical). */
export interface RecordModel {
  readonly record: RecordType;
  readonly typeName: string;
  readonly checkName: string;
}

/** How a machine's factory gets its registered functions. */
export type FunctionsBinding =
  | { readonly kind: "none" }
  /** Imported from a module; `options.functions` may override it. */
  | { readonly kind: "module"; readonly specifier: string }
  /** No functions module declared: `options.functions` is required. */
  | { readonly kind: "required" };

/** A registered function with the typed signature its uses demand. */
export interface RegisteredModel {
  readonly name: string;
  readonly uses: readonly FunctionUse[];
  readonly dataType: string;
  readonly ctxType: string;
  readonly returnType: string;
  /** Whether uses bind `params` (DSL/YAML `params`), passed as a third argument. */
  readonly params: "none" | "optional" | "required";
  /** What it is used for, e.g. "condition of `validate` → `normalize`". */
  readonly usage: readonly string[];
}

/** A state with its global index. */
export interface IndexedState {
  readonly network: Network;
  readonly networkIndex: number;
  readonly state: State;
  readonly index: number;
}

/** One machine, with everything its part of the module needs. */
export interface MachineModel {
  readonly machine: Machine;
  readonly pascal: string;
  readonly names: {
    readonly state: string;
    readonly terminal: string;
    readonly input: string;
    readonly functions: string;
    readonly options: string;
    readonly factory: string;
    readonly copyInput: string;
    readonly enterInput: string;
  };
  readonly states: readonly IndexedState[];
  readonly stateIndex: ReadonlyMap<string, number>;
  readonly networkIndex: ReadonlyMap<string, number>;
  /** The record type of the main start state, when it has one (input type, `copyInput`, `enterInput`). */
  readonly inputRecord?: RecordModel;
  readonly registered: readonly RegisteredModel[];
  readonly usedResources: readonly string[];
  /** Every declared resource with its handle type, provider import and whether the options must give it. */
  readonly resources: readonly ResourceModel[];
  readonly isSync: boolean;
  readonly functions: FunctionsBinding;
  /** Project path of the stubs file (undefined when there is nothing to stub or a package provides the functions). */
  readonly stubsPath?: string;
  /** The emitted data type of a state: its record type, else its network's start state's, else `Data`. */
  dataTypeOf(state: State): string;
  /** The `Ctx<…>` type of a function of `state` (on `arc` when given). */
  ctxTypeOf(state: State, arc?: Arc): string;
  /** The record model of a state's own record type (checked on entry). */
  ownRecordOf(state: State): RecordModel | undefined;
  /** A readable name for a global state index (`done`, or `scoring.done` when names repeat). */
  labelOf(index: number): string;
}

/** The machines of one source file, emitted into one module. */
export interface ModuleModel {
  readonly sourceFile: string;
  readonly path: string;
  readonly machines: readonly MachineModel[];
  readonly records: readonly RecordModel[];
  /** Provider classes of `custom` resources the module imports, sorted by specifier then export. */
  readonly providers: readonly ProviderImport[];
}

/** Compares machines by source file, then position: emission never depends on input order. */
export function compareMachines(a: Machine, b: Machine): number {
  return compareCodePoints(a.sourceFile, b.sourceFile) || a.span.start - b.span.start || compareCodePoints(a.name, b.name);
}

/** A structural key of a record ignoring spans (identical records of two machines are emitted once). */
export function recordKey(record: RecordType): string {
  return JSON.stringify(record.schema, (key, value: unknown) => (key === "span" || key === "nameSpan" ? undefined : value));
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Groups machines by source file, sorted; records deduplicated per module (first definition wins). */
export function buildModules(machines: readonly Machine[], report: AnalysisReport): ModuleModel[] {
  const sorted = [...machines].sort(compareMachines);
  const bySource = new Map<string, Machine[]>();
  for (const m of sorted) bySource.set(m.sourceFile, [...(bySource.get(m.sourceFile) ?? []), m]);
  const modules: ModuleModel[] = [];
  for (const [sourceFile, group] of bySource) {
    const path = modulePathOf(sourceFile);
    const records: RecordModel[] = [];
    const recordsByMachine = new Map<Machine, Map<string, RecordModel>>();
    for (const machine of group) {
      const own = new Map<string, RecordModel>();
      for (const record of machine.records) {
        const shared = records.find((r) => r.record.name === record.name && recordKey(r.record) === recordKey(record));
        const model = shared ?? {
          record,
          typeName: typeIdentifier(record.name),
          checkName: `check${capitalize(typeIdentifier(record.name))}`,
        };
        if (!shared) records.push(model);
        own.set(record.name, model);
      }
      recordsByMachine.set(machine, own);
    }
    const imports = providerImports(group, path);
    const models = group.map((machine) => buildMachine(machine, path, recordsByMachine.get(machine) ?? new Map(), report, imports));
    const providers = [...imports.values()].sort((a, b) => compareCodePoints(a.specifier, b.specifier) || compareCodePoints(a.exportName, b.exportName));
    modules.push({ sourceFile, path, machines: models, records, providers });
  }
  return modules;
}

function analysisOf(report: AnalysisReport, machine: Machine): MachineAnalysis | undefined {
  const found = report.machines.filter((m) => m.machine === machine.name);
  return found.length === 1 ? found[0] : undefined;
}

function computedIsSync(machine: Machine): boolean {
  for (const use of allFunctionUses(machine)) {
    if ((use.ref.kind === "RegisteredRef" || use.ref.kind === "InlineCode") && use.ref.isAsync) return false;
    if (use.ref.kind === "BuiltinRef" && isAsyncBuiltin(use.ref.name)) return false;
  }
  return true;
}

function computedUsedResources(machine: Machine): string[] {
  const names = new Set<string>();
  for (const { state } of allStates(machine)) {
    for (const r of state.resources) names.add(r.name);
    for (const arc of state.arcs) for (const r of arc.resources) names.add(r.name);
  }
  return [...names].sort(compareCodePoints);
}

const sortedUnique = (items: Iterable<string>): string[] => [...new Set(items)].sort(compareCodePoints);

/** Role → resource names of a scope computed without analysis: the state's own bindings (and the arc's). */
function ownScope(state: State, arc?: Arc): RoleScope {
  const scope: Record<string, readonly string[]> = {};
  for (const use of [...state.resources, ...(arc ? arc.resources : [])]) scope[use.role] = [use.name];
  return scope;
}

function buildMachine(
  machine: Machine,
  modulePath: string,
  records: ReadonlyMap<string, RecordModel>,
  report: AnalysisReport,
  providers: ReadonlyMap<string, ProviderImport>,
): MachineModel {
  const pascal = pascalCase(machine.name);
  const analysis = analysisOf(report, machine);
  const states: IndexedState[] = [];
  const stateIndex = new Map<string, number>();
  const networkIndex = new Map<string, number>();
  machine.networks.forEach((network, networkIdx) => {
    networkIndex.set(network.id, networkIdx);
    for (const state of network.states) {
      stateIndex.set(state.id, states.length);
      states.push({ network, networkIndex: networkIdx, state, index: states.length });
    }
  });
  const networkOf = new Map<string, Network>(states.map((s) => [s.state.id, s.network]));
  const nameCount = new Map<string, number>();
  for (const s of states) nameCount.set(s.state.name, (nameCount.get(s.state.name) ?? 0) + 1);

  const ownRecordOf = (state: State): RecordModel | undefined => (state.recordType ? records.get(state.recordType.name) : undefined);
  const startOf = (network: Network | undefined): State | undefined => network?.states.find((s) => s.isStart);
  const dataTypeOf = (state: State): string => {
    const own = ownRecordOf(state);
    if (own) return own.typeName;
    const start = startOf(networkOf.get(state.id));
    const inherited = start ? ownRecordOf(start) : undefined;
    return inherited ? inherited.typeName : "Data";
  };
  const usedResources = analysis ? [...analysis.usedResources] : computedUsedResources(machine);
  const resources = resourceModels(machine, pascal, usedResources, providers, modulePath);
  const handleOf = (name: string): string => resources.find((r) => r.decl.name === name)?.handleType ?? "unknown";
  const scopeOf = (state: State, arc?: Arc): RoleScope =>
    (arc ? analysis?.arcRoles?.[arc.id] : analysis?.stateRoles?.[state.id]) ?? ownScope(state, arc);
  // A machine without resources keeps the short `Ctx<"s">`; with resources, a slot that binds
  // none gets `{}`, so reading an unbound role is a type error.
  const resourcesTextOf = (state: State, arc?: Arc): string | undefined => {
    const text = resourcesTypeOf(scopeOf(state, arc), handleOf);
    return text === "{}" && machine.resources.length === 0 ? undefined : text;
  };
  const ctxText = (stateNames: readonly string[], resourcesText: string | undefined): string => {
    const s = sortedUnique(stateNames).map(quote).join(" | ");
    return resourcesText === undefined ? `Ctx<${s}>` : `Ctx<${s}, ${resourcesText}>`;
  };
  const ctxTypeOf = (state: State, arc?: Arc): string => ctxText([state.name], resourcesTextOf(state, arc));

  const mainStart = startOf(machine.networks.find((n) => n.id === machine.mainNetwork));
  const inputRecord = mainStart ? ownRecordOf(mainStart) : undefined;

  const uses = new Map<string, FunctionUse[]>();
  for (const use of allFunctionUses(machine)) {
    if (use.ref.kind === "RegisteredRef") uses.set(use.ref.name, [...(uses.get(use.ref.name) ?? []), use]);
  }
  const registered = [...uses.keys()].sort(compareCodePoints).map((name) => {
    const list = uses.get(name) ?? [];
    const groups = new Map<string, { resources: string | undefined; states: string[] }>();
    for (const u of list) {
      const resourcesText = resourcesTextOf(u.state, u.arc);
      const key = resourcesText ?? "";
      const g = groups.get(key) ?? { resources: resourcesText, states: [] };
      g.states.push(u.state.name);
      groups.set(key, g);
    }
    const withParams = list.filter((u) => (u.ref as RegisteredRef).params !== undefined).length;
    return {
      name,
      uses: list,
      dataType: sortedUnique(list.map((u) => dataTypeOf(u.state))).join(" | "),
      ctxType: sortedUnique([...groups.values()].map((g) => ctxText(g.states, g.resources))).join(" | "),
      returnType: returnTypeOf(list, dataTypeOf),
      params: withParams === 0 ? "none" : withParams === list.length ? "required" : "optional",
      usage: [...new Set(list.map(describeUse))],
    } satisfies RegisteredModel;
  });

  const written = machine.functionsModule?.path;
  const fnRef = written !== undefined && functionsPathProblem(written) === undefined ? resolveFunctionsModule(machine.sourceFile, written) : undefined;
  const functions: FunctionsBinding =
    registered.length === 0
      ? { kind: "none" }
      : fnRef === undefined
        ? { kind: "required" }
        : { kind: "module", specifier: fnRef.kind === "package" ? fnRef.specifier : importSpecifierOf(modulePath, fnRef.path) };
  const stubsPath =
    registered.length === 0 ? undefined : fnRef === undefined ? defaultFunctionsPathOf(machine.sourceFile) : fnRef.kind === "file" ? fnRef.path : undefined;

  return {
    machine,
    pascal,
    names: {
      state: `${pascal}State`,
      terminal: `${pascal}Terminal`,
      input: `${pascal}Input`,
      functions: `${pascal}Functions`,
      options: `${pascal}Options`,
      factory: `create${pascal}`,
      copyInput: `copy${pascal}Input`,
      enterInput: `enter${pascal}Input`,
    },
    states,
    stateIndex,
    networkIndex,
    ...(inputRecord ? { inputRecord } : {}),
    registered,
    usedResources,
    resources,
    isSync: analysis ? analysis.isSync : computedIsSync(machine),
    functions,
    ...(stubsPath !== undefined ? { stubsPath } : {}),
    dataTypeOf,
    ctxTypeOf,
    ownRecordOf,
    labelOf(index) {
      const s = states[index];
      if (!s) return "none";
      return (nameCount.get(s.state.name) ?? 0) > 1 ? `${s.network.name}.${s.state.name}` : s.state.name;
    },
  };
}

/** "condition of `validate` → `normalize`", "transform of `normalize`", … */
export function describeUse(use: FunctionUse): string {
  const state = `\`${use.state.name}\``;
  const arc = (a: Arc): string =>
    a.kind === "Arc" ? `${state} → \`${a.targetName}\`` : `${state} → \`${a.targetNetworkName}${a.entryStateName !== undefined ? `:${a.entryStateName}` : ""}\``;
  switch (use.slot) {
    case "preValidator":
      return `pre-validator of ${state}`;
    case "transform":
      return `transform of ${state}`;
    case "validator":
      return `validator of ${state}`;
    case "condition":
      return use.arc ? `condition of ${arc(use.arc)}` : `condition of ${state}`;
    case "arcTransform":
      return use.arc ? `transform of ${arc(use.arc)}` : `arc transform of ${state}`;
  }
}

const VERDICT = "readonly [boolean, string]";

/** Members of a slot's return type, in a fixed order. */
function returnMembers(slot: FunctionUse["slot"], dataType: string): string[] {
  switch (slot) {
    case "condition":
      return ["boolean", VERDICT];
    case "transform":
    case "arcTransform":
      return [...dataType.split(" | "), "null", "undefined", "void"];
    case "preValidator":
      return ["boolean", `Partial<${dataType}>`, "undefined", "void"];
    case "validator":
      return ["boolean", VERDICT, "undefined", "void"];
  }
}

function rank(member: string): number {
  if (member === "boolean") return 0;
  if (member === VERDICT) return 1;
  if (member.startsWith("Partial<")) return 3;
  if (member === "null") return 4;
  if (member === "undefined") return 4.5;
  if (member === "void") return 5;
  return 2;
}

function orderMembers(members: Iterable<string>): string[] {
  return [...new Set(members)].sort((a, b) => rank(a) - rank(b) || compareCodePoints(a, b));
}

/** The union of every use's return type; async uses add `Promise<…>` of theirs. */
function returnTypeOf(uses: readonly FunctionUse[], dataTypeOf: (state: State) => string): string {
  const sync: string[] = [];
  const async: string[] = [];
  for (const u of uses) {
    const members = returnMembers(u.slot, dataTypeOf(u.state));
    sync.push(...members);
    if ((u.ref as RegisteredRef).isAsync) async.push(...members);
  }
  const out = orderMembers(sync);
  if (async.length > 0) out.push(`Promise<${orderMembers(async).join(" | ")}>`);
  return out.join(" | ");
}
