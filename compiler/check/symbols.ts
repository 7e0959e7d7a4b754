/** Builds a machine's symbol table from its IR: names to ids, start states, resolved arcs. */
import type { Arc, Machine, NetworkId, State, StateId } from "../ir/index.js";
import { allFunctionUses, compareCodePoints } from "../ir/index.js";
import { builtinSpec } from "./builtin-catalogue.js";
import type { MachineSymbols, ResolvedArc, SymbolTable } from "./types.js";

/** A machine's symbols with every field filled, as `check` builds them. */
export type CompleteSymbols = Required<MachineSymbols>;

/** The symbol table of one machine; on duplicate names the first definition wins. */
export function buildSymbols(machine: Machine): CompleteSymbols {
  const networks: Record<string, NetworkId> = {};
  const states: Record<string, NetworkId> = {};
  const startStates: Record<string, StateId> = {};
  const networkStates: Record<string, StateId[]> = {};
  const finalStates: Record<string, StateId[]> = {};
  for (const network of machine.networks) {
    if (!(network.name in networks)) networks[network.name] = network.id;
    const ids = (networkStates[network.id] ??= []);
    const finals = (finalStates[network.id] ??= []);
    for (const state of network.states) {
      if (state.id in states) continue;
      states[state.id] = network.id;
      ids.push(state.id);
      if (state.isFinal) finals.push(state.id);
      if (state.isStart && !(network.id in startStates)) startStates[network.id] = state.id;
    }
  }

  const registered = new Map<string, boolean>();
  const builtins = new Set<string>();
  for (const use of allFunctionUses(machine)) {
    if (use.ref.kind === "RegisteredRef") registered.set(use.ref.name, (registered.get(use.ref.name) ?? false) || use.ref.isAsync);
    else if (use.ref.kind === "BuiltinRef" && builtinSpec(use.ref.name)) builtins.add(use.ref.name);
  }

  const arcs: Record<string, ResolvedArc> = {};
  const arcOrder: Record<string, string[]> = {};
  const shadowedArcs: string[] = [];
  for (const network of machine.networks) {
    for (const state of network.states) {
      if (state.arcs.length === 0 || arcOrder[state.id]) continue;
      for (const arc of state.arcs) {
        const resolved = resolveArc(arc, state, network.id, { networks, states, startStates });
        if (resolved) arcs[arc.id] = resolved;
      }
      const ordered = evaluationOrder(state.arcs);
      arcOrder[state.id] = ordered.map((a) => a.id);
      if (machine.settings.strategy === "depth_first" && !state.isFinal) {
        for (const { arc } of shadowedBy(ordered)) shadowedArcs.push(arc.id);
      }
    }
  }

  return {
    machine: machine.name,
    sourceFile: machine.sourceFile,
    networks,
    states,
    startStates,
    registeredFunctions: [...registered]
      .map(([name, isAsync]) => ({ name, isAsync }))
      .sort((a, b) => compareCodePoints(a.name, b.name)),
    recordTypes: uniqueSorted(machine.records.map((r) => r.name)),
    networkStates,
    finalStates,
    resources: uniqueSorted(machine.resources.map((r) => r.name)),
    builtins: [...builtins].sort(compareCodePoints),
    arcs,
    arcOrder,
    shadowedArcs: shadowedArcs.sort(compareCodePoints),
  };
}

interface NameTables {
  readonly networks: Readonly<Record<string, NetworkId>>;
  readonly states: Readonly<Record<string, NetworkId>>;
  readonly startStates: Readonly<Record<string, StateId>>;
}

function resolveArc(arc: Arc, state: State, network: NetworkId, names: NameTables): ResolvedArc | undefined {
  if (arc.kind === "Arc") {
    if (names.states[arc.target] !== network) return undefined;
    return { kind: "Arc", source: state.id, target: arc.target, targetNetwork: network, explicitEntry: false };
  }
  const target = names.networks[arc.targetNetworkName];
  if (target === undefined) return undefined;
  const entry = arc.entryState !== undefined ? arc.entryState : names.startStates[target];
  if (entry === undefined || names.states[entry] !== target) return undefined;
  const returnState = arc.returnState !== undefined && names.states[arc.returnState] === network ? arc.returnState : undefined;
  return {
    kind: "PushArc",
    source: state.id,
    target: entry,
    targetNetwork: target,
    explicitEntry: arc.entryState !== undefined,
    ...(returnState !== undefined ? { returnState } : {}),
  };
}

/** Arcs in the engine's evaluation order: priority descending, then declaration order (stable). */
export function evaluationOrder(arcs: readonly Arc[]): Arc[] {
  return arcs
    .map((arc, index) => ({ arc, index }))
    .sort((a, b) => b.arc.priority - a.arc.priority || a.index - b.index)
    .map((x) => x.arc);
}

/**
 * Arcs that can never be taken under depth-first selection: every arc after the first
 * unconditional one in evaluation order, paired with that unconditional arc.
 */
export function shadowedBy(ordered: readonly Arc[]): { arc: Arc; by: Arc }[] {
  const blocker = ordered.find((a) => a.condition === undefined);
  if (blocker === undefined) return [];
  return ordered.slice(ordered.indexOf(blocker) + 1).map((arc) => ({ arc, by: blocker }));
}

/** The complete symbols of `machine`: those in `table` when they are complete, else freshly built. */
export function completeSymbols(table: SymbolTable, machine: Machine): CompleteSymbols {
  const found =
    table.machines.find((m) => m.machine === machine.name && m.sourceFile === machine.sourceFile) ??
    table.machines.find((m) => m.machine === machine.name);
  if (found && isComplete(found)) return found;
  return buildSymbols(machine);
}

function isComplete(symbols: MachineSymbols): symbols is CompleteSymbols {
  return (
    symbols.sourceFile !== undefined &&
    symbols.networkStates !== undefined &&
    symbols.finalStates !== undefined &&
    symbols.resources !== undefined &&
    symbols.builtins !== undefined &&
    symbols.arcs !== undefined &&
    symbols.arcOrder !== undefined &&
    symbols.shadowedArcs !== undefined
  );
}

function uniqueSorted(names: readonly string[]): string[] {
  return [...new Set(names)].sort(compareCodePoints);
}
