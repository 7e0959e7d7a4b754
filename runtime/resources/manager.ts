/**
 * The resource manager of one machine (SEMANTICS §5.2, fixed): every declared resource with its
 * provider and pool; handles lent to *owners* (a state or an arc of one run: owner keys carry the
 * run's id, so two records never share a handle by accident), idempotently per (owner, name);
 * release of one or all of an owner's handles; a scoped acquire for `await using`; health (on
 * demand and periodic) and metrics; and `close`, which releases everything and awaits the
 * providers' shutdown.
 */
import type { Clock } from "../clock.js";
import { ResourceManagerClosedError, UnknownResourceError, redact } from "./errors.js";
import { Pool } from "./pool.js";
import type { AcquireRetry, HealthReport, PoolSettings, ResourceMetrics, ResourceProvider } from "./types.js";
import { isThenable } from "../thenable.js";

/** What the manager needs of one resource (config.ts builds it from a definition). */
export interface ResourceSpec {
  readonly name: string;
  readonly provider: ResourceProvider;
  readonly pool: PoolSettings;
  readonly retry: AcquireRetry;
  /** Acquire timeout when a state acquires the resource (`timeout_seconds`), in ms. */
  readonly stateTimeoutMs: number;
  /** Milliseconds between background health checks, or 0. */
  readonly healthIntervalMs: number;
  /** Strings redacted from every message about this resource. */
  readonly secrets: readonly string[];
}

interface Entry {
  readonly spec: ResourceSpec;
  readonly pool: Pool<unknown>;
  holdCount: number;
  averageHoldMs: number;
  health: HealthReport;
  healthFailures: number;
  timer: ReturnType<typeof setInterval> | null;
}

/** An acquisition in flight; `cancelled` when its owner let go before it settled (a timed-out run). */
interface Pending {
  promise: Promise<unknown>;
  cancelled: boolean;
}

interface Loan {
  readonly handle: unknown;
  readonly since: number;
}

