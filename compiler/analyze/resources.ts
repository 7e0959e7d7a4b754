/**
 * Resource analysis: which resources each state and arc holds, counting what a state inherits
 * from the states that push into its network (SEMANTICS §2.7: the pushing state's resources stay
 * held through the subflow); which roles each one's functions see; what each acquires and
 * releases; and which declared resources nothing uses.
 */
import type { Machine, NetworkId, ResourceUse, StateId } from "../ir/index.js";
import { compareCodePoints } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { unusedNetworkResource, unusedResource } from "../diagnostics/factories/analysis.js";
import type { CompleteSymbols } from "../check/symbols.js";

/** Role → resource names visible in a scope (several names when pushes from different states bind a role differently). */
export type RoleScope = Readonly<Record<string, readonly string[]>>;

/** What a state acquires and releases (docs/resources.md, Lifetimes). */
export interface StateLifetime {
  /** Acquired when a record enters the state: its own resources minus those it inherits. */
  readonly acquired: readonly string[];
  /** Released when the record leaves the state (by an arc, a pop, a terminal, a failure). */
  readonly released: readonly string[];
  /** Held on the state's behalf by the states that pushed into its network. */
  readonly inherited: readonly string[];
}

/** What an arc acquires: its own resources, once for its condition and once for its transform chain. */
export interface ArcLifetime {
  readonly condition: readonly string[];
  readonly transform: readonly string[];
}

/** Held resources per state and per arc, the largest number held at once, role scopes and lifetimes. */
export interface ResourceTables {
  readonly heldResources: Record<string, readonly string[]>;
  readonly arcResources: Record<string, readonly string[]>;
  readonly usedResources: readonly string[];
  readonly maxHeldResources: number;
  readonly stateRoles: Record<string, RoleScope>;
  readonly arcRoles: Record<string, RoleScope>;
  readonly stateLifetimes: Record<string, StateLifetime>;
  readonly arcLifetimes: Record<string, ArcLifetime>;
}

type MutableScope = Map<string, Set<string>>;

/** Adds every binding of `from` to `into`; true when something was new. */
function mergeScope(into: MutableScope, from: MutableScope): boolean {
  let changed = false;
  for (const [role, names] of from) {
    const set = into.get(role) ?? new Set<string>();
    into.set(role, set);
    for (const name of names) {
      if (!set.has(name)) {
        set.add(name);
        changed = true;
      }
    }
  }
  return changed;
}

/** `inherited` overlaid with `own` bindings: a role the state (or arc) binds itself names only its own resource. */
function overlay(inherited: MutableScope | undefined, own: readonly ResourceUse[]): MutableScope {
  const out: MutableScope = new Map([...(inherited ?? new Map<string, Set<string>>())].map(([role, names]) => [role, new Set(names)]));
  for (const use of own) out.set(use.role, new Set([use.name]));
  return out;
}

function frozenScope(scope: MutableScope): RoleScope {
  const out: Record<string, readonly string[]> = {};
  for (const role of [...scope.keys()].sort(compareCodePoints)) out[role] = [...(scope.get(role) ?? [])].sort(compareCodePoints);
  return out;
}

const sortedNames = (names: Iterable<string>): string[] => [...new Set(names)].sort(compareCodePoints);

/**
 * Held sets as a fixpoint: held(s) = own(s) ∪ inherited(network of s), where inherited(n) is the
 * union of held(p) over every non-final state p with a push into n. Unions only grow, so the loop
 * ends. Role scopes follow the same inheritance (the runtime merges a pushing state's scope under
 * the sub-network's states), a state's or arc's own role binding winning over an inherited one.
 */
export function resourceTables(machine: Machine, symbols: CompleteSymbols): ResourceTables {
  const own = new Map<StateId, Set<string>>();
  const ownUses = new Map<StateId, readonly ResourceUse[]>();
  const networkOf = new Map<StateId, NetworkId>();
  for (const network of machine.networks) {
    for (const state of network.states) {
      if (own.has(state.id)) continue;
      own.set(state.id, new Set(state.resources.map((r) => r.name)));
      ownUses.set(state.id, state.resources);
      networkOf.set(state.id, network.id);
    }
  }
  const pushes = Object.values(symbols.arcs).filter((a) => a.kind === "PushArc" && !symbols.finalStates[networkOf.get(a.source) ?? ""]?.includes(a.source));
  const held = new Map<StateId, Set<string>>([...own].map(([id, set]) => [id, new Set(set)]));
  const inherited = new Map<NetworkId, Set<string>>();
  const inheritedRoles = new Map<NetworkId, MutableScope>();
  const scopeOf = (id: StateId): MutableScope => overlay(inheritedRoles.get(networkOf.get(id) ?? ("" as NetworkId)), ownUses.get(id) ?? []);
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
      const roles = inheritedRoles.get(push.targetNetwork) ?? new Map<string, Set<string>>();
      inheritedRoles.set(push.targetNetwork, roles);
      if (mergeScope(roles, scopeOf(push.source))) changed = true;
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
  const stateRoles: Record<string, RoleScope> = {};
  const stateLifetimes: Record<string, StateLifetime> = {};
  let maxHeldResources = 0;
  for (const [id, set] of held) {
    heldResources[id] = [...set].sort(compareCodePoints);
    maxHeldResources = Math.max(maxHeldResources, set.size);
    stateRoles[id] = frozenScope(scopeOf(id));
    const fromAbove = inherited.get(networkOf.get(id) ?? ("" as NetworkId)) ?? new Set<string>();
    const acquired = sortedNames([...(own.get(id) ?? [])].filter((n) => !fromAbove.has(n)));
    stateLifetimes[id] = { acquired, released: acquired, inherited: sortedNames(fromAbove) };
  }
  const arcResources: Record<string, readonly string[]> = {};
  const arcRoles: Record<string, RoleScope> = {};
  const arcLifetimes: Record<string, ArcLifetime> = {};
  const used = new Set<string>();
  for (const network of machine.networks) {
    for (const state of network.states) {
      for (const r of state.resources) used.add(r.name);
      for (const arc of state.arcs) {
        const set = new Set([...(held.get(state.id) ?? []), ...arc.resources.map((r) => r.name)]);
        for (const r of arc.resources) used.add(r.name);
        arcResources[arc.id] = [...set].sort(compareCodePoints);
        maxHeldResources = Math.max(maxHeldResources, set.size);
        arcRoles[arc.id] = frozenScope(overlay(scopeOf(state.id), arc.resources));
        const names = sortedNames(arc.resources.map((r) => r.name));
        arcLifetimes[arc.id] = { condition: arc.condition !== undefined ? names : [], transform: arc.transforms.length > 0 ? names : [] };
      }
    }
  }
  return {
    heldResources,
    arcResources,
    usedResources: [...used].sort(compareCodePoints),
    maxHeldResources,
    stateRoles,
    arcRoles,
    stateLifetimes,
    arcLifetimes,
  };
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
