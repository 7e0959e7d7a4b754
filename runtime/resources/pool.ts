/**
 * A pool of one resource's handles (SEMANTICS §5.3, fixed): idle handles are lent first (after
 * validation, unless expired or idle too long), a new one is made while fewer than `max` exist,
 * and otherwise the acquirer waits in line — served, in order, the moment a handle comes back,
 * never "wait the whole timeout, then try to grow". `acquire` answers synchronously whenever it
 * can (an idle handle, or a synchronous provider with room), so synchronous machines never await.
 */
import type { Clock } from "../clock.js";
import { ResourceError, ResourceManagerClosedError, ResourceTimeoutError, redact } from "./errors.js";
import type { AcquireRetry, PoolSettings, ResourceProvider } from "./types.js";
import { isThenable } from "../thenable.js";

interface Idle<H> {
  readonly handle: H;
  idleSince: number;
}

interface Waiter<H> {
  resolve(handle: H): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout> | null;
}

/** Longest delay a Node timer takes (about 24.8 days); longer ones would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Counters of a pool (the manager adds hold times). */
export interface PoolCounters {
  created: number;
  destroyed: number;
  failures: number;
  timeouts: number;
  acquisitions: number;
  totalAcquireMs: number;
  averageAcquireMs: number;
}

/** The pool of one resource. */
export class Pool<H> {
  readonly #name: string;
  readonly #provider: ResourceProvider<H>;
  readonly #settings: PoolSettings;
  readonly #retry: AcquireRetry;
  readonly #clock: Clock;
  readonly #secrets: readonly string[];
  readonly #idle: Idle<H>[] = [];
  readonly #waiters: Waiter<H>[] = [];
  /** Birth time of every live handle (lent or idle). */
  readonly #born = new Map<H, number>();
  /** Handles being made (count towards `max`). */
  #making = 0;
  #closed = false;
  #sweeper: ReturnType<typeof setInterval> | null = null;
  /** Destroys in flight (close awaits them). */
  readonly #pending = new Set<Promise<void>>();
  readonly counters: PoolCounters = { created: 0, destroyed: 0, failures: 0, timeouts: 0, acquisitions: 0, totalAcquireMs: 0, averageAcquireMs: 0 };

  constructor(name: string, provider: ResourceProvider<H>, settings: PoolSettings, retry: AcquireRetry, clock: Clock, secrets: readonly string[]) {
    this.#name = name;
    this.#provider = provider;
    this.#settings = settings;
    this.#retry = retry;
    this.#clock = clock;
    this.#secrets = secrets;
    if (settings.idleTimeoutMs > 0 || settings.maxLifetimeMs > 0) {
      const every = Math.max(1000, Math.min(settings.idleTimeoutMs || Infinity, settings.maxLifetimeMs || Infinity) / 2);
      this.#sweeper = setInterval(() => this.evictIdle(), Math.min(every, MAX_TIMER_MS));
      this.#sweeper.unref();
    }
  }

  /** Handles lent out now. */
  get active(): number {
    return this.#born.size - this.#idle.length;
  }

