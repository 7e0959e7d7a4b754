/**
 * Reachability from the main network's start state. Followed: arcs of non-final states (a run
 * ends on entering a final state, so final states' arcs never fire), pushes into their entry
 * state, return states once the pushed network can reach a final state, and `on error` routes
 * (of final states too: their entry procedure can fail).
 */
import type { Machine, NetworkId, State, StateId } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { noReachableFinal, unreachableNetwork, unreachableState } from "../diagnostics/factories/analysis.js";
import type { CompleteSymbols } from "../check/symbols.js";

/** A state with its network. */
export interface IndexedState {
  readonly state: State;
  readonly network: NetworkId;
}

/** Every state by id (first definition of a repeated id wins, as in the symbol table). */
export function indexStates(machine: Machine): Map<StateId, IndexedState> {
  const index = new Map<StateId, IndexedState>();
  for (const network of machine.networks) {
    for (const state of network.states) if (!index.has(state.id)) index.set(state.id, { state, network: network.id });
  }
  return index;
}

/** The set of reachable states, in discovery order. */
export function reachableStates(machine: Machine, symbols: CompleteSymbols, index: ReadonlyMap<StateId, IndexedState>): Set<StateId> {
  const reached = new Set<StateId>();
  const start = symbols.startStates[machine.mainNetwork];
  if (start === undefined) return reached;
  const finalReached = new Set<NetworkId>();
  const returnsInto = new Map<NetworkId, StateId[]>();
  const queue: StateId[] = [];
  const reach = (id: StateId): void => {
    if (reached.has(id) || !index.has(id)) return;
    reached.add(id);
    queue.push(id);
  };
  reach(start);
  while (queue.length > 0) {
    const id = queue.shift();
    const entry = id === undefined ? undefined : index.get(id);
    if (entry === undefined) continue;
    const { state, network } = entry;
    if (state.onError && symbols.states[state.onError.target] === network) reach(state.onError.target);
    if (state.isFinal) {
      if (!finalReached.has(network)) {
        finalReached.add(network);
        for (const r of returnsInto.get(network) ?? []) reach(r);
      }
      continue;
    }
    for (const arc of state.arcs) {
      const resolved = symbols.arcs[arc.id];
      if (resolved === undefined) continue;
      reach(resolved.target);
      if (resolved.returnState === undefined) continue;
      const waiting = returnsInto.get(resolved.targetNetwork);
      if (waiting) waiting.push(resolved.returnState);
      else returnsInto.set(resolved.targetNetwork, [resolved.returnState]);
      if (finalReached.has(resolved.targetNetwork)) reach(resolved.returnState);
    }
  }
  return reached;
}

/** Warnings for unreachable states (grouped per network when none of its states is reachable). */
export function reachabilityDiagnostics(machine: Machine, symbols: CompleteSymbols, reached: ReadonlySet<StateId>): Diagnostic[] {
  const start = symbols.startStates[machine.mainNetwork];
  // Without a main start state nothing is reachable; check has reported the cause.
  if (start === undefined) return [];
  const out: Diagnostic[] = [];
  const targeted = new Set<string>();
  for (const network of machine.networks) {
    for (const state of network.states) for (const arc of state.arcs) if (arc.kind === "PushArc") targeted.add(arc.targetNetworkName);
  }
  const startName = start.slice(machine.mainNetwork.length + 1);
  const seen = new Set<string>();
  for (const network of machine.networks) {
    if (seen.has(network.name)) continue;
    seen.add(network.name);
    const states = network.states.filter((s, i, all) => all.findIndex((t) => t.id === s.id) === i);
    if (!states.some((s) => reached.has(s.id))) {
      out.push(unreachableNetwork(network.name, network.nameSpan, targeted.has(network.name)));
      continue;
    }
    for (const state of states) {
      if (!reached.has(state.id)) out.push(unreachableState(state.name, network.name, state.nameSpan, startName));
    }
  }
  const anyFinal = [...reached].some((id) => symbols.states[id] !== undefined && isFinal(symbols, id));
  if (!anyFinal) {
    const startState = machine.networks.flatMap((n) => n.states).find((s) => s.id === start);
    if (startState) out.push(noReachableFinal(startState.name, startState.nameSpan));
  }
  return out;
}

function isFinal(symbols: CompleteSymbols, id: StateId): boolean {
  const network = symbols.states[id];
  return network !== undefined && (symbols.finalStates[network] ?? []).includes(id);
}

/** Final states where a run from the main start state can end (see `MachineAnalysis.terminals`). */
export function terminalStates(machine: Machine, symbols: CompleteSymbols): StateId[] {
  const ending = new Set<string>([machine.mainNetwork]);
  for (const resolved of Object.values(symbols.arcs)) {
    if (resolved.kind === "PushArc" && resolved.returnState === undefined && !isFinal(symbols, resolved.source)) ending.add(resolved.targetNetwork);
  }
  const out: StateId[] = [];
  for (const network of machine.networks) {
    if (!ending.has(network.id)) continue;
    for (const id of symbols.finalStates[network.id] ?? []) if (!out.includes(id)) out.push(id);
  }
  return out;
}
