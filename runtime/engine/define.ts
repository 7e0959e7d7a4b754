/**
 * `defineMachine`: what a generated module calls with its definition table. It checks the
 * definition, the functions and the resource handles once, prepares the engine tables, and
 * returns the machine whose `process` and `processSync` drive one shared algorithm (run.ts).
 */
import { type Clock, systemClock } from "../clock.js";
import { ConcurrentRecordUseError, MachineClosedError, NotSynchronousError } from "../errors.js";
import type { BatchOptions, BatchProgress, MachineOptions, ProcessOptions, RecordValidation, RunResult, SyncMachine } from "../machine/api.js";
import type { Data, MachineDefinition } from "../machine/definition.js";
import { DIRECT, DirectRecordGuard, REFERENCE } from "../modes/modes.js";
import { runBatch } from "./batch.js";
import { type WorkerPlan, WorkerPool, type WorkerRefusal, workerPlanOf } from "./batch-workers.js";
import { checkStartRecord } from "./check-record.js";
import { driveAsync, driveSync } from "./drive.js";
import { type Lane, laneOf } from "./lane.js";
import { DONE } from "./phase.js";
import { type PreparedMachine, prepareMachine } from "./prepare.js";
import { resourceSpec } from "../resources/config.js";
import { ResourceManager } from "../resources/manager.js";
import { BUILTIN_PROVIDERS } from "../resources/registry.js";
import { Run, runMode } from "./run.js";
import { type RunSetup, runSetupOf } from "./hooks.js";
import { TraceTrie } from "./trace.js";
import { validateFunctions, validateResources, validateStructure } from "./validate.js";
import { BatchTransaction } from "../transactions/batch.js";
import { runStream, type StreamOptions, type StreamResult } from "../streaming/executor.js";
import type { Sink, Source } from "../streaming/types.js";
import { TxSession } from "../transactions/session.js";

/**
 * Builds a machine from a definition table. Throws `InvalidDefinitionError` for a malformed
 * table, `FunctionNotFoundError` for a slot without a function and `ResourceUnavailableError`
 * for a resource used without a handle in `options.resources`.
 */
export function defineMachine<D = Data, S extends string = string>(
  def: MachineDefinition,
  options: MachineOptions = {},
): SyncMachine<D, S> {
  validateStructure(def);
  validateFunctions(def);
  validateResources(def, options);
  const m = prepareMachine(def, options);
  const trace = new TraceTrie(m);
  const clock = options.clock ?? systemClock;
  const resources = def.resources.length === 0 ? null : openResources(def, options, clock);
  // The compiled lane (decision E17) for the machines it covers.
  const transactional = resources !== null && m.transaction.mode !== "none" && resources.names.some((name) => resources.isTransactional(name));
  const lane = options.lane === false || options.hooks !== undefined || transactional ? null : laneOf(def, m, trace);
  const workerPlan = (): WorkerPlan | WorkerRefusal => workerPlanOf(def, options);
  const silent = new Set(def.states.filter((s) => s.isFinal && !s.emitOutput).map((s) => s.name));
  return new EngineMachine<D, S>(m, clock, trace, lane, resources, runSetupOf(options), workerPlan, silent);
}

/**
 * The machine's resource manager: a provider per declared resource (the caller's, the custom
 * class, or the built-in kind's) with its pool. Nothing connects yet (pools with `min` warm up
 * in the background); a configuration a provider cannot use fails here, before any record.
 */
function openResources(def: MachineDefinition, options: MachineOptions, clock: Clock): ResourceManager {
  const overrides = options.resources ?? {};
  const env = options.env ?? process.env;
  const specs = def.resources.map((r) => resourceSpec(r, overrides[r.name], env, BUILTIN_PROVIDERS));
  return new ResourceManager(specs, clock);
}

/** Finished runs a machine keeps for reuse (enough for the concurrency of a typical batch). */
const MAX_SPARE_RUNS = 16;

/** The machine `defineMachine` returns. */
class EngineMachine<D, S extends string> implements SyncMachine<D, S> {
  readonly name: string;
  readonly states: readonly S[];
  readonly #m: PreparedMachine;
  readonly #clock: Clock;
  readonly #trace: TraceTrie;
  readonly #spare: Run[] = [];
  readonly #direct = new DirectRecordGuard();
  readonly #hasAsync: boolean;
  readonly #lane: Lane | null;
  /** Hooks and context factory every run of this machine gets (hooks.ts, E19). */
  readonly #setup: RunSetup;
  /** Resources whose providers answer asynchronously (such a machine has no processSync). */
  readonly #asyncResources: readonly string[];
  /** The machine's resources (health, metrics, scoped use), or null when it declares none. */
  readonly resources: ResourceManager | null;
  /** How `processBatch`'s workers rebuild this machine, or why they cannot (batch-workers.ts). */
  readonly #workerPlan: () => WorkerPlan | WorkerRefusal;
  /** Terminals with `emit_output: false` (a stream counts their records, writes none). */
  readonly #silent: ReadonlySet<string>;
  /** Worker threads kept between `processBatch({ workers })` calls; terminated by `close()`. */
  #workers: WorkerPool | null = null;
  #closed = false;

