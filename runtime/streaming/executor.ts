/**
 * The stream executor (docs/streaming.md, SEMANTICS §6.2 with decision Q23): records from a
 * source run through a machine, at most `maxInFlight` at once, and their results go to sinks in
 * input order (or as they finish, `ordered: false`). Backpressure runs end to end: a sink that
 * cannot take more stops the emitter, the window of records in flight fills, and the reader
 * stops reading, so memory does not grow with the input. Every item read ends in exactly one
 * place — written, filtered (a terminal with `emit_output: false`), failed (a failure result) or
 * dead-lettered (an input that could not be read) — and the stats prove it:
 * `read = written + filtered + failed + deadLettered` (+ `cancelled`, records read but not
 * started when the stream was stopped, which a checkpoint leaves to the resumed run).
 */
import { errorText } from "../errors.js";
import type { ProcessOptions, RunResult } from "../machine/api.js";
import type { Data } from "../machine/definition.js";
import type { Sink, SinkPosition, Source, SourceItem, SourcePosition } from "./types.js";
import { type Checkpoint, writeCheckpoint } from "./checkpoint.js";
import { perRecordOptions } from "../engine/batch.js";

/** What the executor needs from the machine. */
export interface StreamHost<S extends string> {
  process(record: Data, options: ProcessOptions<S> | undefined): Promise<RunResult<Data, S>>;
  /** A machine that never waits: its records run without a promise each (the fast path). */
  readonly processSync?: ((record: Data, options: ProcessOptions<S> | undefined) => RunResult<Data, S>) | undefined;
  /** False for a terminal whose state says `emit_output: false`. */
  emits(finalState: string): boolean;
  /** Default records in flight: 1 for a machine that never waits, more for I/O-bound ones. */
  readonly defaultInFlight: number;
}

/** Counts of a stream so far. */
export interface StreamStats {
  /** Items taken from the source (records and unreadable inputs). */
  readonly read: number;
  /** Results written to an output sink. */
  readonly written: number;
  /** Successful records ending in a terminal that does not emit (`emit_output: false`). */
  readonly filtered: number;
  /** Records whose run failed (their failure result went to `rejects`, or was only counted). */
  readonly failed: number;
  /** Inputs the source could not read (malformed lines), sent to the dead-letter sink. */
  readonly deadLettered: number;
  /** Records read but not run because the stream was stopped (none without a stop). */
  readonly cancelled: number;
  /** Successful results by final state (written and filtered). */
  readonly byFinalState: Readonly<Record<string, number>>;
  /** Bytes of the stored input consumed so far, and its size when known. */
  readonly bytesRead: number;
  readonly totalBytes: number | null;
  readonly elapsedMs: number;
  /** Items per second since the start. */
  readonly ratePerSecond: number;
}

/** A stream's result: its stats, and why it stopped early (the signal's reason), if it did. */
export interface StreamResult extends StreamStats {
  readonly stopped: boolean;
  /** Failures kept when there was no `rejects` sink (at most 100; the count is in `failed`). */
  readonly failures: readonly StreamFailure[];
}

/** A failed record or unreadable input, as kept in `failures` and written to a dead-letter sink. */
export interface StreamFailure {
  readonly index: number;
  readonly line: number;
  readonly error: string;
  /** The final state of a failed run (null when it never entered one). */
  readonly state?: string | null;
  /** The input as read, for an unreadable input (cut to MAX_RAW_CHARS by the source). */
  readonly raw?: string;
}

/** Options of `processStream`. */
export interface StreamOptions<S extends string = string> extends ProcessOptions<S> {
  /** Records running at once, and so results held for ordering at most (default: the machine's). */
  readonly maxInFlight?: number;
  /** Write results in input order (default true); false writes each as it finishes. */
  readonly ordered?: boolean;
  /** Per final state: where its successful results go instead of the main sink. */
  readonly routes?: Readonly<Record<string, Sink>>;
  /** Where failure results go (each the full result, plus `index` and `line`). */
  readonly rejects?: Sink;
  /** Where unreadable inputs go (`{index, line, error, raw}`); default: `rejects`. */
  readonly deadLetter?: Sink;
  /**
   * A checkpoint file written (atomically) every `every` records (default 10 000) and at the
   * end, after flushing every sink: where a resumed run starts (docs/streaming.md). Ordered only.
   */
  readonly checkpoint?: { readonly path: string; readonly every?: number };
  /** Counts to continue from (a resumed run's checkpoint stats). */
  readonly resumedStats?: Partial<StreamStats>;
  /** Called at most every `progressIntervalMs` (default 200) and once at the end. */
  readonly onProgress?: (stats: StreamStats) => void;
  readonly progressIntervalMs?: number;
  /** Stops reading; records in flight finish and are written, sinks are flushed, the checkpoint written. */
  readonly signal?: AbortSignal;
}

