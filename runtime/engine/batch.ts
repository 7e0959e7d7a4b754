/**
 * `processBatch` (SEMANTICS §6.3, decision Q19 fixed): many records through one machine, the
 * results in input order, each the full `RunResult`. Two drivers over the machine's own entry
 * points: a synchronous machine with concurrency 1 runs every record through `processSync` (the
 * compiled lane where it applies), yielding to the event loop once per `batchSize` records;
 * anything else keeps up to `concurrency` `process` calls in flight, reading the input ahead
 * by at most `batchSize` records that are not finished yet. Neither driver loses a record:
 * a run that throws gives a failure result, and after an abort the records not started give
 * cancelled results, so there is always one result per input record. With `workers` of 2 or
 * more, a third driver (batch-workers.ts) runs chunks of records on worker threads.
 */
import type { Clock } from "../clock.js";
import { errorText } from "../errors.js";
import type { BatchOptions, BatchProgress, ProcessOptions, RunResult } from "../machine/api.js";
import { runInWorkers, type WorkerPlan, type WorkerPool, type WorkerRefusal } from "./batch-workers.js";

/** What a batch needs from a machine: its two entry points and its clock (progress timing). */
export interface BatchTarget<D, S extends string> {
  process(record: D, options?: ProcessOptions<S>): Promise<RunResult<D, S>>;
  /** `processSync`, or null when the machine is not synchronous. */
  readonly processSync: ((record: D, options?: ProcessOptions<S>) => RunResult<D, S>) | null;
  readonly clock: Clock;
  /** How workers rebuild the machine, or why they cannot (asked only when `workers` is 2 or more). */
  workerPlan(): WorkerPlan | WorkerRefusal;
  /** The machine's kept worker threads for `plan` (reused between batches), or null to start a batch's own. */
  workerPool?(plan: WorkerPlan): WorkerPool | null;
}

/** Default records in flight for a machine that is not synchronous. */
export const DEFAULT_CONCURRENCY = 16;
/** Default read-ahead bound (and the sync driver's records between event-loop yields). */
export const DEFAULT_BATCH_SIZE = 1000;
/** Default minimum time between two `onProgress` calls. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 100;
/** The `error` of a record an abort kept from starting. */
export const CANCELLED_ERROR = "Cancelled before it started (batch aborted)";

const CANCELLED_METADATA: Readonly<Record<string, unknown>> = Object.freeze({ cancelled: true });
const NO_PATH: readonly never[] = Object.freeze([]);

/** Settings of one batch after defaults and checks. */
interface Settings<S extends string> {
  /** Worker threads (1: this thread). */
  readonly workers: number;
  /** `concurrency` as given (a worker applies its own default when undefined). */
  readonly givenConcurrency: number | undefined;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly progressIntervalMs: number;
  readonly onProgress: ((progress: BatchProgress) => void) | null;
  readonly signal: AbortSignal | null;
  /** Per-record options; undefined when none were given (keeps the compiled lane usable). */
  readonly perRecord: ProcessOptions<S> | undefined;
}

/**
 * Runs every record of `records` through `target`; resolves with one result per record, in
 * input order. Rejects only for invalid options (RangeError), an input that cannot be iterated
 * or throws while being read, an `onProgress` that throws (after the records in flight end), or,
 * with `workers`, a worker that cannot build the machine or dies (batch-workers.ts).
 */
