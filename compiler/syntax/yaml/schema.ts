/**
 * The JSON Schema (draft-07) of the YAML authoring format: shapes A (canonical, `networks`),
 * B (`states` list) and C (`states` mapping), chosen with `if`/`then`/`else` so that a file is
 * checked against exactly one shape. `schemas/fsm.schema.json` is this object printed (a test
 * keeps them equal); editors use it through `# yaml-language-server: $schema=…`. Every mapping
 * closes with `additionalProperties: false`, so unknown keys are errors, and each definition has
 * a `title` that diagnostics use to say where a key was found.
 */
import type { JsonObject, JsonValue } from "../../ir/index.js";

type Props = Record<string, JsonValue>;

const ref = (name: string): JsonObject => ({ $ref: `#/definitions/${name}` });
const str = (description: string): JsonObject => ({ type: "string", description });
const bool = (description: string): JsonObject => ({ type: "boolean", description });
const obj = (description: string): JsonObject => ({ type: "object", description });

const DATA_MODES = ["copy", "reference", "direct"];
const STRATEGIES = ["depth_first", "breadth_first", "resource_optimized", "stream_optimized"];
const TRANSACTION_MODES = ["none", "single", "batch", "manual"];

/** Keys every machine shape accepts at the top level (decision Q8: shapes B/C carry them all). */
const MACHINE_COMMON: Props = {
  name: str("Machine name (shapes B/C default to `default_fsm`)."),
  version: str("Version string, e.g. \"1.2.0\"."),
  description: { type: ["string", "null"], description: "Free text." },
  data_mode: ref("dataMode"),
  resources: { type: "array", items: ref("resource"), description: "Resources the machine uses." },
  execution_strategy: { enum: STRATEGIES, description: "Arc choice strategy (default depth_first)." },
  max_transitions: { type: "integer", minimum: 1, description: "Transition limit per record (default 1000)." },
  timeout_seconds: { type: ["number", "null"], exclusiveMinimum: 0, description: "Whole-run timeout in seconds." },
  metadata: obj("Free-form metadata."),
  transaction: ref("transaction"),
  functions: { type: "string", minLength: 1, description: "fsmc extension: module that exports the registered functions, e.g. ./orders.functions.ts." },
  retry: ref("retry"),
};

const SIMPLE_COMMON: Props = {
  arcs: { type: "array", items: ref("networkArc"), description: "Network-level arcs `{from, to, ...}`." },
  initial_state: str("The start state of the single network `main`."),
};

const ARC_COMMON: Props = {
  name: str("Arc name (same as `metadata.name`)."),
  condition: ref("conditionRef"),
  pre_test: ref("preTest"),
  transform: ref("transformList"),
  priority: { type: "integer", description: "Higher priorities are tried first (default 0)." },
  resources: ref("resourceUses"),
  metadata: obj("Free-form metadata; `metadata.name` names the arc."),
  target_network: { type: "string", minLength: 1, description: "Makes this a push arc: `net` or `net:state`." },
  return_state: { type: ["string", "null"], description: "Push arcs: the state entered when the sub-network finishes." },
  data_isolation: { enum: ["copy", "reference", "serialize"], description: "Push arcs: how data is handed to the sub-network." },
  data_mapping: ref("fieldMapping"),
  result_mapping: ref("fieldMapping"),
};

const STATE_BODY: Props = {
  is_start: bool("Entry state of its network."),
  is_end: bool("Terminal state."),
  final: bool("Same as `is_end`."),
  schema: obj("JSON Schema of the record in this state; checked on entry."),
  data_schema: obj("Alias of `schema`."),
  pre_validators: { type: "array", items: ref("functionRef"), description: "Gate the entry into the state." },
  validators: { type: "array", items: ref("functionRef"), description: "Run after the transforms; false fails the state." },
  transforms: { type: "array", items: ref("functionRef"), description: "Run on every entry, in order." },
  transform: ref("transformList"),
  validator: ref("transformList"),
  functions: {
    title: "state functions",
    type: "object",
    properties: { validate: ref("functionRef"), transform: ref("functionRef") },
    additionalProperties: false,
    description: "Sugar: `validate` sets `validators`, `transform` sets `transforms`.",
  },
  arcs: { type: "array", items: ref("arc"), description: "Outgoing arcs in declaration order." },
  resources: ref("resourceUses"),
  data_mode: { type: "string", enum: DATA_MODES, description: "Data mode of this state." },
  emit_output: bool("Terminals: false keeps records ending here out of the output."),
  run_on_failure: bool("Run the transforms even after an earlier failure."),
  metadata: obj("Free-form metadata."),
  on_complete: ref("arc"),
  on_error: ref("onError"),
  on_timeout: { description: "Not supported yet; fsmc reports an error when this key is present." },
};

