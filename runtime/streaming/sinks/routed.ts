/**
 * `routedSink(routes, options)`: results go to the sink of their final state (`done` →
 * out.jsonl, `rejected` → rejects.jsonl). A terminal whose state says `emit_output: false` is
 * counted and not written (SEMANTICS §6.2 `excluded_by_state`); a result without a route goes to
 * `fallback`, or is counted as unrouted (or refused, with `unrouted: "error"`). The sink receives
 * `RoutedItem`s and writes each item's `record`; it owns its sinks (flush and close reach them all).
 */
import type { Sink, SinkPosition } from "../types.js";
import { SinkClosedError, SinkItemError, UnroutedResultError } from "./errors.js";

/** What a routed sink receives: a result's final state (null when the run never entered one) and the record to write. */
export interface RoutedItem {
  readonly finalState: string | null;
  readonly record: unknown;
}

/** Options of `routedSink`. */
export interface RoutedSinkOptions {
  /** Where results of a final state without a route go. */
  readonly fallback?: Sink;
  /** False for a terminal whose state says `emit_output: false`: such results are counted, not written (default: every state emits). */
  readonly emitOutput?: (terminal: string) => boolean;
  /** A result with no route and no fallback: counted (default) or refused with `UnroutedResultError`. */
  readonly unrouted?: "count" | "error";
}

/** Counts by final state (`NO_STATE` for results without one). */
export interface RoutedCounts {
  /** Handed to a route's sink or to the fallback. */
  readonly written: Readonly<Record<string, number>>;
  /** Not written: the terminal does not emit output. */
  readonly excluded: Readonly<Record<string, number>>;
  /** Not written: no route and no fallback. */
  readonly unrouted: Readonly<Record<string, number>>;
}

/** A routed sink's position: the total handed on, and each route's own position. */
export interface RoutedPosition extends SinkPosition {
  /** By final state: the position of its route's sink. */
  readonly routes: Readonly<Record<string, SinkPosition>>;
  readonly fallback: SinkPosition | null;
}

/** A sink that routes results by final state. */
export interface RoutedSink extends Sink {
  flush(): Promise<RoutedPosition>;
  counts(): RoutedCounts;
}

/** The key of results without a final state in `RoutedCounts`. */
export const NO_STATE = "(none)";

/** Routes each result to the sink of its final state. */
export function routedSink(routes: Readonly<Record<string, Sink>>, options: RoutedSinkOptions = {}): RoutedSink {
  return new Router(routes, options);
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

class Router implements RoutedSink {
  readonly description: string;
  readonly #routes: ReadonlyMap<string, Sink>;
  readonly #sinks: readonly Sink[];
  readonly #written: Record<string, number> = {};
  readonly #excluded: Record<string, number> = {};
  readonly #unrouted: Record<string, number> = {};
  #items = 0;
  #received = 0;
  #closing: Promise<void> | null = null;

  constructor(
    routes: Readonly<Record<string, Sink>>,
    private readonly options: RoutedSinkOptions,
  ) {
    this.#routes = new Map(Object.entries(routes));
    const all = [...this.#routes.values(), ...(options.fallback === undefined ? [] : [options.fallback])];
    this.#sinks = all.filter((sink, i) => all.indexOf(sink) === i);
    const listed = [...this.#routes].map(([state, sink]) => `${state}: ${sink.description}`);
    if (options.fallback !== undefined) listed.push(`fallback: ${options.fallback.description}`);
    this.description = `routes (${listed.join(", ")})`;
  }

  write(item: unknown): void | Promise<void> {
    if (this.#closing !== null) throw new SinkClosedError(this.description);
    const { finalState, record } = this.#itemOf(item);
    this.#received++;
    const key = finalState ?? NO_STATE;
    if (finalState !== null && this.options.emitOutput !== undefined && !this.options.emitOutput(finalState)) {
      bump(this.#excluded, key);
      return undefined;
    }
    const target = (finalState === null ? undefined : this.#routes.get(finalState)) ?? this.options.fallback;
    if (target === undefined) {
      if (this.options.unrouted === "error") throw new UnroutedResultError(this.description, finalState, [...this.#routes.keys()]);
      bump(this.#unrouted, key);
      return undefined;
    }
    const pending = target.write(record);
    bump(this.#written, key);
    this.#items++;
    return pending;
  }

  async flush(): Promise<RoutedPosition> {
    if (this.#closing !== null) throw new SinkClosedError(this.description);
    const items = this.#items;
    const positions = new Map<Sink, SinkPosition>();
    for (const sink of this.#sinks) positions.set(sink, await sink.flush());
    const routes: Record<string, SinkPosition> = {};
    for (const [state, sink] of this.#routes) routes[state] = positions.get(sink) as SinkPosition;
    const fallback = this.options.fallback === undefined ? null : (positions.get(this.options.fallback) as SinkPosition);
    return { items, bytes: null, routes, fallback };
  }

  /** Closes every route's sink and the fallback (all of them, even when one fails); rejects with the first failure. */
  close(): Promise<void> {
    this.#closing ??= Promise.allSettled(this.#sinks.map((sink) => sink.close())).then((outcomes) => {
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
      if (failed !== undefined) throw failed.reason;
    });
    return this.#closing;
  }

  counts(): RoutedCounts {
    return { written: { ...this.#written }, excluded: { ...this.#excluded }, unrouted: { ...this.#unrouted } };
  }

  #itemOf(item: unknown): RoutedItem {
    const candidate = item as Partial<RoutedItem> | null;
    const state = candidate?.finalState;
    if (typeof item !== "object" || candidate === null || !("record" in candidate) || (state !== null && typeof state !== "string")) {
      throw new SinkItemError(this.description, this.#received, "is not a routed result `{ finalState: string | null, record }`");
    }
    return { finalState: state, record: candidate.record };
  }
}
