/**
 * The intermediate representation: plain, readonly, JSON-serialisable data shared by both
 * front ends. Ids come from names (`main`, `main.validate`), never from counters; arrays keep
 * source order; every node has a `span`, named nodes a `nameSpan`, references their own span.
 * Nothing here knows which front end produced it.
 */
import type { Span } from "../source/index.js";

/** Bumped on every incompatible change of these types (and of schemas/ir.schema.json). */
export const IR_VERSION = 1;

/** A network id: the network's name, e.g. `main`. */
export type NetworkId = string & { readonly __brand: "NetworkId" };
/** A state id: `<network>.<state>`, e.g. `main.validate`. */
export type StateId = string & { readonly __brand: "StateId" };

/** Any JSON value (metadata, params, resource config). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** How a record's data passes between states (DESIGN §5). */
export type DataMode = "copy" | "reference" | "direct";
/** How a push arc hands data to the sub-network (SEMANTICS §2.7). */
export type PushIsolation = "copy" | "reference" | "serialize";
/** Arc choice among the priority-sorted available arcs (SEMANTICS §2.8). */
export type Strategy = "depth_first" | "breadth_first" | "resource_optimized" | "stream_optimized";

/** The root: one compiled definition (one `.fsm` machine or one YAML file). */
export interface Machine {
  readonly kind: "Machine";
  readonly irVersion: typeof IR_VERSION;
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  /** Project-relative path of the definition's source file, `/`-separated. */
  readonly sourceFile: string;
  readonly version?: string;
  readonly description?: string;
  /** Module the registered functions come from, relative to the source file (e.g. `./orders.functions.ts`). */
  readonly functionsModule?: { readonly path: string; readonly span: Span };
  readonly mainNetwork: NetworkId;
  readonly mainNetworkSpan: Span;
  readonly settings: Settings;
  readonly records: readonly RecordType[];
  readonly resources: readonly ResourceDecl[];
  readonly networks: readonly Network[];
  readonly metadata: JsonObject;
  /** `///` doc comment before the DSL `fsm` block. */
  readonly doc?: string;
}

/** Machine-wide execution settings; every one takes effect at run time. */
export interface Settings {
  readonly kind: "Settings";
  readonly dataMode: DataMode;
  /** Default 1000 (SEMANTICS §1.7). */
  readonly maxTransitions: number;
  /** Whole-run timeout; absent means none. */
  readonly timeoutSeconds?: number;
  readonly strategy: Strategy;
  readonly retry: RetryPolicy;
  /** The `transaction` setting as written; absent means mode `none` (docs/transactions.md). */
  readonly transaction?: TransactionSetting;
  readonly span: Span;
}

/** How database work of a run is grouped into transactions (docs/transactions.md). */
export type TransactionMode = "none" | "single" | "batch" | "manual";
/** What a failed record of a batch rolls back: its own writes (a savepoint) or the whole batch. */
export type TransactionRollback = "record" | "batch";

/**
 * The machine's `transaction` setting (DSL `transaction batch size 500 rollback batch`, YAML
 * `transaction: {mode, batch_size, rollback_on_error}`). The batch size and the rollback are
 * absent when not written (the emitted definition fills the runtime's defaults), so the check
 * can tell a setting that would be ignored from one that was never given.
 */
export interface TransactionSetting {
  readonly kind: "TransactionSetting";
  readonly mode: TransactionMode;
  readonly modeSpan: Span;
  /** Records per transaction in `batch` mode; checked to be a whole number ≥ 1 (FSM0226). */
  readonly batchSize?: { readonly value: number; readonly span: Span };
  readonly rollbackOnError?: { readonly value: TransactionRollback; readonly span: Span };
  readonly span: Span;
}

/** Retry policy for arc transforms (decision Q16). Defaults: 3 retries, 100 ms, ×2. */
export interface RetryPolicy {
  readonly kind: "RetryPolicy";
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly backoffFactor: number;
  readonly maxDelayMs: number;
}

