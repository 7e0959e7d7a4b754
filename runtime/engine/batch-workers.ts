/**
 * `processBatch` on worker threads (docs/batch.md "Worker threads"). Each worker rebuilds the
 * machine from its generated module (the definition's `module` and `factory`) with the options
 * the machine was created with, and runs chunks of records sent to it. The main thread reads
 * the input, deals chunks on demand (a worker gets the next chunk when it returns one, with at
 * most `CHUNKS_PER_WORKER` in flight each), merges the results in input order, and after an
 * abort turns every record not sent into a cancelled result.
 */
import { Worker } from "node:worker_threads";
import type { MachineOptions, ProcessOptions, RunResult } from "../machine/api.js";
import type { MachineDefinition } from "../machine/definition.js";

/** How a worker rebuilds the machine: the generated module's URL, its factory, the options. */
export interface WorkerPlan {
  readonly module: string;
  readonly factory: string;
  /** The machine's options, as a worker receives them (structured clone). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Why a machine cannot run in workers. */
export interface WorkerRefusal {
  readonly refused: string;
}

/** A chunk of records sent to a worker; `id` is the input index of its first record. */
export interface ChunkMessage {
  readonly id: number;
  readonly records: readonly unknown[];
  /** The worker's `processBatch` options: the per-record options and `concurrency`. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** A worker's answer to a chunk: one result per record, or what went wrong. */
export type ChunkReply = { readonly id: number; readonly results: readonly RunResult<unknown>[] } | { readonly id: number; readonly error: string };

/** What the worker driver needs from the batch. */
export interface WorkerBatchSettings<S extends string> {
  readonly workers: number;
  readonly batchSize: number;
  /** Records in flight in each worker (the worker's `processBatch` default when undefined). */
  readonly concurrency: number | undefined;
  readonly signal: AbortSignal | null;
  readonly perRecord: ProcessOptions<S> | undefined;
}

/** Chunks a worker holds at once: one running, one waiting, so it never idles on a round trip. */
export const CHUNKS_PER_WORKER = 2;
/** Largest chunk sent to a worker (smaller when `batchSize` would not cover every worker's chunks). */
export const MAX_CHUNK = 64;

/** Options a worker cannot receive, with what to do instead. */
const REFUSED_OPTIONS: readonly (readonly [string, string])[] = [
  ["functions", "functions cannot be sent to a worker; let the generated module import its functions module"],
  ["hooks", "hooks run on the thread that processes the record"],
  ["contextFactory", "a context factory cannot be sent to a worker"],
  ["clock", "a clock object cannot be sent to a worker"],
];

/**
 * The plan for running `def`'s machine in workers, or the reason it cannot: the definition must
 * come from a generated module on disk (`module` a `file:` URL, `factory` named) and the options
 * must be data a worker can receive.
 */
export function workerPlanOf(def: MachineDefinition, options: MachineOptions): WorkerPlan | WorkerRefusal {
  const refuse = (reason: string): WorkerRefusal => ({ refused: `machine \`${def.name}\` cannot run in workers: ${reason}` });
  if (def.module === undefined || def.factory === undefined) {
    return refuse("its definition names no generated module and factory (only a machine created by a generated module's factory can)");
  }
  if (!def.module.startsWith("file:")) return refuse(`its module ${def.module} is not a file: URL a worker can import`);
  const given = options as Readonly<Record<string, unknown>>;
  for (const [key, why] of REFUSED_OPTIONS) {
    if (given[key] !== undefined) return refuse(`it was created with \`${key}\` (${why})`);
  }
  for (const [name, value] of Object.entries(options.resources ?? {})) {
    if (!isPlainObject(value)) return refuse(`resource \`${name}\` was given a provider object (pass its configuration instead, or process in this thread)`);
  }
  try {
    return { module: def.module, factory: def.factory, options: structuredClone(given) };
  } catch (error) {
    return refuse(`its options cannot be sent to a worker (${error instanceof Error ? error.message : String(error)})`);
  }
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The worker entry: the built `worker.js` next to this file or, when the runtime runs from its
 * TypeScript sources (tests, tsx) or the machine's module is TypeScript (a generated `.fsm.ts`
 * run with tsx), a bootstrap that registers tsx and then imports the entry. (On Node 20
 * `execArgv: ["--import", "tsx"]` does not reach a worker's module loader; registering tsx
 * from inside the worker does.)
 */
function workerEntry(module: string): URL {
  const fromSources = import.meta.url.endsWith(".ts");
  const entry = new URL(fromSources ? "./worker.ts" : "./worker.js", import.meta.url).href;
  if (!fromSources && !/\.[mc]?ts$/.test(new URL(module).pathname)) return new URL(entry);
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

/** Records per chunk: at most `MAX_CHUNK`, and small enough that every worker's chunks fit in `batchSize`. */
export function chunkSizeOf(batchSize: number, workers: number): number {
  return Math.max(1, Math.min(MAX_CHUNK, Math.floor(batchSize / (workers * CHUNKS_PER_WORKER))));
}

/** A worker and the chunks it holds. */
interface Slot {
  readonly worker: Worker;
  held: number;
}

/**
 * The worker threads of one machine, kept between batches (starting a worker — loading the
 * runtime and the generated module, warming the JIT — costs far more than a small batch) and
 * terminated by the machine's `close()`. Idle workers are unref'd: they never keep a process
 * alive on their own. A batch that ends in a failure terminates them (a new batch starts fresh).
 */
export class WorkerPool {
  readonly #plan: WorkerPlan;
  #workers: Worker[] = [];
  #busy = false;

  constructor(plan: WorkerPlan) {
    this.#plan = plan;
  }

  /** `count` workers for one batch (started as needed); null while another batch holds them. */
  lease(count: number): Worker[] | null {
    if (this.#busy) return null;
    this.#busy = true;
    while (this.#workers.length < count) this.#workers.push(new Worker(workerEntry(this.#plan.module), { workerData: this.#plan }));
    const leased = this.#workers.slice(0, count);
    for (const worker of leased) worker.ref();
    return leased;
  }

  /** The batch is over: keep the workers for the next one, or terminate them all (`broken`). */
  async giveBack(broken: boolean): Promise<void> {
    this.#busy = false;
    if (broken) {
      await this.terminate();
      return;
    }
    for (const worker of this.#workers) worker.unref();
  }

  /** Terminates every worker (the machine closes, or a batch failed). */
  async terminate(): Promise<void> {
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** What ended the batch early (a worker failed, `settle` threw), reported once the chunks in flight end. */
interface Failure {
  readonly error: unknown;
}

/**
 * Runs the batch on `settings.workers` worker threads. `settle` is told every result as it
 * arrives (in arrival order; a throw stops the batch like a throwing `onProgress`); `cancelled`
 * makes the result of a record an abort kept from being sent. Resolves with the results in input
 * order; the workers are terminated before it settles, whatever happens.
 */
export async function runInWorkers<D, S extends string>(
  plan: WorkerPlan,
  records: Iterable<D> | AsyncIterable<D>,
  settings: WorkerBatchSettings<S>,
  settle: (result: RunResult<D, S>) => void,
  cancelled: (record: D) => RunResult<D, S>,
  pool: WorkerPool | null = null,
): Promise<RunResult<D, S>[]> {
  return new WorkerBatch(plan, records, settings, settle, cancelled, pool).run();
}

/**
 * The worker driver. One reader pulls records into the chunk being formed, and queues it when
 * full (or at the end of the input); `#deal` hands queued chunks to the workers holding fewest.
 * The reader sleeps while the records read and not finished reach the read-ahead bound; a
 * returning chunk wakes it. After an abort, queued chunks and records still read become
 * cancelled results instead.
 */
class WorkerBatch<D, S extends string> {
  readonly #plan: WorkerPlan;
  readonly #records: Iterable<D> | AsyncIterable<D>;
  readonly #settings: WorkerBatchSettings<S>;
  readonly #settle: (result: RunResult<D, S>) => void;
  readonly #cancelled: (record: D) => RunResult<D, S>;
  readonly #chunkSize: number;
  readonly #readAhead: number;
  readonly #workerOptions: Readonly<Record<string, unknown>>;
  readonly #results: RunResult<D, S>[] = [];
  /** Chunks formed and not sent yet: the input index of the first record, and the records. */
  readonly #queue: (readonly [number, D[]])[] = [];
  /** Records sent, by chunk id, until their results come back. */
  readonly #sent = new Map<number, readonly D[]>();
  #slots: Slot[] = [];
  #forming: D[] = [];
  #pulled = 0;
  #finished = 0;
  #failure: Failure | null = null;
  #wake: (() => void) | null = null;
  /** The machine's kept workers (null: workers of this batch only). */
  readonly #pool: WorkerPool | null;
  /** Detaches this batch's listeners from kept workers. */
  readonly #detach: (() => void)[] = [];

  constructor(
    plan: WorkerPlan,
    records: Iterable<D> | AsyncIterable<D>,
    settings: WorkerBatchSettings<S>,
    settle: (result: RunResult<D, S>) => void,
    cancelled: (record: D) => RunResult<D, S>,
    pool: WorkerPool | null,
  ) {
    this.#pool = pool;
    this.#plan = plan;
    this.#records = records;
    this.#settings = settings;
    this.#settle = settle;
    this.#cancelled = cancelled;
    this.#chunkSize = chunkSizeOf(settings.batchSize, settings.workers);
    this.#readAhead = Math.max(settings.batchSize, this.#chunkSize * settings.workers * CHUNKS_PER_WORKER);
    this.#workerOptions = { ...settings.perRecord, ...(settings.concurrency === undefined ? {} : { concurrency: settings.concurrency }) };
  }

  async run(): Promise<RunResult<D, S>[]> {
    // The machine's kept workers when free; else (another batch runs on them) workers of our own.
    const kept = this.#pool?.lease(this.#settings.workers) ?? null;
    const workers = kept ?? Array.from({ length: this.#settings.workers }, () => new Worker(workerEntry(this.#plan.module), { workerData: this.#plan }));
    this.#slots = workers.map((worker, i) => this.#attach(worker, i));
    let broken = true;
    try {
      const sourceError = await this.#read();
      while (!this.#isIdle()) await this.#sleep();
      const failure = sourceError ?? this.#failure;
      if (failure !== null) throw failure.error;
      broken = this.#sent.size > 0;
      return this.#results;
    } finally {
      for (const detach of this.#detach) detach();
      if (kept !== null) await (this.#pool as WorkerPool).giveBack(broken);
      else await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
    }
  }

  /** Reads the whole input (or until a failure); returns the input's own error, if it threw. */
  async #read(): Promise<Failure | null> {
    const records = this.#records;
    const iterator = isAsyncIterable(records) ? records[Symbol.asyncIterator]() : records[Symbol.iterator]();
    try {
      while (this.#failure === null) {
        if (this.#pulled - this.#finished >= this.#readAhead) {
          await this.#sleep();
          continue;
        }
        const step = await iterator.next();
        if (step.done === true) {
          this.#flush();
          return null;
        }
        if (this.#isAborted()) {
          // The chunk being formed is cancelled first (by #deal), then this record.
          this.#flush();
          this.#store(this.#pulled++, this.#cancelled(step.value));
          continue;
        }
        this.#forming.push(step.value);
        this.#pulled++;
        if (this.#forming.length >= this.#chunkSize) this.#flush();
      }
    } catch (error) {
      return { error };
    }
    // Stopped early (a worker failed, onProgress threw): let the input release what it holds.
    await iterator.return?.();
    return null;
  }

  #isAborted(): boolean {
    return this.#settings.signal?.aborted === true;
  }

  /** True when no chunk is out and none queued can still be sent. */
  #isIdle(): boolean {
    return this.#sent.size === 0 && (this.#failure !== null || this.#queue.length === 0);
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

  /** Queues the chunk being formed (if any) and deals. */
  #flush(): void {
    if (this.#forming.length > 0) {
      this.#queue.push([this.#pulled - this.#forming.length, this.#forming]);
      this.#forming = [];
    }
    this.#deal();
  }

  /** Sends queued chunks to workers with room; after an abort, cancels them instead. */
  #deal(): void {
    while (this.#queue.length > 0 && this.#failure === null) {
      if (this.#isAborted()) {
        const [id, chunk] = this.#queue.shift() as readonly [number, D[]];
        chunk.forEach((record, i) => this.#store(id + i, this.#cancelled(record)));
        continue;
      }
      const slot = this.#slots.reduce((a, b) => (b.held < a.held ? b : a));
      if (slot.held >= CHUNKS_PER_WORKER) return;
      const [id, chunk] = this.#queue.shift() as readonly [number, D[]];
      this.#sent.set(id, chunk);
      slot.held++;
      try {
        slot.worker.postMessage({ id, records: chunk, options: this.#workerOptions } satisfies ChunkMessage);
      } catch (error) {
        this.#sent.delete(id);
        slot.held--;
        this.#fail(new Error(`processBatch: records cannot be sent to a worker: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    }
    this.#wakeReader();
  }

  /** This batch's slot on `worker`: its listeners, removed when the batch ends (kept workers outlive it). */
  #attach(worker: Worker, index: number): Slot {
    const slot: Slot = { worker, held: 0 };
    const onMessage = (reply: ChunkReply): void => this.#onReply(slot, reply);
    const onError = (error: unknown): void => {
      const text = error instanceof Error ? error.message : String(error);
      this.#fail(new Error(`processBatch: worker ${index + 1} failed (module ${this.#plan.module}): ${text}`, { cause: error }), true);
    };
    const onExit = (code: number): void => {
      if (this.#sent.size > 0 || this.#queue.length > 0) this.#fail(new Error(`processBatch: worker ${index + 1} exited (code ${code}) before the batch ended`), true);
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    this.#detach.push(() => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    });
    return slot;
  }

  #onReply(slot: Slot, reply: ChunkReply): void {
    const chunk = this.#sent.get(reply.id);
    if (chunk === undefined) return;
    this.#sent.delete(reply.id);
    slot.held--;
    if ("error" in reply) {
      this.#fail(new Error(`processBatch: a worker could not run records ${reply.id}–${reply.id + chunk.length - 1}: ${reply.error}`));
    } else {
      reply.results.forEach((result, i) => this.#store(reply.id + i, result as RunResult<D, S>));
    }
    this.#deal();
  }

  /** Stores a record's result and tells the batch (a throwing `settle` stops it). */
  #store(index: number, result: RunResult<D, S>): void {
    this.#results[index] = result;
    this.#finished++;
    try {
      this.#settle(result);
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Stops the batch: nothing more is sent, and the error is reported once the chunks out come
   * back, or at once when a worker died (`abandon`: it will not answer, so the chunks out are given up).
   */
  #fail(error: unknown, abandon = false): void {
    this.#failure ??= { error };
    if (abandon) this.#sent.clear();
    this.#wakeReader();
  }
}

function isAsyncIterable<D>(records: Iterable<D> | AsyncIterable<D>): records is AsyncIterable<D> {
  return typeof (records as Partial<AsyncIterable<D>>)[Symbol.asyncIterator] === "function";
}