export async function runBatch<D, S extends string>(
  target: BatchTarget<D, S>,
  records: Iterable<D> | AsyncIterable<D>,
  options: BatchOptions<S> = {},
): Promise<RunResult<D, S>[]> {
  const settings = batchSettings(options, target.processSync !== null);
  const plan = settings.workers > 1 ? target.workerPlan() : null;
  if (plan !== null && "refused" in plan) throw new RangeError(`processBatch: ${plan.refused}; remove \`workers\` to process in this thread`);
  const tally = new BatchTally(target.clock, settings, knownTotal(records));
  const results =
    plan !== null
      ? await runInWorkers(
          plan,
          records,
          { ...settings, concurrency: settings.givenConcurrency },
          (result) => tally.addAndReport(result),
          cancelledResult<D, S>,
          target.workerPool?.(plan) ?? null,
        )
      : target.processSync !== null && settings.concurrency === 1
        ? await runSequential(target.processSync, records, settings, tally)
        : await new ConcurrentBatch(target, records, settings, tally).run();
  tally.report(true);
  return results;
}

/** Checks the options and applies the defaults (concurrency 1 for a synchronous machine, else 16). */
function batchSettings<S extends string>(options: BatchOptions<S>, isSync: boolean): Settings<S> {
  const workers = options.workers ?? 1;
  requireCount("workers", workers);
  const concurrency = options.concurrency ?? (isSync ? 1 : DEFAULT_CONCURRENCY);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  requireCount("concurrency", concurrency);
  requireCount("batchSize", batchSize);
  if (!(progressIntervalMs >= 0) || !Number.isFinite(progressIntervalMs)) {
    throw new RangeError(`processBatch: progressIntervalMs must be a finite number >= 0, got ${progressIntervalMs}`);
  }
  if (options.timeoutSeconds !== undefined && !(options.timeoutSeconds > 0)) {
    throw new RangeError(`processBatch: timeoutSeconds must be a positive number, got ${options.timeoutSeconds}`);
  }
  return {
    workers,
    givenConcurrency: options.concurrency,
    concurrency,
    batchSize,
    progressIntervalMs,
    onProgress: options.onProgress ?? null,
    signal: options.signal ?? null,
    perRecord: perRecordOptions(options),
  };
}

function requireCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`processBatch: ${name} must be an integer >= 1, got ${value}`);
}

/** The `ProcessOptions` part of batch or stream options, or undefined when there is none. */
export function perRecordOptions<S extends string>(options: ProcessOptions<S>): ProcessOptions<S> | undefined {
  const { initialState, timeoutSeconds, dataMode, strategy, variables } = options;
  if (initialState === undefined && timeoutSeconds === undefined && dataMode === undefined && strategy === undefined && variables === undefined) return undefined;
  return {
    ...(initialState === undefined ? {} : { initialState }),
    ...(strategy === undefined ? {} : { strategy }),
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    ...(dataMode === undefined ? {} : { dataMode }),
    ...(variables === undefined ? {} : { variables }),
  };
}

/** The number of records when the input says so up front (an array or a Set), else undefined. */
function knownTotal(records: Iterable<unknown> | AsyncIterable<unknown>): number | undefined {
  if (Array.isArray(records)) return records.length;
  if (records instanceof Set) return records.size;
  return undefined;
}

/** The result of a record an abort kept from starting: nothing ran, `data` is the input. */
export function cancelledResult<D, S extends string>(record: D): RunResult<D, S> {
  return { success: false, final_state: null, data: record, path: NO_PATH, error: CANCELLED_ERROR, metadata: CANCELLED_METADATA };
}

/**
 * The result of a record whose run threw instead of giving a result (the machine was closed
 * mid-batch, an engine bug): a failure naming the error, its class in `metadata.error_type`
 * (the reference's `error_type`, SEMANTICS §8.1) and its code when it has one.
 */
export function crashedResult<D, S extends string>(record: D, error: unknown): RunResult<D, S> {
  const metadata: Record<string, unknown> = { error_type: error instanceof Error ? error.name : typeof error };
  const code: unknown = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === "string") metadata["code"] = code;
  return { success: false, final_state: null, data: record, path: NO_PATH, error: errorText(error), metadata: Object.freeze(metadata) };
}