/** A named record type: an object schema with fields (DSL `record`, YAML state `schema`). */
export interface RecordType {
  readonly kind: "RecordType";
  /** Type name as written (DSL) or derived from the state (`<State>Data` for YAML schemas). */
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly schema: TypeSchema;
  /** Set when the type came from a YAML state's inline `schema` (the raw JSON Schema is kept). */
  readonly jsonSchema?: JsonObject;
  readonly synthetic?: true;
  /** `///` doc comment before the DSL `record`. */
  readonly doc?: string;
}

/** A JSON-Schema-like type (a subset both front ends can express). */
export type TypeSchema =
  | { readonly kind: "ObjectType"; readonly fields: readonly Field[]; readonly additional: boolean; readonly span: Span }
  | { readonly kind: "StringType"; readonly minLength?: number; readonly maxLength?: number; readonly pattern?: string; readonly span: Span }
  | {
      readonly kind: "NumberType";
      readonly integer: boolean;
      readonly minimum?: number;
      readonly maximum?: number;
      readonly exclusiveMinimum?: number;
      readonly exclusiveMaximum?: number;
      readonly span: Span;
    }
  | { readonly kind: "BooleanType"; readonly span: Span }
  | { readonly kind: "NullType"; readonly span: Span }
  | { readonly kind: "AnyType"; readonly span: Span }
  | { readonly kind: "EnumType"; readonly values: readonly (string | number | boolean | null)[]; readonly span: Span }
  | { readonly kind: "ArrayType"; readonly items: TypeSchema; readonly minItems?: number; readonly maxItems?: number; readonly span: Span }
  | { readonly kind: "UnionType"; readonly members: readonly TypeSchema[]; readonly span: Span }
  | { readonly kind: "RecordRef"; readonly name: string; readonly span: Span };

/** One field of an object type. */
export interface Field {
  readonly kind: "Field";
  readonly name: string;
  readonly nameSpan: Span;
  readonly optional: boolean;
  readonly type: TypeSchema;
  readonly description?: string;
  readonly span: Span;
}

/** A declared resource: name, kind and configuration (docs/resources.md; checked by compiler/check/resource-config.ts). */
export interface ResourceDecl {
  readonly kind: "ResourceDecl";
  readonly name: string;
  readonly nameSpan: Span;
  /** The kind as written: `sqlite`, `postgres`, `filesystem`, `http`, `llm`, `vector`, `custom`, or an alias (`database`, `vector_store`). */
  readonly type: string;
  readonly typeSpan: Span;
  readonly config: JsonObject;
  /**
   * Where each key of `config` and its value were written, by JSON pointer into `config`
   * (`/path`, `/pool/max`; array items by index, their key span being the item's). Absent when
   * the configuration is empty. Diagnostics about the configuration point here.
   */
  readonly configSpans?: Readonly<Record<string, ConfigSpan>>;
  readonly span: Span;
  /** `///` doc comment before the DSL `resource`. */
  readonly doc?: string;
}

/** Where one configuration key and its value were written. */
export interface ConfigSpan {
  readonly key: Span;
  readonly value: Span;
}

/** A named graph of states. */
export interface Network {
  readonly kind: "Network";
  readonly id: NetworkId;
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly states: readonly State[];
  /** Resource names the network declares (checked against the machine's resources). */
  readonly resources: readonly ResourceUse[];
  readonly metadata: JsonObject;
  /** `///` doc comment before the DSL `network`. */
  readonly doc?: string;
}

/** A state of a network. */
export interface State {
  readonly kind: "State";
  readonly id: StateId;
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly isStart: boolean;
  readonly isFinal: boolean;
  /** Record type name of the data in this state (checked on entry, decision 8). */
  readonly recordType?: { readonly name: string; readonly span: Span };
  readonly preValidators: readonly FunctionRef[];
  readonly transforms: readonly FunctionRef[];
  /** Post-validators: run after the transforms; false or a throw fails the state (decision Q3). */
  readonly validators: readonly FunctionRef[];
  /** Outgoing arcs in declaration order (the engine sorts by priority, stably). */
  readonly arcs: readonly Arc[];
  /** Where a record goes when this state fails (decision Q26); absent means the run fails. */
  readonly onError?: { readonly target: StateId; readonly targetName: string; readonly span: Span };
  readonly runOnFailure: boolean;
  /** Only meaningful on final states: false means output writers skip records ending here. */
  readonly emitOutput: boolean;
  readonly dataMode?: DataMode;
  readonly resources: readonly ResourceUse[];
  readonly metadata: JsonObject;
  readonly doc?: string;
}

