/**
 * Start states: every network needs exactly one, except a sub-network that every push enters at
 * an explicit state (`net:state`), which may have none; a push without an entry state into a
 * network without a start state is an error at the push.
 */
import type { Machine, PushArc } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { noStartState, pushWithoutStart, severalStartStates } from "../diagnostics/factories/structure.js";

/** Missing and repeated start states, and default pushes into networks without one. */
export function checkStartStates(machine: Machine): Diagnostic[] {
  const pushes = pushesByNetwork(machine);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const network of machine.networks) {
    // A repeated network name is reported as a duplicate; checking its copy again would repeat causes.
    if (seen.has(network.name)) continue;
    seen.add(network.name);
    const starts = network.states.filter((s) => s.isStart);
    if (starts.length > 1) {
      out.push(severalStartStates(network.name, starts.map((s) => ({ name: s.name, span: s.nameSpan }))));
      continue;
    }
    if (starts.length === 1) continue;
    const into = pushes.get(network.name) ?? [];
    const byDefault = into.filter((p) => p.entryState === undefined).map((p) => p.targetSpan);
    const isMain = network.name === machine.mainNetwork;
    if (isMain || into.every((p) => p.entryState === undefined)) {
      out.push(noStartState(network.name, network.nameSpan, isMain, byDefault));
    } else {
      for (const span of byDefault) out.push(pushWithoutStart(network.name, span, network.nameSpan));
    }
  }
  return out;
}

function pushesByNetwork(machine: Machine): Map<string, PushArc[]> {
  const out = new Map<string, PushArc[]>();
  for (const network of machine.networks) {
    for (const state of network.states) {
      for (const arc of state.arcs) {
        if (arc.kind !== "PushArc") continue;
        const list = out.get(arc.targetNetworkName);
        if (list) list.push(arc);
        else out.set(arc.targetNetworkName, [arc]);
      }
    }
  }
  return out;
}
