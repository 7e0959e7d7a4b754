/**
 * The trace of a run — the states it entered and the arcs it took, in order — kept as a path in
 * a per-machine trie. An event is a state index (a state entered by the start, a return or an
 * `on error` route), `-1 - arcId` (an arc taken and its target entered: one event per ordinary
 * transition), or `-1 - arcCount - arcId` (an arc used whose target was never entered). A trie
 * instead of per-run arrays: records of one machine follow few distinct routes, so a run mostly
 * walks existing nodes (no allocation), and a route gets its `path` array and its
 * `arc_<src>_<tgt>_usage` counters built once, frozen, and shared by every result that follows
 * it (results are read-only; building them per record cost allocations on every run). A
 * machine whose runs take too many distinct routes stops growing the trie: further runs record
 * their events in an array.
 */
import type { PreparedArc, PreparedMachine } from "./prepare.js";

/** A trie node: the route that leads to it is the events on the way from the root. */
export class TraceNode {
  readonly parent: TraceNode | null;
  /** An event (see above); unused at the root. */
  readonly event: number;
  readonly depth: number;
  readonly keys: number[] = [];
  readonly kids: TraceNode[] = [];
  /** The last child found or made, checked first (runs of one machine mostly repeat a route). */
  lastKey = 0;
  lastKid: TraceNode | null = null;
  /**
   * Children by the position of the arc taken among the current state's arcs, filled by the
   * compiled lane (`TraceTrie.slot`): one array read per transition, and no write once a route
   * is known, however the records alternate between routes.
   */
  slots: (TraceNode | undefined)[] | null = null;
  /** The route's `path` and usage counters, frozen and shared by every run ending here. */
  path: readonly string[] | null = null;
  usage: Readonly<Record<string, unknown>> | null = null;

  constructor(parent: TraceNode | null, event: number) {
    this.parent = parent;
    this.event = event;
    this.depth = parent === null ? 0 : parent.depth + 1;
  }
}

/** Nodes one machine may hold (bounds memory when runs loop a varying number of times). */
const MAX_NODES = 20_000;
/** Path entries one machine may keep prebuilt (bounds memory when routes are long). */
const MAX_PREBUILT_ENTRIES = 1_000_000;

/** The per-machine trie of run routes. */
export class TraceTrie {
  readonly root = new TraceNode(null, 0);
  #nodes = 1;
  #prebuiltEntries = 0;
  readonly #m: PreparedMachine;

  constructor(machine: PreparedMachine) {
    this.#m = machine;
  }

  /** The child of `node` for `event`, created when new; null when the trie is full. */
  child(node: TraceNode, event: number): TraceNode | null {
    if (node.lastKey === event && node.lastKid !== null) return node.lastKid;
    const keys = node.keys;
    for (let n = 0; n < keys.length; n++) {
      if (keys[n] === event) {
        const kid = node.kids[n] as TraceNode;
        node.lastKey = event;
        node.lastKid = kid;
        return kid;
      }
    }
    if (this.#nodes >= MAX_NODES) return null;
    this.#nodes++;
    const kid = new TraceNode(node, event);
    keys.push(event);
    node.kids.push(kid);
    node.lastKey = event;
    node.lastKid = kid;
    return kid;
  }

  /**
   * `child` for the compiled lane: the child for `event`, the arc at `position` among the
   * current state's arcs, remembered in the node's slots. Null when the trie is full.
   */
  slot(node: TraceNode, position: number, event: number): TraceNode | null {
    const kid = this.child(node, event);
    if (kid !== null) (node.slots ??= [])[position] = kid;
    return kid;
  }

  /**
   * The path (state names) of a route, `node`'s events then `tail`'s, frozen. A route's first
   * run builds it for the node, and every later run ending there shares it.
   */
  path(node: TraceNode, tail: readonly number[] | null): readonly string[] {
    if (tail === null) {
      if (node.path === null) this.#prebuild(node);
      if (node.path !== null) return node.path;
    }
    return Object.freeze(pathOf(this.#m, events(node, tail)));
  }

  /** The usage counters of a route (call after `path`), frozen: the node's shared object once built. */
  usage(node: TraceNode, tail: readonly number[] | null): Readonly<Record<string, unknown>> {
    if (tail === null && node.usage !== null) return node.usage;
    return Object.freeze(countUsage(this.#m, events(node, tail)));
  }

  #prebuild(node: TraceNode): void {
    if (this.#prebuiltEntries + node.depth > MAX_PREBUILT_ENTRIES) return;
    this.#prebuiltEntries += node.depth;
    const route = events(node, null);
    node.usage = Object.freeze(countUsage(this.#m, route));
    node.path = Object.freeze(pathOf(this.#m, route));
  }
}
/** The events of a route, oldest first. */
function events(node: TraceNode, tail: readonly number[] | null): number[] {
  const out = new Array<number>(node.depth);
  for (let at: TraceNode | null = node; at !== null && at.parent !== null; at = at.parent) out[at.depth - 1] = at.event;
  if (tail !== null) out.push(...tail);
  return out;
}

function pathOf(m: PreparedMachine, route: readonly number[]): string[] {
  const path: string[] = [];
  const arcCount = m.arcs.length;
  for (const event of route) {
    if (event >= 0) path.push(m.stateNames[event] as string);
    else if (event >= -arcCount) path.push(m.stateNames[(m.arcs[-1 - event] as PreparedArc).target] as string);
  }
  return path;
}

function countUsage(m: PreparedMachine, route: readonly number[]): Record<string, unknown> {
  const usage: Record<string, unknown> = {};
  const arcCount = m.arcs.length;
  for (const event of route) {
    if (event >= 0) continue;
    const id = event >= -arcCount ? -1 - event : -1 - arcCount - event;
    const key = (m.arcs[id] as PreparedArc).usageKey;
    usage[key] = ((usage[key] as number | undefined) ?? 0) + 1;
  }
  return usage;
}
