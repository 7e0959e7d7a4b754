/**
 * The public shapes of a running machine: the function context, the per-record result and
 * the machine object returned by a generated factory.
 */
import type { ResourceProvider } from "../resources/types.js";
import type { Data, DataMode } from "./definition.js";

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
}

/** A machine whose functions may be asynchronous. */
export interface AsyncMachine<D = Data, S extends string = string> {
  readonly name: string;
  /** Every state name of every network, in order. */
  readonly states: readonly S[];
  process(record: D, options?: ProcessOptions<S>): Promise<RunResult<D, S>>;
  /** The machine's resources (health, metrics, scoped use outside a run), or null when it declares none. */
  readonly resources: import("../resources/manager.js").ResourceManager | null;
  /** Refuses new records, releases every resource handle and closes the providers; idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A machine whose every function is synchronous: `processSync` runs without awaiting. */
export interface SyncMachine<D = Data, S extends string = string> extends AsyncMachine<D, S> {
  processSync(record: D, options?: ProcessOptions<S>): RunResult<D, S>;
}