interface Outcome {
  readonly item: SourceItem;
  readonly result: RunResult<Data, string> | null;
  readonly error: unknown;
}

const MAX_KEPT_FAILURES = 100;

/** Runs every item of `source` through the machine into `sink` (and the other sinks of `options`). */
export async function runStream<S extends string>(host: StreamHost<S>, source: Source, sink: Sink | null, options: StreamOptions<S> = {}): Promise<StreamResult> {
  const maxInFlight = options.maxInFlight ?? host.defaultInFlight;
  if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a whole number >= 1, got ${maxInFlight}`);
  const ordered = options.ordered ?? true;
  if (options.checkpoint !== undefined && !ordered) {
    throw new RangeError("a checkpoint needs ordered output: with `ordered: false` no input position has every record before it written");
  }
  const every = options.checkpoint?.every ?? 10_000;
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`checkpoint.every must be a whole number >= 1, got ${every}`);
  const processOptions = perRecordOptions(options);
  const counts = new Counts(source, options.resumedStats);
  const progress = new Throttle(options.onProgress ?? null, options.progressIntervalMs ?? 200, () => counts.snapshot());
  const failures: StreamFailure[] = [];
  const sinks = distinct([sink, options.rejects, options.deadLetter, ...Object.values(options.routes ?? {})]);
  const run = new Run(counts, progress, failures, sinks, every, options.checkpoint?.path);
  if (host.processSync !== undefined && source.batches !== undefined) {
    return runSynchronously(host, host.processSync, source, sink, options, processOptions, run);
  }

  // The window: records in flight, oldest first. The reader adds, the emitter takes.
  const window: { promise: Promise<Outcome>; settled: boolean }[] = [];
  let readerDone = false;
  let readerError: unknown = null;
  let stopped = false;
  let wake: (() => void) | null = null;
  let room: (() => void) | null = null;
  const notifyEmitter = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const notifyReader = (): void => {
    const r = room;
    room = null;
    r?.();
  };
  const onAbort = (): void => {
    stopped = true;
    notifyReader();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted === true) stopped = true;

  const start = (item: SourceItem): Promise<Outcome> => {
    if (item.kind === "malformed") return Promise.resolve({ item, result: null, error: null });
    return host.process(item.record as Data, processOptions).then(
      (result) => ({ item, result, error: null }),
      (error: unknown) => ({ item, result: null, error }),
    );
  };

  const reader = (async (): Promise<void> => {
    try {
      const iterator = source[Symbol.asyncIterator]();
      for (;;) {
        while (window.length >= maxInFlight && !stopped) await new Promise<void>((resolve) => (room = resolve));
        if (stopped) break;
        const next = await iterator.next();
        if (next.done === true) break;
        counts.read++;
        const entry = { promise: start(next.value), settled: false };
        void entry.promise.then(() => {
          entry.settled = true;
          if (!ordered) notifyEmitter();
        });
        window.push(entry);
        notifyEmitter();
      }
      if (stopped) await iterator.return?.();
    } catch (error) {
      readerError = error;
    } finally {
      readerDone = true;
      notifyEmitter();
    }
  })();

  let emitterError: unknown = null;
  try {
    for (;;) {
      if (window.length === 0) {
        if (readerDone) break;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      let at = 0;
      if (!ordered) {
        at = window.findIndex((entry) => entry.settled);
        if (at < 0) {
          await Promise.race(window.map((entry) => entry.promise));
          continue;
        }
      }
      const [entry] = window.splice(at, 1);
      const outcome = await (entry as { promise: Promise<Outcome> }).promise;
      notifyReader();
      await deliver(outcome.item, outcome.result, outcome.error, sink, options, counts, failures, host);
      await run.delivered(outcome.item.position);
    }
  } catch (error) {
    emitterError = error;
    stopped = true;
    notifyReader();
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  await reader;
  // Records still in the window after a failure of the emitter are not written: count them.
  for (const entry of window.splice(0)) {
    await entry.promise;
    counts.cancelled++;
  }
  if (emitterError !== null) {
    await run.abandon(source);
    throw emitterError;
  }
  return run.finish(source, stopped && options.signal?.aborted === true, readerError);
}

/** What the two ways of running a stream share: the counts, and the steps after each item and at the end. */
class Run {
  #sinceCheckpoint = 0;
  /** The position of the last item delivered (where a checkpoint resumes after). */
  #lastPosition: SourcePosition | null = null;

  constructor(
    readonly counts: Counts,
    readonly progress: Throttle,
    readonly failures: StreamFailure[],
    readonly sinks: readonly Sink[],
    readonly every: number,
    readonly checkpointPath: string | undefined,
  ) {}

  /** After an item was delivered: progress, and a checkpoint every `every` items (a promise then). */
  delivered(position: SourcePosition): void | Promise<void> {
    this.#lastPosition = position;
    this.progress.tick();
    if (this.checkpointPath === undefined || ++this.#sinceCheckpoint < this.every) return;
    this.#sinceCheckpoint = 0;
    return saveCheckpoint(this.checkpointPath, this.sinks, position, this.counts);
  }

  /** After a failure: every sink and the source closed, what they hold released. */
  async abandon(source: Source): Promise<void> {
    await Promise.allSettled(this.sinks.map((s) => s.close()));
    await source.close();
  }

  /** The end: sinks flushed, the last checkpoint written, the source closed, the last progress call. */
  async finish(source: Source, stopped: boolean, readerError: unknown = null): Promise<StreamResult> {
    await Promise.all(this.sinks.map((s) => s.flush()));
    if (this.checkpointPath !== undefined && this.#lastPosition !== null) await saveCheckpoint(this.checkpointPath, this.sinks, this.#lastPosition, this.counts);
    await source.close();
    if (readerError !== null) throw readerError;
    this.progress.final();
    return { ...this.counts.snapshot(), stopped, failures: this.failures };
  }
}

/**
 * The fast path for a machine that never waits, over a source that reads in groups: each
 * group's records run one after another with `processSync` and go straight to the sinks, with no
 * promise per record; the only waits are the source's reads and a sink asking to (backpressure).
 * The window of the general path is not needed: one record is in flight at a time. A stop ends
 * the run after the record being written; the rest of its group is counted as cancelled (read,
 * not run), and the checkpoint points at the first of them.
 */
async function runSynchronously<S extends string>(
  host: StreamHost<S>,
  processSync: (record: Data, options: ProcessOptions<S> | undefined) => RunResult<Data, S>,
  source: Source,
  sink: Sink | null,
  options: StreamOptions<S>,
  processOptions: ProcessOptions<S> | undefined,
  run: Run,
): Promise<StreamResult> {
  const { counts, failures } = run;
  const signal = options.signal;
  let stopped = signal?.aborted === true;
  try {
    const groups = (source.batches as () => AsyncIterable<readonly SourceItem[]>).call(source);
    outer: for await (const group of groups) {
      for (let i = 0; i < group.length; i++) {
        if (signal?.aborted === true) {
          stopped = true;
          counts.read += group.length - i;
          counts.cancelled += group.length - i;
          break outer;
        }
        const item = group[i] as SourceItem;
        counts.read++;
        let result: RunResult<Data, string> | null = null;
        let error: unknown = null;
        if (item.kind === "record") {
          try {
            result = processSync(item.record as Data, processOptions);
          } catch (thrown) {
            error = thrown;
          }
        }
        const wait = deliver(item, result, error, sink, options, counts, failures, host);
        if (wait !== undefined) await wait;
        const saving = run.delivered(item.position);
        if (saving !== undefined) await saving;
      }
      if (stopped) break;
    }
  } catch (error) {
    await run.abandon(source);
    throw error;
  }
  return run.finish(source, stopped && signal?.aborted === true);
}

/** Sends one outcome where it belongs, and counts it; a promise while the sink asks to wait. */
function deliver<S extends string>(
  item: SourceItem,
  result: RunResult<Data, string> | null,
  error: unknown,
  sink: Sink | null,
  options: StreamOptions<S>,
  counts: Counts,
  failures: StreamFailure[],
  host: StreamHost<S>,
): void | Promise<void> {
  const position = item.position;
  if (item.kind === "malformed") {
    counts.deadLettered++;
    const entry: StreamFailure = { index: position.index, line: position.line, error: item.error, raw: item.raw };
    const target = options.deadLetter ?? options.rejects;
    if (target !== undefined) return target.write(entry);
    keep(failures, entry);
    return;
  }
  if (result === null || !result.success) {
    counts.failed++;
    const text = result === null ? `the run threw: ${errorText(error)}` : (result.error ?? "failed");
    const entry: StreamFailure = { index: position.index, line: position.line, error: text, state: result?.final_state ?? null };
    if (options.rejects !== undefined) return options.rejects.write(result === null ? entry : { ...result, index: position.index, line: position.line });
    keep(failures, entry);
    return;
  }
  const state = result.final_state ?? "";
  counts.count(state);
  if (!host.emits(state)) {
    counts.filtered++;
    return;
  }
  const target = options.routes?.[state] ?? sink;
  if (target === null) {
    counts.filtered++;
    return;
  }
  counts.written++;
  return target.write(result.data);
}

function keep(failures: StreamFailure[], entry: StreamFailure): void {
  if (failures.length < MAX_KEPT_FAILURES) failures.push(entry);
}

/** Flushes every sink, then writes the checkpoint: the input position after `position` and each sink's size. */
async function saveCheckpoint(path: string, sinks: readonly Sink[], position: SourcePosition, counts: Counts): Promise<void> {
  const flushed: SinkPosition[] = [];
  for (const s of sinks) flushed.push(await s.flush());
  const checkpoint: Checkpoint = {
    version: 1,
    source: {
      index: position.index + 1,
      ...(position.endOffset === undefined ? {} : { offset: position.endOffset }),
      ...(position.endLine === undefined ? {} : { line: position.endLine }),
      ...(position.cursor === undefined ? {} : { cursor: position.cursor }),
    },
    sinks: Object.fromEntries(sinks.map((s, i) => [s.description, flushed[i] as SinkPosition])),
    stats: counts.snapshot(),
  };
  await writeCheckpoint(path, checkpoint);
}

function distinct(sinks: readonly (Sink | null | undefined)[]): Sink[] {
  const out: Sink[] = [];
  for (const s of sinks) if (s !== null && s !== undefined && !out.includes(s)) out.push(s);
  return out;
}

/** The running counts. */
class Counts {
  read: number;
  written: number;
  filtered: number;
  failed: number;
  deadLettered: number;
  cancelled = 0;
  readonly #byFinalState: Record<string, number>;
  readonly #source: Source;
  readonly #started = performance.now();
  readonly #base: number;

  constructor(source: Source, resumed: Partial<StreamStats> | undefined) {
    this.#source = source;
    this.read = resumed?.read ?? 0;
    this.written = resumed?.written ?? 0;
    this.filtered = resumed?.filtered ?? 0;
    this.failed = resumed?.failed ?? 0;
    this.deadLettered = resumed?.deadLettered ?? 0;
    this.#byFinalState = { ...(resumed?.byFinalState ?? {}) };
    this.#base = this.read;
  }

  count(state: string): void {
    this.#byFinalState[state] = (this.#byFinalState[state] ?? 0) + 1;
  }

  snapshot(): StreamStats {
    const elapsedMs = performance.now() - this.#started;
    return {
      read: this.read,
      written: this.written,
      filtered: this.filtered,
      failed: this.failed,
      deadLettered: this.deadLettered,
      cancelled: this.cancelled,
      byFinalState: { ...this.#byFinalState },
      bytesRead: this.#source.bytesRead(),
      totalBytes: this.#source.totalBytes,
      elapsedMs,
      ratePerSecond: elapsedMs > 0 ? ((this.read - this.#base) * 1000) / elapsedMs : 0,
    };
  }
}

/** Calls `fn` at most every `intervalMs`, and once at the end. */
class Throttle {
  #last = 0;
  constructor(
    private readonly fn: ((stats: StreamStats) => void) | null,
    private readonly intervalMs: number,
    private readonly stats: () => StreamStats,
  ) {}

  tick(): void {
    if (this.fn === null) return;
    const now = performance.now();
    if (now - this.#last < this.intervalMs) return;
    this.#last = now;
    this.fn(this.stats());
  }

  final(): void {
    this.fn?.(this.stats());
  }
}
