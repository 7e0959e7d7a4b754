/**
 * The trace of a run — the states it entered and the arcs it took, in order — kept as a path in
 * a per-machine trie. An event is a state index (a state entered by the start, a return or an
 * `on error` route), `-1 - arcId` (an arc taken and its target entered: one event per ordinary
 * transition), or `-1 - arcCount - arcId` (an arc used whose target was never entered). The trie instead of per-run arrays. Records of one machine follow few distinct
 * routes, so a run mostly walks existing nodes (no allocation), and a route seen often gets
 * compiled factories for its `path` array and its `arc_<src>_<tgt>_usage` counters (object and
 * array literals, much cheaper than building them entry by entry). A machine whose runs take
 * too many distinct routes stops growing the trie: further runs record their events in an array.
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
  /** Runs that ended on this node; compiled factories are built once a route repeats. */
  finishes = 0;
  makePath: (() => string[]) | null = null;
  makeUsage: (() => Record<string, unknown>) | null = null;

  constructor(parent: TraceNode | null, event: number) {
    this.parent = parent;
    this.event = event;
    this.depth = parent === null ? 0 : parent.depth + 1;
  }
}

/** Nodes one machine may hold (bounds memory when runs loop a varying number of times). */
const MAX_NODES = 20_000;
/** Routes that get compiled factories (bounds generated code). */
const MAX_COMPILED = 2_000;
/** Finishes on a route before its factories are compiled. */
const COMPILE_AFTER = 4;

const canGenerateCode = ((): boolean => {
  try {
    return typeof new Function("return 1") === "function";
  } catch (error) {
    // Code generation from strings is disabled: every route is built generically (same results).
    if (error instanceof EvalError) return false;
    throw error;
  }
})();

/** The per-machine trie of run routes. */
export class TraceTrie {
  readonly root = new TraceNode(null, 0);
  #nodes = 1;
  #compiled = 0;
  readonly #m: PreparedMachine;

  constructor(machine: PreparedMachine) {
    this.#m = machine;
  }

  /** The child of `node` for `event`, created when new; null when the trie is full. */
  child(node: TraceNode, event: number): TraceNode | null {
    const keys = node.keys;
    for (let n = 0; n < keys.length; n++) if (keys[n] === event) return node.kids[n] as TraceNode;
    if (this.#nodes >= MAX_NODES) return null;
    this.#nodes++;
    const kid = new TraceNode(node, event);
    keys.push(event);
    node.kids.push(kid);
    return kid;
  }

  /** The path (state names) of a route: `node`'s events, then `tail`'s. */
  path(node: TraceNode, tail: readonly number[] | null): string[] {
    if (tail === null) {
      node.finishes++;
      if (node.makePath === null && node.finishes >= COMPILE_AFTER) this.#compile(node);
      if (node.makePath !== null) return node.makePath();
    }
    return pathOf(this.#m, events(node, tail));
  }

  /** The usage counters of a route, as a fresh object the caller may extend. */
  usage(node: TraceNode, tail: readonly number[] | null): Record<string, unknown> {
    if (tail === null && node.makeUsage !== null) return node.makeUsage();
    return countUsage(this.#m, events(node, tail));
  }

  #compile(node: TraceNode): void {
    if (!canGenerateCode || this.#compiled >= MAX_COMPILED) return;
    this.#compiled++;
    const m = this.#m;
    const route = events(node, null);
    const names = pathOf(m, route).map((name) => JSON.stringify(name));
    node.makePath = new Function(`return [${names.join(", ")}];`) as () => string[];
    const fields = Object.entries(countUsage(m, route)).map(([key, count]) => `${JSON.stringify(key)}: ${String(count)}`);
    node.makeUsage = new Function(`return { ${fields.join(", ")} };`) as () => Record<string, unknown>;
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
