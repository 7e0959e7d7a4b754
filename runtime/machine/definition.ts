/**
 * The machine definition: what a generated module hands to `defineMachine`. Plain tables plus
 * the user's functions (and inline code compiled to arrow functions). States are indexed
 * globally; arcs are listed in declaration order (the engine sorts them by priority, stably).
 */

/** A record as the engine sees it: a plain JSON-like object. */
export type Data = Record<string, unknown>;

/**
 * The record as untyped JavaScript inline code (YAML `code`) sees it. JavaScript has no static
 * types, so this is fsmc's one deliberate `any`: it lets `data.value > 50` type-check as the plain
 * JavaScript it is. TypeScript inline code (DSL) and user functions get real record types.
 */
export type JsRecord = Record<string, any>;

/** How a record's data passes between states. */
export type DataMode = "copy" | "reference" | "direct";
/** How a push arc hands data to the sub-network. */
export type PushIsolation = "copy" | "reference" | "serialize";
/** Arc choice among the priority-sorted available arcs. */
export type Strategy = "depth_first" | "breadth_first" | "resource_optimized" | "stream_optimized";

/**
 * Any function of a slot. Parameters are `never` so that typed user functions
 * (`(data: Order, ctx: Ctx<"validate">) => boolean`) are assignable; the engine calls it with
 * the record and the function context.
 */
export type SlotFunction = (data: never, ctx: never) => unknown;

/** One function in a slot (pre-validator, transform, validator, condition, arc transform). */
export interface FunctionSlot {
  /** Registered name, builtin name, or the inline code's id (`main.route#0.condition`). */
  readonly name: string;
  readonly kind: "registered" | "builtin" | "inline";
  readonly fn: SlotFunction;
  /** False when the compiler proved it synchronous; `processSync` requires every slot sync. */
  readonly isAsync: boolean;
  /**
   * True when the compiler proved the function never writes to the record it is given (an inline
   * condition that only reads through `data`); COPY runs then need not snapshot before it.
   */
  readonly readsOnly?: boolean;
  /**
   * True when the compiler proved the function confined (decision E17): synchronous and
   * deterministic, it changes nothing but fields of the record it is given (at the paths its
   * state's or arc's `writes` lists, set to primitives or new objects), never writes a top-level
   * `_transition_signal`, and calls only pure functions of the standard library. The
   * compiled lane (runtime/engine/lane.ts) runs only machines whose functions are all confined,
   * as it may drop its work and let the engine run the record again from the start.
   */
  readonly confined?: boolean;
}

/**
 * A place in the record that compiled inline code may write: field names from the root, `null`
 * for any element. `["cart", "items", null, "price", "amount"]` is
 * `data.cart.items[*].price.amount`: the last name is the field written, the others name the
 * objects that change (runtime/modes/path-copy.ts).
 */
export type WritePath = readonly (string | null)[];

/** A resource a state or arc uses, under a role (role = name unless renamed). */
export interface ResourceBinding {
  readonly role: string;
  readonly name: string;
}

/** A declared resource (docs/resources.md). */
export interface ResourceDefinition {
  readonly name: string;
  /** The kind as declared (`sqlite`, `database`, `http`, …, `custom`). */
  readonly type: string;
  /** The declared configuration, environment references (`${VAR}`) still unresolved. */
  readonly config: Readonly<Record<string, unknown>>;
  /** A `custom` resource's provider class (imported by the generated module from `config.module`). */
  readonly provider?: new (config: Readonly<Record<string, unknown>>, name: string) => import("../resources/types.js").ResourceProvider;
}

/** A network: its name and the global index of its start state (-1 when it has none). */
export interface NetworkDefinition {
  readonly name: string;
  readonly start: number;
}

/** An issue found by a record-type check, with a JSON pointer into the record. */
export interface SchemaIssue {
  readonly pointer: string;
  readonly message: string;
}

/** A state; `network` is an index into `MachineDefinition.networks`. */
export interface StateDefinition {
  readonly name: string;
  readonly network: number;
  readonly isStart: boolean;
  readonly isFinal: boolean;
  readonly runOnFailure: boolean;
  readonly emitOutput: boolean;
  readonly dataMode?: DataMode;
  readonly preValidators: readonly FunctionSlot[];
  /** Record-type check run after the pre-validators (decision 8); returns issues, or null when valid. */
  readonly check?: (data: Data) => readonly SchemaIssue[] | null;
  readonly transforms: readonly FunctionSlot[];
  readonly validators: readonly FunctionSlot[];
  /**
   * Every place the entry procedure (pre-validators, transforms, validators) may write, when the
   * compiler proved each of its functions confined; `[]` when it writes nothing. A COPY entry
   * then copies only the objects on these paths. Absent: unknown, the entry copies the record.
   */
  readonly writes?: readonly WritePath[];
  /** Outgoing arcs in declaration order. */
  readonly arcs: readonly ArcDefinition[];
  /** Global index of the `on error` target, or -1. */
  readonly onError: number;
  readonly resources: readonly ResourceBinding[];
}