const FUNCTION_REF_KEYS: Props = {
  type: { enum: ["inline", "registered", "builtin", "custom"] },
  name: { type: "string", minLength: 1 },
  module: { type: "string", minLength: 1 },
  code: { type: "string", minLength: 1 },
  params: { type: "object" },
  async: { type: "boolean" },
};

/** `if` the mapping's `type` is `value`, `then` it must match `schema`. */
function whenType(value: string, schema: JsonObject): JsonObject {
  return { if: { required: ["type"], properties: { type: { const: value } } }, then: schema };
}

function refVariant(title: string, keys: readonly string[], required: readonly string[]): JsonObject {
  const properties: Props = {};
  for (const k of keys) properties[k] = k === "type" ? {} : (FUNCTION_REF_KEYS[k] ?? {});
  return { title, properties, required: [...required], additionalProperties: false };
}

function functionRefSchema(title: string, withOutcomes: boolean): JsonObject {
  const types = ["inline", "registered", "builtin", "custom", ...(withOutcomes ? ["success", "failure"] : [])];
  const variants: JsonValue[] = [
    whenType("inline", refVariant("inline function", ["type", "code"], ["code"])),
    whenType("registered", refVariant("registered function", ["type", "name", "params", "async"], ["name"])),
    whenType("builtin", refVariant("builtin function", ["type", "name", "params"], ["name"])),
    whenType("custom", refVariant("custom function", ["type", "module", "name", "params", "async"], ["module", "name"])),
    // Without `type`: `code` makes it inline; anything else needs a `type`.
    { if: { not: { anyOf: [{ required: ["type"] }, { required: ["code"] }] } }, then: { title, required: ["type"] } },
    { if: { not: { required: ["type"] }, required: ["code"] }, then: refVariant("inline function", ["code"], ["code"]) },
  ];
  if (withOutcomes) {
    variants.push(whenType("success", refVariant("condition shorthand", ["type"], [])));
    variants.push(whenType("failure", refVariant("condition shorthand", ["type"], [])));
  }
  return {
    title,
    description: "A function: a registered name or inline JavaScript as a string, or `{type, ...}`.",
    type: ["string", "object"],
    minLength: 1,
    properties: { type: { enum: types } },
    allOf: variants,
  };
}