/** Lets timers and I/O (an abort, a progress write) run between slices of synchronous work. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The synchronous driver: one record at a time through `processSync`, in input order. */
async function runSequential<D, S extends string>(
  processSync: (record: D, options?: ProcessOptions<S>) => RunResult<D, S>,
  records: Iterable<D> | AsyncIterable<D>,
  settings: Settings<S>,
  tally: BatchTally<S>,
): Promise<RunResult<D, S>[]> {
  const results: RunResult<D, S>[] = [];
  let sinceYield = 0;
  const one = (record: D): boolean => {
    let result: RunResult<D, S>;
    if (settings.signal?.aborted === true) {
      result = cancelledResult(record);
    } else {
      try {
        result = processSync(record, settings.perRecord);
      } catch (error) {
        result = crashedResult(record, error);
      }
    }
    results.push(result);
    tally.add(result);
    tally.report(false);
    sinceYield++;
    if (sinceYield < settings.batchSize) return false;
    sinceYield = 0;
    return true;
  };
  if (isAsyncIterable(records)) {
    for await (const record of records) if (one(record)) await yieldToEventLoop();
  } else {
    for (const record of records) if (one(record)) await yieldToEventLoop();
  }
  return results;
}

function isAsyncIterable<D>(records: Iterable<D> | AsyncIterable<D>): records is AsyncIterable<D> {
  return typeof (records as Partial<AsyncIterable<D>>)[Symbol.asyncIterator] === "function";
}

/** The wrapper of a failure to report once the batch has stopped. */
interface Failure {
  readonly error: unknown;
}

/**
 * The concurrent driver. One reader pulls records into a queue while fewer than `batchSize`
 * pulled records are unfinished; `pump` starts queued records while fewer than `concurrency`
 * run (or, after an abort, turns them into cancelled results). A finishing record frees room
 * for both. The reader is the only loop that awaits; everything else runs in callbacks.
 */
class ConcurrentBatch<D, S extends string> {
  readonly #target: BatchTarget<D, S>;
  readonly #records: Iterable<D> | AsyncIterable<D>;
  readonly #settings: Settings<S>;
  readonly #tally: BatchTally<S>;
  readonly #results: RunResult<D, S>[] = [];
  /** Pulled records not started yet, from `#head` on, with their input index. */
  #queue: (readonly [number, D])[] = [];
  #head = 0;
  #pulled = 0;
  #finished = 0;
  #running = 0;
  /** Set when an `onProgress` throws: nothing new starts, and the batch rejects with it. */
  #failure: Failure | null = null;
  /** The reader waiting for room, or for the last records in flight. */
  #wake: (() => void) | null = null;

  constructor(target: BatchTarget<D, S>, records: Iterable<D> | AsyncIterable<D>, settings: Settings<S>, tally: BatchTally<S>) {
    this.#target = target;
    this.#records = records;
    this.#settings = settings;
    this.#tally = tally;
  }