  get idle(): number {
    return this.#idle.length;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Live handles plus those being made. */
  get size(): number {
    return this.#born.size + this.#making;
  }

  /** Makes the `min` handles eagerly; failures are counted (health shows them), not thrown. */
  async warm(): Promise<void> {
    while (!this.#closed && this.size < this.#settings.min) {
      try {
        const handle = await this.#make();
        this.release(handle);
      } catch {
        return; // counted in #make; the first acquire will try again and report the reason
      }
    }
  }

  /**
   * A handle: now when one is idle (and valid) or can be made synchronously, else a promise that
   * settles when one is made or returned (in order of asking), or rejects after `timeoutMs`
   * (default: the pool's acquire timeout; 0: do not wait).
   */
  acquire(timeoutMs: number = this.#settings.acquireTimeoutMs): H | Promise<H> {
    if (this.#closed) throw new ResourceManagerClosedError(this.#name);
    const started = this.#clock.now();
    if (this.#waiters.length === 0) {
      const got = this.#take();
      if (got !== undefined) return isThenable(got) ? got.then((h) => this.#count(h, started)) : this.#count(got, started);
    }
    if (timeoutMs <= 0) {
      this.counters.timeouts++;
      throw new ResourceTimeoutError(this.#name, 0, this.#settings.max);
    }
    return new Promise<H>((resolve, reject) => {
      const waiter: Waiter<H> = {
        resolve: (h) => resolve(this.#count(h, started)),
        reject,
        timer: null,
      };
      waiter.timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        this.counters.timeouts++;
        reject(new ResourceTimeoutError(this.#name, timeoutMs, this.#settings.max));
      }, Math.min(timeoutMs, MAX_TIMER_MS));
      this.#waiters.push(waiter);
    });
  }

  /**
   * Gives a handle back: kept idle (then lent to the first waiter, validated like any idle
   * handle), or destroyed when `broken`, expired, or the pool is closed.
   */
  release(handle: H, broken = false): void {
    if (!this.#born.has(handle)) return;
    if (broken || this.#closed || this.#expired(handle)) this.#destroy(handle);
    else this.#idle.push({ handle, idleSince: this.#clock.now() });
    this.#drain();
  }

  /** Destroys idle handles that are idle too long or too old (kept down to `min`). */
  evictIdle(): void {
    const now = this.#clock.now();
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      const entry = this.#idle[i] as Idle<H>;
      const idleTooLong = this.#settings.idleTimeoutMs > 0 && now - entry.idleSince >= this.#settings.idleTimeoutMs && this.size > this.#settings.min;
      if (idleTooLong || this.#expired(entry.handle)) {
        this.#idle.splice(i, 1);
        this.#destroy(entry.handle);
      }
    }
  }

  /**
   * Closes the pool: waiters are refused, idle handles destroyed, and handles still lent are
   * destroyed when they come back (the manager releases every owner before closing its pools).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    for (const waiter of this.#waiters.splice(0)) {
      if (waiter.timer !== null) clearTimeout(waiter.timer);
      waiter.reject(new ResourceManagerClosedError(this.#name));
    }
    for (const entry of this.#idle.splice(0)) this.#destroy(entry.handle);
    for (const handle of [...this.#born.keys()]) this.#destroy(handle);
    await Promise.all([...this.#pending]);
  }

  #count(handle: H, started: number): H {
    const ms = this.#clock.now() - started;
    const c = this.counters;
    c.acquisitions++;
    c.totalAcquireMs += ms;
    c.averageAcquireMs = c.acquisitions === 1 ? ms : 0.9 * c.averageAcquireMs + 0.1 * ms;
    return handle;
  }

  #expired(handle: H): boolean {
    const born = this.#born.get(handle);
    return born !== undefined && this.#settings.maxLifetimeMs > 0 && this.#clock.now() - born >= this.#settings.maxLifetimeMs;
  }

  /**
   * A handle for one acquirer, or undefined when none is idle and the pool is full: the newest
   * idle handle that is still good (warm connections first; stale, expired or invalid ones are
   * destroyed), else a new one while there is room. An asynchronous validation answers with a
   * promise; a handle it refuses is destroyed and replaced (its slot is free again).
   */
  #take(): H | Promise<H> | undefined {
    const now = this.#clock.now();
    while (this.#idle.length > 0) {
      const entry = this.#idle.pop() as Idle<H>;
      const stale = this.#settings.idleTimeoutMs > 0 && now - entry.idleSince >= this.#settings.idleTimeoutMs;
      if (stale || this.#expired(entry.handle)) {
        this.#destroy(entry.handle);
        continue;
      }
      const ok = this.#valid(entry.handle);
      if (isThenable(ok)) {
        return Promise.resolve(ok).then((valid) => {
          if (valid) return entry.handle;
          this.#destroy(entry.handle);
          return this.#make();
        });
      }
      if (ok) return entry.handle;
      this.#destroy(entry.handle);
    }
    return this.size < this.#settings.max ? this.#make() : undefined;
  }

  /** Validation on borrow (a throw counts as invalid). */
  #valid(handle: H): boolean | PromiseLike<boolean> {
    if (!this.#settings.validateOnBorrow || this.#provider.validate === undefined) return true;
    try {
      const ok = this.#provider.validate(handle);
      return isThenable(ok) ? Promise.resolve(ok).catch(() => false) : ok;
    } catch {
      return false;
    }
  }

  /** Serves waiters, in order, while handles are idle or can be made. */
  #drain(): void {
    while (!this.#closed && this.#waiters.length > 0) {
      let got: H | Promise<H> | undefined;
      try {
        got = this.#take();
      } catch (error) {
        const waiter = this.#waiters.shift() as Waiter<H>;
        if (waiter.timer !== null) clearTimeout(waiter.timer);
        waiter.reject(error);
        continue;
      }
      if (got === undefined) return;
      const waiter = this.#waiters.shift() as Waiter<H>;
      if (waiter.timer !== null) clearTimeout(waiter.timer);
      if (isThenable(got)) got.then(waiter.resolve, waiter.reject);
      else waiter.resolve(got);
    }
  }

  /** Makes a handle with the provider, retrying failures (`retry_attempts`, exponential backoff). */
  #make(): H | Promise<H> {
    this.#making++;
    const done = (handle: H): H => {
      this.#making--;
      this.#born.set(handle, this.#clock.now());
      this.counters.created++;
      return handle;
    };
    const fail = (error: unknown): never => {
      this.#making--;
      this.counters.failures++;
      // A waiter may now fit: the failed attempt no longer counts towards max.
      queueMicrotask(() => this.#drain());
      throw this.#wrap(error);
    };
    const attempt = (n: number): H | Promise<H> => {
      let made: H | PromiseLike<H>;
      try {
        made = this.#provider.acquire();
      } catch (error) {
        if (n < this.#retry.attempts) return this.#retryAfter(n, attempt);
        return fail(error);
      }
      if (!isThenable(made)) return done(made);
      return Promise.resolve(made).then(done, (error: unknown) =>
        n < this.#retry.attempts ? this.#retryAfter(n, attempt) : fail(error),
      );
    };
    return attempt(0);
  }

  /** Attempt `n + 1` after the backoff delay: a blocking sleep for a synchronous provider (it must answer now), else a timer. */
  #retryAfter(n: number, attempt: (n: number) => H | Promise<H>): H | Promise<H> {
    const delay = this.#retry.delayMs * 2 ** n;
    if (this.#provider.sync) {
      this.#clock.sleepSync(delay);
      return attempt(n + 1);
    }
    return this.#clock.sleep(delay).then(() => attempt(n + 1));
  }

  #wrap(error: unknown): unknown {
    if (error instanceof Error && "code" in error && typeof error.code === "string" && error.code.startsWith("FSMR")) return error;
    const text = error instanceof Error ? error.message : String(error);
    return new ResourceError(this.#name, redact(text, this.#secrets), { retryable: true, cause: error });
  }

  #destroy(handle: H): void {
    if (!this.#born.delete(handle)) return;
    this.counters.destroyed++;
    try {
      const done = this.#provider.release(handle);
      if (isThenable(done)) {
        const p = Promise.resolve(done).then(
          () => undefined,
          () => {
            this.counters.failures++;
          },
        );
        this.#pending.add(p);
        void p.finally(() => this.#pending.delete(p));
      }
    } catch {
      this.counters.failures++;
    }
  }
}
