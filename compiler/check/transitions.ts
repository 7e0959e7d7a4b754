/** Transitions: dead ends, arcs of final states, arcs shadowed by an earlier unconditional arc, output settings. */
import type { Arc, Machine } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { arcsOnFinalState, deadEndState, emitOnNonFinal, unreachableArc } from "../diagnostics/factories/structure.js";
import { evaluationOrder, shadowedBy } from "./symbols.js";

/** Per-state transition problems. */
export function checkTransitions(machine: Machine): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const network of machine.networks) {
    for (const state of network.states) {
      // A repeated state is reported as a duplicate; its copy's structure would only add noise.
      if (seen.has(state.id)) continue;
      seen.add(state.id);
      if (state.isFinal) {
        if (state.arcs.length > 0) out.push(arcsOnFinalState(state.name, state.nameSpan, state.arcs.map((a) => a.span)));
        continue;
      }
      if (!state.emitOutput) out.push(emitOnNonFinal(state.name, state.nameSpan));
      if (state.arcs.length === 0 && state.onError === undefined) out.push(deadEndState(state.name, state.nameSpan));
      // Other strategies may pick a later available arc (breadth-first skips visited targets,
      // resource-optimized prefers fewer resources), so only depth-first makes shadowing certain.
      if (machine.settings.strategy !== "depth_first") continue;
      for (const { arc, by } of shadowedBy(evaluationOrder(state.arcs))) {
        out.push(unreachableArc(describeArc(arc), arc.span, describeArc(by), by.span));
      }
    }
  }
  return out;
}

/** How messages name an arc: by its name, else by where it leads. */
export function describeArc(arc: Arc): string {
  if (arc.name !== undefined) return `arc \`${arc.name}\``;
  if (arc.kind === "Arc") return `the arc to \`${arc.targetName}\``;
  const entry = arc.entryStateName !== undefined ? `${arc.targetNetworkName}:${arc.entryStateName}` : arc.targetNetworkName;
  return `the push to \`${entry}\``;
}
