/**
 * Push nesting: the runtime refuses a push when 10 subflows are open (SEMANTICS §2.7). A cycle in
 * the push graph (network A pushes B … pushes A) can reach that limit; so can an acyclic chain of
 * more than 10 pushes from the main network. Both are warnings: recursion bounded by the data
 * (a condition on the push) is legitimate, and the reference runs such machines (SEMANTICS C29).
 */
import type { Machine, PushArc } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { pushRecursion } from "../diagnostics/factories/structure.js";

/** How many subflows may be open at once (the runtime's limit). */
export const MAX_PUSH_DEPTH = 10;

/** A push edge of the network graph. */
interface PushEdge {
  readonly from: string;
  readonly to: string;
  readonly arc: PushArc;
}

/** Push cycles and over-deep push chains. */
export function checkPushDepth(machine: Machine): Diagnostic[] {
  const { order, edges } = pushGraph(machine);
  const components = stronglyConnected(order, edges);
  const out: Diagnostic[] = [];
  const cyclic = new Set<string>();
  for (const component of components) {
    const members = new Set(component);
    const inner = edges.filter((e) => members.has(e.from) && members.has(e.to));
    if (inner.length === 0) continue;
    for (const n of component) cyclic.add(n);
    const cycle = findCycle(inner);
    out.push(
      pushRecursion(
        [...cycle.map((e) => e.from), cycle[0]?.from ?? ""],
        cycle.map((e) => e.arc.targetSpan),
        MAX_PUSH_DEPTH,
        true,
        inner.every((e) => e.arc.condition === undefined),
      ),
    );
  }
  const chain = longestChain(machine.mainNetwork, edges, cyclic);
  if (chain.length > MAX_PUSH_DEPTH) {
    out.push(pushRecursion([machine.mainNetwork, ...chain.map((e) => e.to)], chain.map((e) => e.arc.targetSpan), MAX_PUSH_DEPTH, false, false));
  }
  return out;
}

/** Networks in source order (first of a repeated name) and push edges between known networks. */
function pushGraph(machine: Machine): { order: string[]; edges: PushEdge[] } {
  const order = [...new Set(machine.networks.map((n) => n.name))];
  const known = new Set(order);
  const edges: PushEdge[] = [];
  for (const network of machine.networks) {
    for (const state of network.states) {
      for (const arc of state.arcs) {
        if (arc.kind === "PushArc" && known.has(arc.targetNetworkName)) edges.push({ from: network.name, to: arc.targetNetworkName, arc });
      }
    }
  }
  return { order, edges };
}

/** Tarjan's algorithm; components come out in a deterministic order (source order of their first member). */
function stronglyConnected(order: readonly string[], edges: readonly PushEdge[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const e of edges) {
      if (e.from !== v) continue;
      if (!index.has(e.to)) {
        visit(e.to);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(e.to) ?? 0));
      } else if (onStack.has(e.to)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(e.to) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (const v of order) if (!index.has(v)) visit(v);
  const position = new Map(order.map((n, i) => [n, i]));
  return components
    .map((c) => c.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0)))
    .sort((a, b) => (position.get(a[0] ?? "") ?? 0) - (position.get(b[0] ?? "") ?? 0));
}

/** One cycle through the first inner edge (in source order) of a strongly connected component. */
function findCycle(inner: readonly PushEdge[]): PushEdge[] {
  const first = inner[0];
  if (first === undefined) return [];
  // Breadth-first from the first edge's target back to its source gives the shortest cycle through it.
  const start = first.to;
  const goal = first.from;
  const via = new Map<string, PushEdge>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length > 0 && !(goal === start || via.has(goal))) {
    const v = queue.shift();
    if (v === undefined) break;
    for (const e of inner) {
      if (e.from !== v || seen.has(e.to)) continue;
      seen.add(e.to);
      via.set(e.to, e);
      queue.push(e.to);
    }
  }
  const path: PushEdge[] = [];
  for (let v = goal; v !== start; ) {
    const e = via.get(v);
    if (e === undefined) break;
    path.unshift(e);
    v = e.from;
  }
  return [first, ...path];
}

/** The longest chain of pushes from `root` that avoids cyclic networks (those are reported as cycles). */
function longestChain(root: string, edges: readonly PushEdge[], cyclic: ReadonlySet<string>): PushEdge[] {
  const memo = new Map<string, PushEdge[]>();
  const from = (v: string): PushEdge[] => {
    const cached = memo.get(v);
    if (cached) return cached;
    let best: PushEdge[] = [];
    for (const e of edges) {
      if (e.from !== v || cyclic.has(e.to)) continue;
      const rest = from(e.to);
      if (rest.length + 1 > best.length) best = [e, ...rest];
    }
    memo.set(v, best);
    return best;
  };
  return cyclic.has(root) ? [] : from(root);
}