  async run(): Promise<RunResult<D, S>[]> {
    const records = this.#records;
    const iterator = isAsyncIterable(records) ? records[Symbol.asyncIterator]() : records[Symbol.iterator]();
    let sourceError: Failure | null = null;
    let exhausted = false;
    try {
      while (this.#failure === null) {
        if (this.#pulled - this.#finished >= this.#settings.batchSize) {
          await this.#sleep();
          continue;
        }
        const step = await iterator.next();
        if (step.done === true) {
          exhausted = true;
          break;
        }
        this.#queue.push([this.#pulled, step.value]);
        this.#pulled++;
        this.#pump();
      }
    } catch (error) {
      // The input itself failed: no record is left to carry it, so the batch rejects with it
      // once the records in flight have ended (their resources are back by then).
      sourceError = { error };
      exhausted = true;
    }
    // Stopped early (onProgress threw): let the input release what it holds (a generator's finally).
    if (!exhausted) await iterator.return?.();
    while (!this.#isIdle()) await this.#sleep();
    const failure = sourceError ?? this.#failure;
    if (failure !== null) throw failure.error;
    return this.#results;
  }

  /** True when nothing runs and nothing queued can still start. */
  #isIdle(): boolean {
    return this.#running === 0 && (this.#failure !== null || this.#head === this.#queue.length);
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Starts queued records while there is room; after an abort, cancels them instead. */
  #pump(): void {
    const { signal, concurrency } = this.#settings;
    while (this.#head < this.#queue.length && this.#failure === null) {
      const aborted = signal?.aborted === true;
      if (!aborted && this.#running >= concurrency) break;
      const [index, record] = this.#queue[this.#head] as readonly [number, D];
      this.#head++;
      if (aborted) this.#settle(index, cancelledResult(record));
      else this.#start(index, record);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
  }

  #start(index: number, record: D): void {
    this.#running++;
    let outcome: Promise<RunResult<D, S>>;
    try {
      outcome = this.#target.process(record, this.#settings.perRecord);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (result) => this.#finish(index, result),
      (error: unknown) => this.#finish(index, crashedResult(record, error)),
    );
  }

  #finish(index: number, result: RunResult<D, S>): void {
    this.#running--;
    this.#settle(index, result);
    this.#pump();
    this.#wakeReader();
  }

  /** Stores a record's result and counts it (a throwing `onProgress` stops the batch). */
  #settle(index: number, result: RunResult<D, S>): void {
    this.#results[index] = result;
    this.#finished++;
    this.#tally.add(result);
    try {
      this.#tally.report(false);
    } catch (error) {
      this.#failure ??= { error };
    }
  }
}

/** Counts of a batch so far, and the throttled `onProgress` calls. */
class BatchTally<S extends string> {
  readonly #clock: Clock;
  readonly #onProgress: ((progress: BatchProgress) => void) | null;
  readonly #intervalMs: number;
  readonly #total: number | undefined;
  readonly #startMs: number;
  #lastReportMs: number;
  #succeeded = 0;
  #failed = 0;
  #cancelled = 0;
  readonly #byFinalState = new Map<string, number>();

  constructor(clock: Clock, settings: Settings<S>, total: number | undefined) {
    this.#clock = clock;
    this.#onProgress = settings.onProgress;
    this.#intervalMs = settings.progressIntervalMs;
    this.#total = total;
    this.#startMs = clock.now();
    this.#lastReportMs = this.#startMs;
  }

  add(result: RunResult<unknown, S>): void {
    if (result.success) this.#succeeded++;
    else if (result.metadata === CANCELLED_METADATA) this.#cancelled++;
    else this.#failed++;
    if (result.final_state !== null) this.#byFinalState.set(result.final_state, (this.#byFinalState.get(result.final_state) ?? 0) + 1);
  }

  /** `add`, then `report(false)`. */
  addAndReport(result: RunResult<unknown, S>): void {
    this.add(result);
    this.report(false);
  }

  /** Calls `onProgress` when the interval has passed since the last call, or always when `final`. */
  report(final: boolean): void {
    if (this.#onProgress === null) return;
    const now = this.#clock.now();
    if (!final && now - this.#lastReportMs < this.#intervalMs) return;
    this.#lastReportMs = now;
    this.#onProgress(this.#progress(now, final));
  }

  #progress(now: number, final: boolean): BatchProgress {
    const done = this.#succeeded + this.#failed + this.#cancelled;
    const elapsedMs = now - this.#startMs;
    const total = final ? done : this.#total;
    return {
      done,
      ...(total === undefined ? {} : { total }),
      succeeded: this.#succeeded,
      failed: this.#failed,
      cancelled: this.#cancelled,
      // Records that ran (cancelled ones did not) per second of the batch so far; 0 before any time passed.
      ratePerSecond: elapsedMs > 0 ? ((this.#succeeded + this.#failed) * 1000) / elapsedMs : 0,
      byFinalState: Object.fromEntries(this.#byFinalState),
    };
  }
}
