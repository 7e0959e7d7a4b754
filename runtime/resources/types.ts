/**
 * The resource provider contract (SEMANTICS §5.1, fixed as our decisions say) and the shapes the
 * manager, the pools and every built-in provider share.
 *
 * A provider makes and unmakes *handles* (a database connection, an HTTP client, a directory
 * view …). It knows nothing of owners or pools: the manager (manager.ts) lends handles to owners
 * (a state or arc of one run) and keeps them in a pool (pool.ts). Every method may answer
 * synchronously or with a promise; a machine runs `processSync` only when every provider it uses
 * answers synchronously (`ResourceProvider.sync`).
 */

/** Health of a provider: `unknown` until a check ran. */
export type HealthStatus = "healthy" | "degraded" | "unhealthy" | "unknown";

/** The outcome of one health check. */
export interface HealthReport {
  readonly status: HealthStatus;
  /** Why, when not healthy (redacted: no secrets). */
  readonly detail?: string;
}

/**
 * A resource provider. `acquire` makes a new handle and `release` destroys one for good; the
 * pool decides when. Implementations throw `ResourceError` (errors.ts) with redacted messages.
 */
export interface ResourceProvider<H = unknown> {
  /** The provider kind as configs name it: `sqlite`, `postgres`, `filesystem`, `http`, `llm`, `vector`, or a custom name. */
  readonly kind: string;
  /**
   * True when `acquire`, `release` and `validate` always answer synchronously (sqlite,
   * filesystem, the in-memory vector store). A machine with an async provider has no `processSync`.
   */
  readonly sync: boolean;
  /**
   * True when every handle supports engine transactions (`Transactional`): the machine's
   * `transaction` setting then groups the resource's writes (sqlite, postgres).
   */
  readonly transactional?: boolean;
  /** Makes a new handle. */
  acquire(): H | Promise<H>;
  /** Destroys a handle (closes its connection); called once per handle. */
  release(handle: H): void | Promise<void>;
  /** False when a handle can no longer be used (checked when the pool lends an idle handle). */
  validate?(handle: H): boolean | Promise<boolean>;
  /** Probes the service behind the provider (a cheap query, a `HEAD /`). */
  health?(): HealthReport | Promise<HealthReport>;
  /** Provider-specific counters (HTTP retries, LLM tokens …), merged into the manager's metrics. */
  metrics?(): Readonly<Record<string, number>>;
  /** Frees provider-level state after every handle was released; called once. */
  close?(): void | Promise<void>;
}

/** Pool settings of one resource, in milliseconds (the config gives seconds: `pool: { … }`). */
export interface PoolSettings {
  /** Handles made eagerly when the pool opens, and kept (default 0). */
  readonly min: number;
  /** Handles on loan plus idle at most (default 10). */
  readonly max: number;
  /** How long an acquire waits for a handle; 0 = do not wait (default 30 000). */
  readonly acquireTimeoutMs: number;
  /** An idle handle older than this is destroyed (default 300 000; 0 = never). */
  readonly idleTimeoutMs: number;
  /** A handle older than this is destroyed instead of lent (default 3 600 000; 0 = never). */
  readonly maxLifetimeMs: number;
  /** Validate an idle handle before lending it (default true when the provider can). */
  readonly validateOnBorrow: boolean;
}

/** Retry of a failed `acquire` (a refused connection): attempts after the first, exponential backoff. */
export interface AcquireRetry {
  readonly attempts: number;
  readonly delayMs: number;
}

/** Counters of one resource (SEMANTICS §5.1 names, our units: milliseconds). */
export interface ResourceMetrics {
  readonly acquisitions: number;
  readonly active: number;
  readonly idle: number;
  readonly failures: number;
  readonly timeouts: number;
  readonly waiting: number;
  /** Exponential moving averages `0.9·old + 0.1·new`. */
  readonly averageHoldMs: number;
  readonly averageAcquireMs: number;
  readonly healthStatus: HealthStatus;
  readonly healthCheckFailures: number;
  /** The provider's own counters. */
  readonly provider: Readonly<Record<string, number>>;
}

/**
 * How the engine runs a handle's database transaction for a machine's `transaction` setting
 * (docs/transactions.md). While the engine's transaction is open, the handle's own
 * `begin`/`commit`/`rollback` refuse (functions use `ctx.tx`); `transaction(fn)` nests as a savepoint.
 * Every method may answer with a promise; statements on one handle run in the order they are issued.
 */
export interface TransactionControl {
  /** Opens the transaction, waiting (without blocking the thread) up to `timeoutMs` for another writer. */
  begin(timeoutMs: number): void | Promise<void>;
  commit(): void | Promise<void>;
  rollback(): void | Promise<void>;
  savepoint(name: string): void | Promise<void>;
  /** Undoes every write since `savepoint(name)` and drops that savepoint. */
  rollbackTo(name: string): void | Promise<void>;
  /** Keeps the writes since `savepoint(name)` and drops that savepoint. */
  release(name: string): void | Promise<void>;
}

/** The method of a transactional handle that gives the engine its `TransactionControl`. */
export const TX_CONTROL: unique symbol = Symbol("fsmc.transactionControl");

/** A handle the engine can run transactions on (the sqlite and postgres handles). */
export interface Transactional {
  [TX_CONTROL](): TransactionControl;
}

/** True when `handle` supports engine transactions. */
export function isTransactional(handle: unknown): handle is Transactional {
  return typeof handle === "object" && handle !== null && typeof (handle as Partial<Transactional>)[TX_CONTROL] === "function";
}