/** The schema object; `schemas/fsm.schema.json` is its printed form. */
export const FSM_SCHEMA: JsonObject = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://fsmc.dev/schemas/fsm.schema.json",
  title: "machine",
  description:
    "An fsmc machine in the dataknobs-fsm YAML format: canonical shape (`networks`), list shape (`states` list) or dict shape (`states` mapping).",
  type: "object",
  if: { required: ["networks"] },
  then: ref("canonicalMachine"),
  else: {
    if: { required: ["states"], properties: { states: { type: "array" } } },
    then: ref("listMachine"),
    else: ref("dictMachine"),
  },
  definitions: {
    canonicalMachine: {
      title: "machine",
      type: "object",
      properties: {
        ...MACHINE_COMMON,
        networks: { type: "array", minItems: 1, items: ref("network"), description: "The networks (graphs of states)." },
        main_network: str("The network a record enters."),
      },
      required: ["name", "networks", "main_network"],
      additionalProperties: false,
    },
    listMachine: {
      title: "machine",
      type: "object",
      properties: {
        ...MACHINE_COMMON,
        ...SIMPLE_COMMON,
        states: { type: "array", items: ref("state"), description: "The states of the single network `main`." },
      },
      required: ["states"],
      additionalProperties: false,
    },
    dictMachine: {
      title: "machine",
      type: "object",
      properties: {
        ...MACHINE_COMMON,
        ...SIMPLE_COMMON,
        states: {
          type: "object",
          additionalProperties: ref("stateBody"),
          description: "The states of the single network `main`, by name; the first is the start unless `initial_state` says otherwise.",
        },
      },
      required: ["states"],
      additionalProperties: false,
    },
    network: {
      title: "network",
      type: "object",
      properties: {
        name: str("Network name, unique in the machine."),
        states: { type: "array", items: ref("state") },
        arcs: { type: "array", items: ref("networkArc"), description: "Network-level arcs `{from, to, ...}`." },
        resources: { type: "array", items: { type: "string" } },
        streaming: { description: "Not supported yet; fsmc reports an error when this key is present." },
        metadata: obj("Free-form metadata."),
      },
      required: ["name", "states"],
      additionalProperties: false,
    },
    state: {
      title: "state",
      type: "object",
      properties: { name: str("State name, unique in its network."), ...STATE_BODY },
      required: ["name"],
      additionalProperties: false,
    },
    stateBody: {
      title: "state",
      type: ["object", "null"],
      properties: STATE_BODY,
      additionalProperties: false,
    },
    arc: {
      title: "arc",
      type: "object",
      properties: { target: str("A state of the same network."), ...ARC_COMMON },
      if: { not: { required: ["target_network"] } },
      then: { title: "arc", required: ["target"] },
      additionalProperties: false,
    },
    networkArc: {
      title: "network-level arc",
      type: "object",
      properties: { from: str("The source state."), to: str("The target state."), ...ARC_COMMON },
      required: ["from"],
      if: { not: { required: ["target_network"] } },
      then: { title: "network-level arc", required: ["to"] },
      additionalProperties: false,
    },
    onError: {
      title: "on_error",
      description: "Where a record goes when this state fails: a state name or `{target}`.",
      type: ["string", "object"],
      minLength: 1,
      properties: { target: { type: "string", minLength: 1 } },
      required: ["target"],
      additionalProperties: false,
    },
    functionRef: functionRefSchema("function reference", false),
    conditionRef: functionRefSchema("condition", true),
    preTest: {
      title: "pre_test",
      description: "Legacy alias of `condition`; `{test: ...}` is also accepted.",
      if: { type: "object", required: ["test"] },
      then: { title: "pre_test", properties: { test: { type: "string", minLength: 1 } }, additionalProperties: false },
      else: ref("conditionRef"),
    },
    transformList: {
      description: "One function, or a list applied in order.",
      type: ["string", "object", "array"],
      items: ref("functionRef"),
      if: { type: ["string", "object"] },
      then: ref("functionRef"),
    },
    resourceUses: {
      description: "Resource names, or a mapping role → resource name.",
      type: ["array", "object"],
      items: { type: "string" },
      additionalProperties: { type: "string" },
    },
    fieldMapping: {
      description: "Field mapping: source field → destination field.",
      type: "object",
      additionalProperties: { type: "string" },
    },
    dataMode: {
      title: "data_mode",
      description: "A mode name, or `{default, state_overrides}`.",
      type: ["string", "object"],
      if: { type: "string" },
      then: { title: "data_mode", enum: [...DATA_MODES, ...DATA_MODES.map((m) => m.toUpperCase())] },
      properties: {
        default: { enum: DATA_MODES },
        state_overrides: { type: "object", additionalProperties: { enum: DATA_MODES } },
        copy_config: { type: "object" },
        reference_config: { type: "object" },
        direct_config: { type: "object" },
      },
      additionalProperties: false,
    },
    resource: {
      title: "resource",
      type: "object",
      properties: {
        name: str("Resource name, unique in the machine."),
        type: str(
          "Resource kind: `sqlite`, `postgres`, `filesystem`, `http`, `llm`, `vector`, `custom`, or `database` (sqlite, or postgres with `backend: postgres`) or `vector_store`; checked against the kinds fsmc knows (docs/resources.md).",
        ),
        config: obj("Provider configuration; `${VAR}` references stay unresolved until the resource opens."),
        connection_pool_size: { type: "integer", minimum: 1 },
        timeout_seconds: { type: "number", exclusiveMinimum: 0 },
        retry_attempts: { type: "integer", minimum: 0 },
        retry_delay_seconds: { type: "number", minimum: 0 },
        health_check_interval: { type: ["integer", "null"], minimum: 1 },
      },
      required: ["name", "type"],
      additionalProperties: false,
    },
    transaction: {
      title: "transaction",
      description:
        "How database work of a run is grouped into transactions (docs/transactions.md); takes effect with a `sqlite` or `postgres` resource.",
      type: "object",
      properties: {
        mode: {
          enum: TRANSACTION_MODES,
          description:
            "`none` (default), `single` (one transaction per record), `batch` (processBatch commits every `batch_size` records) or `manual` (functions call `ctx.tx`).",
        },
        strategy: { enum: TRANSACTION_MODES, description: "The dataknobs spelling of `mode`; give one of the two." },
        batch_size: { type: "number", description: "`batch` mode: records per transaction, a whole number ≥ 1 (default 100)." },
        rollback_on_error: {
          enum: ["record", "batch", true, false],
          description:
            "`batch` mode: what a failed record rolls back: `record` (default; only its own writes) or `batch` (the whole batch); dataknobs' `true` means `batch`, `false` means `record`.",
        },
        commit_triggers: { description: "Not supported; fsmc reports an error when this key is present (use `mode: manual`)." },
        timeout_seconds: { description: "Not supported; fsmc reports an error when this key is present (use the machine's `timeout_seconds`)." },
      },
      additionalProperties: false,
    },
    retry: {
      title: "retry",
      description: "fsmc extension: retry policy of arc transforms.",
      type: "object",
      properties: {
        max_retries: { type: "integer", minimum: 0, description: "Default 3." },
        initial_delay_ms: { type: "number", minimum: 0, description: "Default 100." },
        backoff_factor: { type: "number", minimum: 1, description: "Default 2." },
        max_delay_ms: { type: "number", minimum: 0, description: "Default 10000." },
      },
      additionalProperties: false,
    },
  },
};
