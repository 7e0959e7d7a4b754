/**
 * The public shapes of a running machine: the function context, the per-record result and
 * the machine object returned by a generated factory.
 */
import type { ResourceProvider } from "../resources/types.js";
import type { Data, DataMode, SchemaIssue, Strategy } from "./definition.js";

/** Handles by role name: `{ readonly db: SqliteHandle }`. */
export type ResourceMap = { readonly [role: string]: unknown };

/** `ctx.resources` of a function whose resources are `R`: role names (handles untyped) or a role → handle type map. */
export type ResourcesOf<R extends string | ResourceMap> = R extends string ? { readonly [K in R]: unknown } : R;

/**
 * The second argument of every user function. `S` is the state's name (for arc functions, the
 * source state), `R` the resources the function may use: a map from role to handle type
 * (`{ readonly db: SqliteHandle }`, what generated code writes), or just the role names.
 */
export interface Ctx<S extends string = string, R extends string | ResourceMap = string> {
  /** The state whose function is running (the source state for conditions and arc transforms). */
  readonly state_name: S;
  /** The sub-network being run, or null in the main network (SEMANTICS §2.10). */
  readonly network_name: string | null;
  /** Name of the running function (registered name, builtin name or inline code id). */
  readonly function_name: string;
  /** Run-wide variables: one object shared by every function of one record's run. */
  readonly variables: Record<string, unknown>;
  /** Slot-specific facts (`state`, `phase`, `source_state`, `target_state`, `arc_priority`, `resource_roles`). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Resource handles by role name. */
  readonly resources: ResourcesOf<R>;
  /** Soft reject: throws a `ValidationError` (conditions: the arc is unavailable; pre-validators: entry refused). */
  reject(reason?: string): never;
  /** The resource bound to `name`, or a clear error when the state or arc does not declare it. */
  require_resource(name: string): unknown;
  /** The resource bound to `role`, or a clear error when the role is not bound. */
  resource_for_role(role: string): unknown;
  /**
   * The fields `MachineOptions.contextFactory` gave this run (a tenant id, a logger), frozen;
   * empty without a factory. The factory runs at most once per run, on the first read (E19).
   */
  readonly extra: Readonly<Record<string, unknown>>;
  /**
   * The run's transaction over its transactional resources (SQLite, Postgres; docs/transactions.md).
   * `begin`/`commit`/`rollback` are for `transaction: manual` machines; `savepoint` and
   * `rollbackTo` work whenever a transaction is open, in any mode.
   */
  readonly tx: TxControl;
}

/**
 * `ctx.tx`: one logical transaction spanning every transactional resource the run uses while it
 * is open. Each resource's database transaction starts when the run first acquires it (or at
 * `begin` for handles already held); `commit` commits them in acquisition order.
 */
export interface TxControl {
  /** `none`, `single`, `batch` or `manual`: the machine's transaction mode. */
  readonly mode: import("./definition.js").TransactionMode;
  /** True while a transaction is open for this run. */
  readonly active: boolean;
  /** Opens the transaction (manual mode; an error when one is open or in other modes). */
  begin(): Promise<void>;
  /** Commits every resource's transaction and closes it (manual mode). */
  commit(): Promise<void>;
  /** Rolls every resource's transaction back and closes it (manual mode). */
  rollback(): Promise<void>;
  /** Marks a savepoint on every resource in the open transaction. */
  savepoint(name: string): Promise<void>;
  /** Undoes every write since `savepoint(name)`, keeping the transaction open. */
  rollbackTo(name: string): Promise<void>;
}