/** A resource named by a state or arc, with its role (role = name when none is given). */
export interface ResourceUse {
  readonly kind: "ResourceUse";
  readonly role: string;
  readonly name: string;
  readonly span: Span;
}

/** A regular arc or a push arc. */
export type Arc = PlainArc | PushArc;

interface ArcCommon {
  /** `<state id>#<index in declaration order>`, e.g. `main.route#0`. */
  readonly id: string;
  /** Optional arc name (DSL `name`, YAML `name`/`metadata.name`). */
  readonly name?: string;
  readonly priority: number;
  readonly condition?: FunctionRef;
  /** Applied in order; empty when the arc has none. */
  readonly transforms: readonly FunctionRef[];
  readonly resources: readonly ResourceUse[];
  readonly metadata: JsonObject;
  readonly span: Span;
}

/** A transition to a state of the same network. */
export interface PlainArc extends ArcCommon {
  readonly kind: "Arc";
  readonly target: StateId;
  readonly targetName: string;
  readonly targetSpan: Span;
}

/** A transition into another network as a subflow (SEMANTICS §2.7). */
export interface PushArc extends ArcCommon {
  readonly kind: "PushArc";
  readonly targetNetwork: NetworkId;
  readonly targetNetworkName: string;
  /** Explicit entry state (`net:state`); absent means the network's start state. */
  readonly entryState?: StateId;
  readonly entryStateName?: string;
  readonly targetSpan: Span;
  /** A state of the pushing network entered when the subflow finishes; absent ends the run there. */
  readonly returnState?: StateId;
  readonly returnStateName?: string;
  readonly returnSpan?: Span;
  readonly isolation: PushIsolation;
  /** parent field → child field. */
  readonly dataMapping: readonly FieldMapping[];
  /** child field → parent field. */
  readonly resultMapping: readonly FieldMapping[];
}

/** `from → to` field pair of a push arc mapping. */
export interface FieldMapping {
  readonly kind: "FieldMapping";
  readonly from: string;
  readonly to: string;
  readonly span: Span;
}

/** A reference to user code: a registered function, a library builtin, or inline code. */
export type FunctionRef = RegisteredRef | BuiltinRef | InlineCode;

/** A function exported by the functions module (or passed to `createMachine({ functions })`). */
export interface RegisteredRef {
  readonly kind: "RegisteredRef";
  readonly name: string;
  readonly params?: JsonObject;
  /** Declared async (DSL `async`, YAML `async: true`); sync otherwise. */
  readonly isAsync: boolean;
  readonly span: Span;
}

/** A function of the runtime's built-in library (`validators.*`, `transformers.*`). */
export interface BuiltinRef {
  readonly kind: "BuiltinRef";
  readonly name: string;
  readonly params?: JsonObject;
  readonly span: Span;
}

/** Inline code: TypeScript (DSL backticks) or JavaScript (YAML `code`), params `data` and `ctx`. */
export interface InlineCode {
  readonly kind: "InlineCode";
  /** Deterministic, derived from where it is used: `main.route#0.condition`, `main.score.transform.1`. */
  readonly id: string;
  readonly language: "ts" | "js";
  /** `expression`: the code is an expression; `body`: a function body (has `return` or statements). */
  readonly form: "expression" | "body";
  readonly code: string;
  /** True when the code contains `await`. */
  readonly isAsync: boolean;
  readonly span: Span;
  /** Span of the code text itself (offset of `code[0]` in the source), for mapping compile errors. */
  readonly codeSpan: Span;
}
