/**
 * Errors of the streaming sinks (docs/streaming.md, "Sinks"): FSMR0055–FSMR0059. A sink refuses a
 * configuration it cannot honour when it is made, an item it cannot write when it is written, and
 * reports a destination that failed (a full disk, a closed pipe, a rolled-back batch) on the
 * next write, flush or close.
 */
import { FsmRuntimeError } from "../../errors.js";

/** Options a sink cannot honour: an unknown format, a resume point the file does not have, a missing upsert key. */
export class SinkConfigError extends FsmRuntimeError {
  constructor(
    readonly sink: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super("FSMR0055", `sink \`${sink}\`: ${detail}`, options);
  }
}

/** The destination failed (no space, no permission, the reader closed the pipe, a batch was rolled back): nothing after it is written. */
export class SinkWriteError extends FsmRuntimeError {
  constructor(
    readonly sink: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super("FSMR0056", `sink \`${sink}\`: ${detail}`, options);
  }
}

/** One item the sink cannot write (a CSV row with keys outside the header, a value that is not JSON); the sink stays usable. */
export class SinkItemError extends FsmRuntimeError {
  constructor(
    readonly sink: string,
    /** 0-based number of the item among those written to this sink. */
    readonly item: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super("FSMR0057", `sink \`${sink}\`: item ${item} ${detail}`, options);
  }
}

/** `write` (or `flush`) after `close()`. */
export class SinkClosedError extends FsmRuntimeError {
  constructor(readonly sink: string) {
    super("FSMR0058", `sink \`${sink}\` is closed: nothing can be written to it after close()`);
  }
}

/** A routed sink with `unrouted: "error"` got a result whose final state has no route and there is no fallback. */
export class UnroutedResultError extends FsmRuntimeError {
  constructor(
    readonly sink: string,
    readonly finalState: string | null,
    routes: readonly string[],
  ) {
    const state = finalState === null ? "a result without a final state" : `a result in \`${finalState}\``;
    super("FSMR0059", `sink \`${sink}\`: ${state} has no route (routes: ${routes.map((r) => `\`${r}\``).join(", ") || "none"}) and there is no fallback`);
  }
}