/** A handle lent for a scope: `await using lease = await manager.scoped("db")`. */
export interface Lease<H = unknown> {
  readonly handle: H;
  release(): void;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

let scopedOwners = 0;

/** The resources of one machine. */
export class ResourceManager {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  /** owner → name → loan. */
  readonly #loans = new Map<string, Map<string, Loan>>();
  /** owner → name → acquisition in flight (idempotency while a pool makes the caller wait). */
  readonly #pending = new Map<string, Map<string, Pending>>();
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(specs: readonly ResourceSpec[], clock: Clock) {
    this.#clock = clock;
    for (const spec of specs) {
      const pool = new Pool<unknown>(spec.name, spec.provider, spec.pool, spec.retry, clock, spec.secrets);
      const entry: Entry = { spec, pool, holdCount: 0, averageHoldMs: 0, health: { status: "unknown" }, healthFailures: 0, timer: null };
      this.#entries.set(spec.name, entry);
      if (spec.pool.min > 0) void pool.warm();
      if (spec.healthIntervalMs > 0 && spec.provider.health !== undefined) {
        entry.timer = setInterval(() => void this.#check(entry), spec.healthIntervalMs);
        entry.timer.unref();
      }
    }
  }

  /** Names of the managed resources, in declaration order. */
  get names(): readonly string[] {
    return [...this.#entries.keys()];
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** True when the resource's provider answers synchronously. */
  isSync(name: string): boolean {
    return this.#entries.get(name)?.spec.provider.sync ?? false;
  }

  /** True when the resource's handles support engine transactions (its provider says so). */
  isTransactional(name: string): boolean {
    return this.#entries.get(name)?.spec.provider.transactional === true;
  }

  /** The acquire timeout of a state's use of `name`, in ms. */
  stateTimeoutMs(name: string): number {
    return this.#entry(name).spec.stateTimeoutMs;
  }

  /**
   * The handle `owner` holds for `name`, acquiring it first if needed: synchronously when the
   * pool can lend or make one at once, else a promise. `timeoutMs` overrides the pool's wait.
   */
  acquire(name: string, owner: string, timeoutMs?: number): unknown {
    const entry = this.#entry(name);
    if (this.#closed) throw new ResourceManagerClosedError(name);
    const held = this.#loans.get(owner)?.get(name);
    if (held !== undefined) return held.handle;
    const inFlight = this.#pending.get(owner)?.get(name);
    if (inFlight !== undefined && !inFlight.cancelled) return inFlight.promise;
    const got = entry.pool.acquire(timeoutMs);
    if (!isThenable(got)) {
      this.#lend(owner, name, got);
      return got;
    }
    const pending: Pending = { promise: Promise.resolve(), cancelled: false };
    pending.promise = Promise.resolve(got).then(
      (handle) => {
        this.#forget(owner, name, pending);
        if (this.#closed || pending.cancelled) {
          // Nobody waits for it any more (the machine closed, or the owner's run ended): give it back.
          entry.pool.release(handle, this.#closed);
          throw new ResourceManagerClosedError(name);
        }
        this.#lend(owner, name, handle);
        return handle;
      },
      (error: unknown) => {
        this.#forget(owner, name, pending);
        throw error;
      },
    );
    // A cancelled acquisition's rejection has no reader.
    pending.promise.catch(() => undefined);
    let byName = this.#pending.get(owner);
    if (byName === undefined) this.#pending.set(owner, (byName = new Map()));
    byName.set(name, pending);
    return pending.promise;
  }

  /** Gives back what `owner` holds of `name` (nothing when it holds nothing); an acquisition still in flight is given back when it arrives. */
  release(name: string, owner: string, broken = false): void {
    const waiting = this.#pending.get(owner)?.get(name);
    if (waiting !== undefined) waiting.cancelled = true;
    const byName = this.#loans.get(owner);
    const loan = byName?.get(name);
    if (byName === undefined || loan === undefined) return;
    byName.delete(name);
    if (byName.size === 0) this.#loans.delete(owner);
    const entry = this.#entries.get(name);
    if (entry === undefined) return;
    const held = this.#clock.now() - loan.since;
    entry.holdCount++;
    entry.averageHoldMs = entry.holdCount === 1 ? held : 0.9 * entry.averageHoldMs + 0.1 * held;
    entry.pool.release(loan.handle, broken);
  }

  /** Gives back everything `owner` holds (destroyed when `broken`), and what it is still waiting for when that arrives. */
  releaseAll(owner: string, broken = false): void {
    for (const waiting of this.#pending.get(owner)?.values() ?? []) waiting.cancelled = true;
    const byName = this.#loans.get(owner);
    if (byName === undefined) return;
    for (const name of [...byName.keys()]) this.release(name, owner, broken);
  }

  /** Names `owner` holds now. */
  heldBy(owner: string): readonly string[] {
    return [...(this.#loans.get(owner)?.keys() ?? [])];
  }

  /** Every owner holding something (tests check that nothing leaks). */
  get owners(): readonly string[] {
    return [...this.#loans.keys()];
  }

  /** A handle for a scope of your own: release it with `lease.release()`, `using` or `await using`. */
  async scoped<H = unknown>(name: string, timeoutMs?: number): Promise<Lease<H>> {
    const owner = `scope#${++scopedOwners}`;
    const handle = (await this.acquire(name, owner, timeoutMs)) as H;
    const release = (): void => this.release(name, owner);
    return { handle, release, [Symbol.dispose]: release, [Symbol.asyncDispose]: async () => release() };
  }

  /** Runs `fn` with a handle of `name`, released however `fn` ends. */
  async use<H, T>(name: string, fn: (handle: H) => T | Promise<T>): Promise<T> {
    const lease = await this.scoped<H>(name);
    try {
      return await fn(lease.handle);
    } finally {
      lease.release();
    }
  }

  /** Checks the health of one resource or all (by name). */
  async health(name?: string): Promise<Readonly<Record<string, HealthReport>>> {
    const entries = name === undefined ? [...this.#entries.values()] : [this.#entry(name)];
    const out: Record<string, HealthReport> = {};
    for (const entry of entries) out[entry.spec.name] = await this.#check(entry);
    return out;
  }

  /** Counters of one resource or all (by name). */
  metrics(name?: string): Readonly<Record<string, ResourceMetrics>> {
    const entries = name === undefined ? [...this.#entries.values()] : [this.#entry(name)];
    const out: Record<string, ResourceMetrics> = {};
    for (const entry of entries) {
      const p = entry.pool;
      out[entry.spec.name] = {
        acquisitions: p.counters.acquisitions,
        active: p.active,
        idle: p.idle,
        waiting: p.waiting,
        failures: p.counters.failures,
        timeouts: p.counters.timeouts,
        averageHoldMs: entry.averageHoldMs,
        averageAcquireMs: p.counters.averageAcquireMs,
        healthStatus: entry.health.status,
        healthCheckFailures: entry.healthFailures,
        provider: entry.spec.provider.metrics?.() ?? {},
      };
    }
    return out;
  }

  /**
   * Releases every handle, closes every pool, then every provider (awaiting their shutdown).
   * Idempotent: a second call waits for the first.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#closed = true;
    this.#closing = (async () => {
      for (const owner of [...this.#loans.keys()]) this.releaseAll(owner);
      const errors: unknown[] = [];
      for (const entry of this.#entries.values()) {
        if (entry.timer !== null) clearInterval(entry.timer);
        try {
          await entry.pool.close();
          await entry.spec.provider.close?.();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw errors[0];
    })();
    return this.#closing;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #entry(name: string): Entry {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new UnknownResourceError(name, this.names);
    return entry;
  }

  #lend(owner: string, name: string, handle: unknown): void {
    let byName = this.#loans.get(owner);
    if (byName === undefined) this.#loans.set(owner, (byName = new Map()));
    byName.set(name, { handle, since: this.#clock.now() });
  }

  #forget(owner: string, name: string, pending: Pending): void {
    const byName = this.#pending.get(owner);
    if (byName?.get(name) === pending) byName.delete(name);
    if (byName !== undefined && byName.size === 0) this.#pending.delete(owner);
  }

  async #check(entry: Entry): Promise<HealthReport> {
    const provider = entry.spec.provider;
    if (provider.health === undefined) return entry.health;
    let report: HealthReport;
    try {
      report = await provider.health();
    } catch (error) {
      report = { status: "unhealthy", detail: redact(error instanceof Error ? error.message : String(error), entry.spec.secrets) };
    }
    if (report.status !== "healthy") entry.healthFailures++;
    entry.health = report;
    return report;
  }
}