/** The result of one record's run (DESIGN §1 `fsmc run` contract, SEMANTICS §8.1). */
export interface RunResult<D = Data, S extends string = string> {
  readonly success: boolean;
  /**
   * The state where the run stopped; null when the run never entered a state (a timeout, an
   * unknown initial state, no start state, a record that is not an object, a DIRECT-mode record
   * already in use).
   */
  readonly final_state: S | null;
  readonly data: D;
  /** States entered, in order (SEMANTICS §2.4, decision E13). Frozen; results on the same route share it. */
  readonly path: readonly S[];
  /** Null on success, otherwise the engine's message (SEMANTICS §2.5). */
  readonly error: string | null;
  /**
   * Arc usage counters (`arc_<src>_<tgt>_usage`), errors routed by `on error` (`errors`), function
   * failures (`failures`), record-type issues (`schema_errors`). Frozen; may be shared between results.
   */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Per-call options of `process` / `processSync`. */
export interface ProcessOptions<S extends string = string> {
  /** Start in this state instead of the main network's start state. */
  readonly initialState?: S;
  /** Overrides the machine's `timeout_seconds` for this call. */
  readonly timeoutSeconds?: number;
  /** Overrides the machine's data mode for this call. */
  readonly dataMode?: DataMode;
  /** Overrides the machine's execution strategy for this call (SEMANTICS §2.8). */
  readonly strategy?: Strategy;
  /** Pre-seeds the run-wide `ctx.variables` (the object is copied, not shared with the caller). */
  readonly variables?: Record<string, unknown>;
}

/** Configuration of a resource, as in the `.fsm`/YAML declaration (docs/resources.md). */
export type ResourceConfig = Readonly<Record<string, unknown>>;

/** Options every generated factory accepts besides its typed `functions` and `resources`. */
export interface MachineOptions {
  /** Default data mode of every call (overrides the definition's). */
  readonly dataMode?: DataMode;
  /**
   * Per resource name: a provider to use instead of the built-in one (tests, custom services),
   * or configuration merged over the declared one (`{ path: "test.db" }`). Resources the
   * definition cannot open alone (no provider, a required key missing) must be given here.
   */
  readonly resources?: Readonly<Record<string, ResourceProvider | ResourceConfig>>;
  /** Environment for `${VAR}` references in resource configurations (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock for timeouts and retry delays (tests inject a simulated one). */
  readonly clock?: import("../clock.js").Clock;
  /**
   * Use the compiled lane for the machines it covers (decision E17; default true). The lane
   * gives exactly the engine's results; `false` makes every run take the generic engine.
   */
  readonly lane?: boolean;
  /** Synchronous observers of every run: state entries and exits, transitions, errors (decision E19). */
  readonly hooks?: EngineHooks;
  /** Builds `ctx.extra` for a run: called at most once per run, on the first read (decision E19). */
  readonly contextFactory?: ContextFactory;
}

/** A machine whose functions may be asynchronous. */
export interface AsyncMachine<D = Data, S extends string = string> {
  readonly name: string;
  /** Every state name of every network, in order. */
  readonly states: readonly S[];
  process(record: D, options?: ProcessOptions<S>): Promise<RunResult<D, S>>;
  /**
   * Runs every record of `records` (docs/batch.md): one full result per input record, in input
   * order, up to `concurrency` at once. A record whose run throws gets a failure result; after
   * an abort, records not started get a cancelled result. Rejects only for invalid options, an
   * input that fails while being read, or an `onProgress` that throws.
   */
  processBatch(records: Iterable<D> | AsyncIterable<D>, options?: BatchOptions<S>): Promise<RunResult<D, S>[]>;
  /**
   * Runs every record of `source` into `sink` (docs/streaming.md): bounded memory whatever the
   * input's size, results in input order, failures to `options.rejects`, unreadable inputs to
   * `options.deadLetter`; resolves to the stream's counts (`read = written + filtered + failed +
   * deadLettered + cancelled`).
   */
  processStream(
    source: import("../streaming/types.js").Source,
    sink: import("../streaming/types.js").Sink | null,
    options?: import("../streaming/executor.js").StreamOptions<S>,
  ): Promise<import("../streaming/executor.js").StreamResult>;
  /** Checks a record against the main start state's record type, without running anything. */
  validate(record: D): RecordValidation;
  /** The machine's resources (health, metrics, scoped use outside a run), or null when it declares none. */
  readonly resources: import("../resources/manager.js").ResourceManager | null;
  /** Refuses new records, releases every resource handle and closes the providers; idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of `processBatch`: how records are scheduled, plus the per-record `ProcessOptions`. */
export interface BatchOptions<S extends string = string> extends ProcessOptions<S> {
  /**
   * Records in flight at once (default: 1 for a synchronous machine, which then runs each
   * record through `processSync`; 16 otherwise, through `process`).
   */
  readonly concurrency?: number;
  /**
   * Records read from the input and not finished yet, at most (default 1000): bounds the memory
   * an async iterable input can fill. A synchronous machine at concurrency 1 yields to the event
   * loop after every `batchSize` records.
   */
  readonly batchSize?: number;
  /** Called at most every `progressIntervalMs` while records finish, and once at the end. */
  readonly onProgress?: (progress: BatchProgress) => void;
  /** Minimum time between two `onProgress` calls, on the machine's clock (default 100). */
  readonly progressIntervalMs?: number;
  /** Aborting starts no more records: each one not started gets a cancelled result; records in flight finish. */
  readonly signal?: AbortSignal;
  /**
   * Worker threads to run the records on (default 1: in this thread). With 2 or more, each
   * worker rebuilds the machine from its generated module and runs chunks of records; the
   * results are merged in input order (docs/batch.md "Worker threads"). Only a machine built
   * by a generated module's factory with options a worker can receive (no `functions`,
   * provider objects, `hooks`, `contextFactory` or `clock`) can use workers; any other makes
   * `processBatch` throw a RangeError naming the reason.
   */
  readonly workers?: number;
}

/** What `onProgress` is told. `done` = `succeeded` + `failed` + `cancelled`. */
export interface BatchProgress {
  readonly done: number;
  /** The number of input records: known up front for an array or a Set, and always in the final call. */
  readonly total?: number;
  readonly succeeded: number;
  /** Records that ran and failed (a timeout, a record error, a run that threw). */
  readonly failed: number;
  /** Records an abort kept from starting. */
  readonly cancelled: number;
  /** Records run (succeeded + failed) per second since the batch started; 0 before any time passed. */
  readonly ratePerSecond: number;
  /** Results by `final_state` (records that never entered a state are not counted here). */
  readonly byFinalState: Readonly<Record<string, number>>;
}

/** The answer of `validate`: the record-type issues, with JSON pointers into the record. */
export interface RecordValidation {
  readonly valid: boolean;
  readonly errors: readonly SchemaIssue[];
}

/** A machine whose every function is synchronous: `processSync` runs without awaiting. */
export interface SyncMachine<D = Data, S extends string = string> extends AsyncMachine<D, S> {
  processSync(record: D, options?: ProcessOptions<S>): RunResult<D, S>;
}

/** What the engine tells every hook: the machine and the run (a per-machine sequence number from 1). */
export interface RunEventBase {
  readonly machine: string;
  readonly runId: number;
  /** The engine's working record as it stands (not a copy): read it, never change it; copy it to keep it. */
  readonly record: Data;
}

/** `onStateEnter` (the state's entry procedure completed) and `onStateExit` (the state is being left). */
export interface StateEvent extends RunEventBase {
  readonly state: string;
  /** The state's sub-network, or null in the main network (like `ctx.network_name`). */
  readonly network: string | null;
}

/** `beforeTransition` (an arc was chosen) and `afterTransition` (its target's entry completed). */
export interface TransitionEvent extends RunEventBase {
  readonly from: string;
  /** The state entered: the arc's target, or a push's sub-network entry state (null: that network has none). */
  readonly to: string | null;
  /** The arc's label, `<source> -> <target>` (a push: `<source> -> <network>[:<state>]`, E8). */
  readonly arc: string;
  readonly priority: number;
  readonly kind: "arc" | "push";
}

/**
 * Where an `onError` event comes from: a function or entry failure (one event per
 * `metadata.failures` entry, with that entry's phase), a record error moved to an `on error`
 * target (`routed`), or the run ending in failure (`run`, with the result's error).
 */
export type ErrorPhase =
  | "pre_validation"
  | "schema"
  | "transform"
  | "validation"
  | "arc_transform"
  | "resources"
  | "push"
  | "routed"
  | "run";

/** `onError`: something failed while the record was in `state`. */
export interface RunErrorEvent extends RunEventBase {
  /** The state concerned (for `run`, the result's `final_state`). */
  readonly state: string | null;
  readonly error: string;
  readonly phase: ErrorPhase;
  /** The failing function, when one failed. */
  readonly function: string | null;
  /** For `routed`: the `on error` target the record moves to; otherwise null. */
  readonly routedTo: string | null;
}

/**
 * Observers of a machine's runs (decision E19). Each is called synchronously with a frozen event;
 * its return value is ignored, and a throw is caught and kept in the result's `metadata.hook_errors`.
 */
export interface EngineHooks {
  onStateEnter?(event: StateEvent): void;
  onStateExit?(event: StateEvent): void;
  beforeTransition?(event: TransitionEvent): void;
  afterTransition?(event: TransitionEvent): void;
  onError?(event: RunErrorEvent): void;
}

/** The name of one hook. */
export type HookName = keyof EngineHooks;

/** A hook that threw during a run: the first error's text and how many times it threw (`metadata.hook_errors`). */
export interface HookError {
  readonly hook: HookName;
  readonly error: string;
  readonly count: number;
}

/** What `contextFactory` is given: the ctx fields of the call that first reads `ctx.extra`. */
export interface ContextBase {
  readonly state_name: string;
  readonly network_name: string | null;
  readonly function_name: string;
  /** The run-wide variables object itself (writes are seen by every function of the run). */
  readonly variables: Record<string, unknown>;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Builds the extra fields of `ctx` for one run (`ctx.extra`). */
export type ContextFactory = (base: ContextBase) => Record<string, unknown>;