  constructor(
    m: PreparedMachine,
    clock: Clock,
    trace: TraceTrie,
    lane: Lane | null,
    resources: ResourceManager | null,
    setup: RunSetup,
    workerPlan: () => WorkerPlan | WorkerRefusal,
    silent: ReadonlySet<string>,
  ) {
    this.#workerPlan = workerPlan;
    this.#silent = silent;
    this.#setup = setup;
    this.#m = m;
    this.#clock = clock;
    this.#trace = trace;
    this.#lane = lane;
    this.resources = resources;
    this.#asyncResources = resources === null ? [] : resources.names.filter((name) => !resources.isSync(name));
    this.#hasAsync = m.asyncFunctions.length > 0 || this.#asyncResources.length > 0;
    this.name = m.name;
    this.states = m.stateNames as readonly S[];
  }

  process(record: D, options?: ProcessOptions<S>): Promise<RunResult<D, S>> {
    // The lane calls only synchronous functions and the machine has no timeout: what the engine
    // would do without a single await, so the result is ready now (E6 cannot fire mid-run).
    const quick = this.#viaLane(record, options);
    if (quick !== null) return Promise.resolve(quick);
    return this.#processByEngine(record, options);
  }

  /**
   * `process` through the engine. A method of its own: its closures capture the run, and a
   * function with captured variables allocates their context on every call, the lane's included.
   */
  #processByEngine(record: D, options: ProcessOptions<S> | undefined, shared: TxSession | null = null): Promise<RunResult<D, S>> {
    let run: Run;
    try {
      run = this.#start(record, options, false, shared);
    } catch (error) {
      return Promise.reject(error);
    }
    const claimed = this.#claim(run, record);
    const outcome = driveAsync<D, S>(run);
    if (!(outcome instanceof Promise)) {
      this.#settle(run, record, claimed);
      return Promise.resolve(outcome);
    }
    return outcome.then(
      (result) => {
        this.#settle(run, record, claimed);
        return result;
      },
      (error: unknown) => {
        this.#settle(run, record, claimed);
        throw error;
      },
    );
  }

  processSync(record: D, options?: ProcessOptions<S>): RunResult<D, S> {
    if (this.#closed) throw new MachineClosedError(this.#m.name);
    if (this.#hasAsync) {
      const fns = this.#m.asyncFunctions.map((name) => `\`${name}\``).join(", ");
      const res = this.#asyncResources.map((name) => `\`${name}\``).join(", ");
      throw new NotSynchronousError(
        [fns !== "" ? `it has async functions (${fns})` : "", res !== "" ? `it uses resources with asynchronous providers (${res})` : ""].filter((x) => x !== "").join(" and "),
      );
    }
    const quick = this.#viaLane(record, options);
    if (quick !== null) return quick;
    const run = this.#start(record, options, true);
    const claimed = this.#claim(run, record);
    try {
      return driveSync<D, S>(run);
    } finally {
      this.#settle(run, record, claimed);
    }
  }

  processBatch(records: Iterable<D> | AsyncIterable<D>, options?: BatchOptions<S>): Promise<RunResult<D, S>[]> {
    if (this.#closed) return Promise.reject(new MachineClosedError(this.#m.name));
    if (this.#m.transaction.mode === "batch" && this.resources !== null) return this.#processTxBatch(records, options, this.resources);
    const processSync = this.#hasAsync ? null : (record: D, o?: ProcessOptions<S>) => this.processSync(record, o);
    return runBatch<D, S>(
      {
        process: (record, o) => this.process(record, o),
        processSync,
        clock: this.#clock,
        workerPlan: this.#workerPlan,
        workerPool: (plan) => (this.#workers ??= new WorkerPool(plan)),
      },
      records,
      options,
    );
  }

  /**
   * `processBatch` of a machine with `transaction: { mode: batch }` (transactions/batch.ts): one
   * record at a time on the batch's connections, committed every `batchSize` records.
   */
  async #processTxBatch(records: Iterable<D> | AsyncIterable<D>, options: BatchOptions<S> | undefined, resources: ResourceManager): Promise<RunResult<D, S>[]> {
    if (options?.workers !== undefined) {
      throw new RangeError("processBatch: `workers` cannot be used with transaction mode batch (a batch's records share one database transaction in this thread)");
    }
    if (options?.concurrency !== undefined && options.concurrency !== 1) {
      throw new RangeError(
        `processBatch: concurrency ${options.concurrency} cannot be used with transaction mode batch: the records of a batch run one at a time on the batch's connection (use concurrency 1, or transaction mode single)`,
      );
    }
    const m = this.#m;
    const batch = new BatchTransaction<D, S>(m.transaction, {
      processIn: (record, o, session) => this.#processByEngine(record, o, session),
      newSession: () => new TxSession(resources, "batch"),
      modeOf: (o) => runMode(m, o),
      inputCopier: m.inputCopier,
    });
    // A batch that does not commit turns successes already counted into failures: the counts
    // passed on are corrected, and a last call follows when the final flush changed them.
    const onProgress = options?.onProgress;
    let last: BatchProgress | null = null;
    let reported = 0;
    const corrected = (p: BatchProgress): BatchProgress => {
      reported = batch.turnedFailed;
      return { ...p, succeeded: p.succeeded - reported, failed: p.failed + reported };
    };
    const progress = onProgress === undefined ? {} : { onProgress: (p: BatchProgress) => onProgress(corrected((last = p))) };
    let results: RunResult<D, S>[];
    try {
      results = await runBatch<D, S>(
        {
          process: (record, o) => batch.process(record, o),
          processSync: null,
          clock: this.#clock,
          workerPlan: this.#workerPlan,
          workerPool: (plan) => (this.#workers ??= new WorkerPool(plan)),
        },
        records,
        { ...options, ...progress, concurrency: 1 },
      );
    } catch (error) {
      await batch.abort();
      throw error;
    }
    await batch.flush();
    if (onProgress !== undefined && last !== null && batch.turnedFailed !== reported) onProgress(corrected(last));
    return results;
  }

  processStream(source: Source, sink: Sink | null, options?: StreamOptions<S>): Promise<StreamResult> {
    if (this.#closed) return Promise.reject(new MachineClosedError(this.#m.name));
    return runStream<S>(
      {
        process: (record, o) => this.process(record as D, o) as unknown as Promise<RunResult<Data, S>>,
        emits: (state) => !this.#silent.has(state),
        processSync: this.#hasAsync ? undefined : (record, o) => this.processSync(record as D, o) as unknown as RunResult<Data, S>,
        defaultInFlight: this.#hasAsync ? 16 : 1,
      },
      source,
      sink,
      options,
    );
  }

  validate(record: D): RecordValidation {
    return checkStartRecord(this.#m, record);
  }

  /** Refuses new records, then releases every handle and closes the resources (idempotent). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#spare.length = 0;
    const workers = this.#workers;
    this.#workers = null;
    await Promise.all([this.resources?.close(), workers?.terminate()]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The record's result through the compiled lane, or null when the engine must run it: no lane,
   * a closed machine, per-call options, a record that is not an object, or a case the lane hands
   * over (lane.ts; it has then changed nothing the engine's run could see).
   */
  #viaLane(record: D, options: ProcessOptions<S> | undefined): RunResult<D, S> | null {
    const lane = this.#lane;
    if (lane === null || options !== undefined || this.#closed) return null;
    if (typeof record !== "object" || record === null || Array.isArray(record)) return null;
    return lane(record as Data) as RunResult<D, S> | null;
  }

  /** A run positioned on its first state, or already finished when it cannot start. */
  #start(record: D, options: ProcessOptions<S> | undefined, sync = false, shared: TxSession | null = null): Run {
    if (this.#closed) throw new MachineClosedError(this.#m.name);
    if (options?.timeoutSeconds !== undefined && !(options.timeoutSeconds > 0)) {
      throw new RangeError(`timeoutSeconds must be a positive number, got ${options.timeoutSeconds}`);
    }
    const m = this.#m;
    const run = this.#spare.pop() ?? new Run(m, this.#clock, this.#trace, this.resources, this.#setup);
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      run.begin(REFERENCE, record, options);
      const type = record === null ? "null" : Array.isArray(record) ? "array" : typeof record;
      run.finish(false, `a record must be an object, got ${type}`, -1);
      return run;
    }
    run.begin(runMode(m, options), record, options, sync, shared);
    if (run.phase === DONE) return run;
    const initial = options?.initialState;
    if (initial !== undefined) {
      const index = m.findState(initial);
      if (index < 0) run.finish(false, `Unknown initial state: ${initial}`, -1);
      else run.target = index;
    } else if (m.mainStart < 0) {
      run.finish(false, "No initial state found", -1);
    } else {
      run.target = m.mainStart;
    }
    return run;
  }

  /**
   * A DIRECT run that is about to start claims its record (true: the caller must release it);
   * a record already in another DIRECT run fails this one instead.
   */
  #claim(run: Run, record: D): boolean {
    if (run.mode !== DIRECT || run.phase === DONE) return false;
    if (this.#direct.claim(record as object)) return true;
    run.finish(false, new ConcurrentRecordUseError().message, -1);
    return false;
  }

  /**
   * After a run: releases a DIRECT claim, and keeps the run for reuse unless a function it
   * abandoned may still use its `ctx`.
   */
  #settle(run: Run, record: D, claimed: boolean): void {
    if (claimed) this.#direct.release(record as object);
    // Whatever ended the run (a terminal, a failure, a timeout, a throw), its handles go back.
    run.tx?.abandon();
    run.res?.releaseAll(run.abandoned);
    if (run.abandoned || this.#spare.length >= MAX_SPARE_RUNS) return;
    run.end();
    this.#spare.push(run);
  }
}
