/** Unknown references: arc targets, push networks and entry states, return states, error targets, main network, resources. */
import type { Machine, Network, ResourceUse } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import {
  unknownEntryState,
  unknownErrorTarget,
  unknownMainNetwork,
  unknownNetwork,
  unknownResource,
  unknownReturnState,
  unknownTarget,
} from "../diagnostics/factories/names.js";
import type { CompleteSymbols } from "./symbols.js";

/** Every reference by name that names nothing. */
export function checkReferences(machine: Machine, symbols: CompleteSymbols): Diagnostic[] {
  const out: Diagnostic[] = [];
  const networkNames = machine.networks.map((n) => n.name);
  if (!(machine.mainNetwork in symbols.networks)) {
    out.push(unknownMainNetwork(machine.mainNetwork, machine.mainNetworkSpan, networkNames));
  }
  const resourceNames = machine.resources.map((r) => r.name);
  const declared = new Set(resourceNames);
  const checkUses = (uses: readonly ResourceUse[]): void => {
    for (const use of uses) if (!declared.has(use.name)) out.push(unknownResource(use.name, use.span, resourceNames));
  };

  for (const network of machine.networks) {
    checkUses(network.resources);
    const own = stateNames(network);
    const isOwn = (id: string): boolean => symbols.states[id] === network.id;
    for (const state of network.states) {
      checkUses(state.resources);
      if (state.onError && !isOwn(state.onError.target)) {
        out.push(unknownErrorTarget(state.onError.targetName, state.onError.span, network.name, own));
      }
      for (const arc of state.arcs) {
        checkUses(arc.resources);
        if (arc.kind === "Arc") {
          if (!isOwn(arc.target)) out.push(unknownTarget(arc.targetName, arc.targetSpan, network.name, own));
          continue;
        }
        const target = symbols.networks[arc.targetNetworkName];
        if (target === undefined) {
          out.push(unknownNetwork(arc.targetNetworkName, arc.targetSpan, networkNames));
        } else if (arc.entryState !== undefined && symbols.states[arc.entryState] !== target) {
          const targetNetwork = machine.networks.find((n) => n.id === target);
          const candidates = targetNetwork ? stateNames(targetNetwork) : [];
          out.push(unknownEntryState(arc.targetNetworkName, arc.entryStateName ?? arc.entryState, arc.targetSpan, candidates));
        }
        if (arc.returnState !== undefined && !isOwn(arc.returnState)) {
          out.push(unknownReturnState(arc.returnStateName ?? arc.returnState, arc.returnSpan ?? arc.span, network.name, own));
        }
      }
    }
  }
  return out;
}

function stateNames(network: Network): string[] {
  return network.states.map((s) => s.name);
}