/** Push-specific part of an arc. */
export interface PushDefinition {
  /** Index into `networks`. */
  readonly network: number;
  readonly isolation: PushIsolation;
  /** Global index of the return state in the pushing network, or -1 (the run ends in the subflow). */
  readonly returnState: number;
  /** [parent field, child field] pairs. */
  readonly dataMapping: readonly (readonly [string, string])[];
  /** [child field, parent field] pairs. */
  readonly resultMapping: readonly (readonly [string, string])[];
  /** True when the entry state was written explicitly (`net:state`). */
  readonly explicitEntry: boolean;
}

/** An arc; for a push arc `target` is the sub-network state entered. */
export interface ArcDefinition {
  readonly name?: string;
  readonly target: number;
  readonly priority: number;
  readonly condition?: FunctionSlot;
  readonly transforms: readonly FunctionSlot[];
  /** Every place the transform chain may write (see `StateDefinition.writes`); absent: unknown. */
  readonly writes?: readonly WritePath[];
  readonly resources: readonly ResourceBinding[];
  readonly push?: PushDefinition;
  /** Arc metadata (e.g. `streaming: true` used by the stream-optimized strategy). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Arc-transform retry policy (decision Q16). */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly backoffFactor: number;
  readonly maxDelayMs: number;
}

/**
 * How a run's database writes are grouped into transactions (docs/transactions.md):
 * - `none`: the engine opens none (functions may use their handles' own `transaction(fn)`);
 * - `single`: one transaction per record on every transactional resource it uses, committed
 *   when the record succeeds and rolled back when it fails;
 * - `batch`: `processBatch` commits every `batchSize` records; a failed record rolls back its
 *   own writes (`rollbackOnError: "record"`, savepoints) or the whole batch (`"batch"`);
 * - `manual`: functions call `ctx.tx.begin/commit/rollback/savepoint`.
 */
export type TransactionMode = "none" | "single" | "batch" | "manual";

/** The machine's `transaction` setting. */
export interface TransactionSettings {
  readonly mode: TransactionMode;
  /** `batch` mode: records per transaction (default 100). */
  readonly batchSize: number;
  /** `batch` mode: what a failed record rolls back (default "record"). */
  readonly rollbackOnError: "record" | "batch";
}

/** Machine-wide settings. */
export interface MachineSettings {
  readonly maxTransitions: number;
  readonly timeoutSeconds?: number;
  readonly strategy: Strategy;
  readonly dataMode: DataMode;
  readonly retry: RetryPolicy;
  /** Absent: `{ mode: "none" }`. */
  readonly transaction?: TransactionSettings;
}

/** The whole definition a generated module builds. */
export interface MachineDefinition {
  readonly name: string;
  readonly version?: string;
  /** Project-relative source path, for messages. */
  readonly source: string;
  /**
   * The URL of the generated module that builds this definition (its `import.meta.url`); with
   * `factory`, what lets `processBatch`'s `workers` rebuild the machine in a worker thread.
   */
  readonly module?: string;
  /** The name of the module's exported factory that builds this machine (`createOrders`). */
  readonly factory?: string;
  readonly mainNetwork: number;
  readonly networks: readonly NetworkDefinition[];
  readonly states: readonly StateDefinition[];
  readonly settings: MachineSettings;
  readonly resources: readonly ResourceDefinition[];
  /**
   * Copies a record entering the machine (COPY mode). Generated shape-specialised when the start
   * state has a declared record type; absent means the runtime's generic deep copy.
   */
  readonly copyInput?: (data: Data) => Data;
  /**
   * `copyInput` fused with the main start state's record check, for the compiled lane: the copy
   * `copyInput` makes when the record has a shape it copies as a literal and passes the check,
   * else null (the caller then copies and checks the general way). Generated with `copyInput`.
   */
  readonly enterInput?: (data: Data) => Data | null;
}

/** Default `transaction` setting values. */
export const DEFAULT_TRANSACTION: TransactionSettings = { mode: "none", batchSize: 100, rollbackOnError: "record" };

/** Default settings (SEMANTICS §1.7 and decision Q16). */
export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 10_000 };
