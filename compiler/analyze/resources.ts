/**
 * Resource analysis: which resources each state and arc holds, counting what a state inherits
 * from the states that push into its network (SEMANTICS §2.7: the pushing state's resources stay
 * held through the subflow), and which declared resources nothing uses.
 */
import type { Machine, NetworkId, StateId } from "../ir/index.js";
import { compareCodePoints } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { unusedNetworkResource, unusedResource } from "../diagnostics/factories/analysis.js";
import type { CompleteSymbols } from "../check/symbols.js";

/** Held resources per state and per arc, and the largest number held at once. */
export interface ResourceTables {
  readonly heldResources: Record<string, readonly string[]>;
  readonly arcResources: Record<string, readonly string[]>;
  readonly usedResources: readonly string[];
  readonly maxHeldResources: number;
}

/**
 * Held sets as a fixpoint: held(s) = own(s) ∪ inherited(network of s), where inherited(n) is the
 * union of held(p) over every non-final state p with a push into n. Unions only grow, so the loop ends.
 */
export function resourceTables(machine: Machine, symbols: CompleteSymbols): ResourceTables {
  const own = new Map<StateId, Set<string>>();
  const networkOf = new Map<StateId, NetworkId>();
  for (const network of machine.networks) {
    for (const state of network.states) {
      if (own.has(state.id)) continue;
      own.set(state.id, new Set(state.resources.map((r) => r.name)));
      networkOf.set(state.id, network.id);
    }
  }
  const pushes = Object.values(symbols.arcs).filter((a) => a.kind === "PushArc" && !symbols.finalStates[networkOf.get(a.source) ?? ""]?.includes(a.source));
  const held = new Map<StateId, Set<string>>([...own].map(([id, set]) => [id, new Set(set)]));
  const inherited = new Map<NetworkId, Set<string>>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const push of pushes) {
      const into = inherited.get(push.targetNetwork) ?? new Set<string>();
      inherited.set(push.targetNetwork, into);
      for (const name of held.get(push.source) ?? []) {
        if (!into.has(name)) {
          into.add(name);
          changed = true;
        }
      }
    }
    for (const [id, set] of held) {
      for (const name of inherited.get(networkOf.get(id) ?? ("" as NetworkId)) ?? []) {
        if (!set.has(name)) {
          set.add(name);
          changed = true;
        }
      }
    }
  }

  const heldResources: Record<string, readonly string[]> = {};
  let maxHeldResources = 0;
  for (const [id, set] of held) {
    heldResources[id] = [...set].sort(compareCodePoints);
    maxHeldResources = Math.max(maxHeldResources, set.size);
  }
  const arcResources: Record<string, readonly string[]> = {};
  const used = new Set<string>();
  for (const network of machine.networks) {
    for (const state of network.states) {
      for (const r of state.resources) used.add(r.name);
      for (const arc of state.arcs) {
        const set = new Set([...(held.get(state.id) ?? []), ...arc.resources.map((r) => r.name)]);
        for (const r of arc.resources) used.add(r.name);
        arcResources[arc.id] = [...set].sort(compareCodePoints);
        maxHeldResources = Math.max(maxHeldResources, set.size);
      }
    }
  }
  return { heldResources, arcResources, usedResources: [...used].sort(compareCodePoints), maxHeldResources };
}

/** Declared resources no state or arc uses, and network lists naming resources their network never uses. */
export function resourceDiagnostics(machine: Machine, usedResources: readonly string[]): Diagnostic[] {
  const used = new Set(usedResources);
  const declared = new Set(machine.resources.map((r) => r.name));
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const resource of machine.resources) {
    if (used.has(resource.name) || reported.has(resource.name)) continue;
    reported.add(resource.name);
    const lists = machine.networks.flatMap((n) => n.resources.filter((u) => u.name === resource.name).map((u) => ({ network: n.name, span: u.span })));
    out.push(unusedResource(resource.name, resource.nameSpan, lists));
  }
  for (const network of machine.networks) {
    const own = new Set<string>();
    for (const state of network.states) {
      for (const r of state.resources) own.add(r.name);
      for (const arc of state.arcs) for (const r of arc.resources) own.add(r.name);
    }
    for (const use of network.resources) {
      // Unused everywhere (reported above) or undeclared (reported by check): one cause, one warning.
      if (!used.has(use.name) || !declared.has(use.name) || own.has(use.name)) continue;
      out.push(unusedNetworkResource(use.name, network.name, use.span));
    }
  }
  return out;
}
