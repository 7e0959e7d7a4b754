/**
 * The built-in function library as the compiler knows it: names, the slots each may fill, and
 * their parameters (types, required ones, the values a parameter is restricted to, and the rules
 * across parameters that `check/functions.ts` applies). The runtime implements exactly this set (runtime/functions); a test
 * compares the two, so adding a builtin means adding it in both places.
 */

/** A function slot a builtin may fill. */
export type BuiltinSlot = "preValidator" | "transform" | "validator" | "condition" | "arcTransform";

/** The JSON type a builtin parameter takes. */
export type BuiltinParamType = "string" | "number" | "boolean" | "string[]" | "object" | "any";

/** One builtin: where it may be used, its parameters, and a one-line description. */
export interface BuiltinSpec {
  readonly slots: readonly BuiltinSlot[];
  readonly params: Readonly<Record<string, { readonly type: BuiltinParamType; readonly required: boolean }>>;
  readonly doc: string;
  /** True when it always answers with a promise (file I/O): a machine that uses it is asynchronous. */
  readonly isAsync?: boolean;
}

const VALIDATOR_SLOTS: readonly BuiltinSlot[] = ["preValidator", "validator", "condition"];
const TRANSFORMER_SLOTS: readonly BuiltinSlot[] = ["transform", "arcTransform"];

const requiredFields: BuiltinSpec = {
  slots: VALIDATOR_SLOTS,
  params: { fields: { type: "string[]", required: true } },
  doc: "Fails unless every field in `fields` is present and not null.",
};

const mapFields = (doc: string): BuiltinSpec => ({
  slots: TRANSFORMER_SLOTS,
  params: { mapping: { type: "object", required: true } },
  doc,
});

/** Every builtin, by the name used in `{type: builtin, name}` (YAML) or by name (DSL). */
export const BUILTIN_FUNCTIONS: Readonly<Record<string, BuiltinSpec>> = {
  "validators.RequiredFieldsValidator": requiredFields,
  "validators.required_fields": requiredFields,
  "validators.type_check": {
    slots: VALIDATOR_SLOTS,
    params: { types: { type: "object", required: true } },
    doc: "Fails unless each present field named in `types` has that JSON type (`string`, `number`, `integer`, `boolean`, `array`, `object`, `null`).",
  },
  "validators.range": {
    slots: VALIDATOR_SLOTS,
    params: {
      field: { type: "string", required: true },
      min: { type: "number", required: false },
      max: { type: "number", required: false },
    },
    doc: "Fails unless `field`, when present, is a number within `min`..`max` (inclusive).",
  },
  "validators.pattern": {
    slots: VALIDATOR_SLOTS,
    params: {
      field: { type: "string", required: true },
      pattern: { type: "string", required: true },
    },
    doc: "Fails unless `field`, when present, is a string matching the regular expression `pattern`.",
  },
  "validators.length": {
    slots: VALIDATOR_SLOTS,
    params: {
      field: { type: "string", required: true },
      min: { type: "number", required: false },
      max: { type: "number", required: false },
    },
    doc: "Fails unless `field`, when present, has a length within `min`..`max` (inclusive).",
  },
  "transformers.map_fields": mapFields("Copies each field `from` of `mapping` to the field `to`, dropping `from`."),
  "transformers.rename_fields": mapFields("Renames each field `from` of `mapping` to `to`."),
  "transformers.filter_fields": {
    slots: TRANSFORMER_SLOTS,
    params: { fields: { type: "string[]", required: true } },
    doc: "Keeps only the fields listed in `fields`.",
  },
  "transformers.set_defaults": {
    slots: TRANSFORMER_SLOTS,
    params: { defaults: { type: "object", required: true } },
    doc: "Sets each field of `defaults` that is absent (or null) in the record.",
  },
  "transformers.normalize": {
    slots: TRANSFORMER_SLOTS,
    params: {
      name: { type: "string", required: true },
      fields: { type: "string[]", required: false },
    },
    doc: "Applies the string normalization `name` (uppercase, lowercase, trim, strip) to every string field, or only to `fields`.",
  },
  "transformers.flatten": {
    slots: TRANSFORMER_SLOTS,
    params: { separator: { type: "string", required: false } },
    doc: "Flattens nested objects into top-level fields joined by `separator` (default `.`).",
  },
  "database.fetch": {
    slots: TRANSFORMER_SLOTS,
    params: {
      resource: { type: "string", required: true },
      query: { type: "string", required: true },
      params: { type: "object", required: false },
      fetch_one: { type: "boolean", required: false },
    },
    doc: "Runs `query` on the SQL resource `resource` with named parameters from `params` and the record's `param_*` fields; adds `records` (or `record` with `fetch_one`).",
  },
  "database.query": {
    slots: TRANSFORMER_SLOTS,
    params: {
      resource: { type: "string", required: true },
      query_field: { type: "string", required: false },
      params_field: { type: "string", required: false },
      result_field: { type: "string", required: false },
    },
    doc: "Runs the SQL in the record field `query_field` with the parameters in `params_field`; adds the rows as `result_field`.",
  },
  "database.upsert": {
    slots: TRANSFORMER_SLOTS,
    params: {
      resource: { type: "string", required: true },
      table: { type: "string", required: true },
      key_columns: { type: "string[]", required: true },
      value_columns: { type: "string[]", required: false },
      on_conflict: { type: "string", required: false },
    },
    doc: "Inserts or updates `records` (else `record`, else the record) in `table` by `key_columns`; adds `upserted_count`.",
  },
  "database.bulk_insert": {
    slots: TRANSFORMER_SLOTS,
    params: {
      resource: { type: "string", required: true },
      table: { type: "string", required: true },
      columns: { type: "string[]", required: false },
      chunk_size: { type: "number", required: false },
      on_duplicate: { type: "string", required: false },
      key_columns: { type: "string[]", required: false },
    },
    doc: "Inserts `records` (else `record`, else the record) into `table` in chunks of `chunk_size`, in one transaction; adds `inserted_count`.",
  },
  "database.batch_commit": {
    slots: TRANSFORMER_SLOTS,
    params: {
      resource: { type: "string", required: true },
      table: { type: "string", required: true },
      batch_size: { type: "number", required: false },
      atomicity: { type: "string", required: false },
      key_columns: { type: "string[]", required: false },
      use_transaction: { type: "boolean", required: false },
    },
    doc: "Commits the rows of `batch` to `table`, all or nothing (`require`) or in chunks of `batch_size` (`best_effort`); adds `committed_count` and empties `batch`.",
  },
  "database.transaction": {
    slots: TRANSFORMER_SLOTS,
    params: {
      resource: { type: "string", required: true },
      action: { type: "string", required: true },
      savepoint: { type: "string", required: false },
    },
    doc: "Begins, commits or rolls back the run's transaction (needs `transaction manual`), or marks (`savepoint`) or undoes (`rollback_to`) a savepoint; adds `transaction_active`.",
  },
  "stream.chunk_reader": {
    slots: TRANSFORMER_SLOTS,
    params: {
      path: { type: "string", required: true },
      chunk_size: { type: "number", required: false },
      format: { type: "string", required: false },
    },
    doc: "Reads the next `chunk_size` items of the file `path` after the record's `_chunk_state`; adds `chunk`, `chunk_errors`, `has_more` and the new `_chunk_state` (for looping arcs).",
    isAsync: true,
  },
  "stream.parse": {
    slots: TRANSFORMER_SLOTS,
    params: {
      field: { type: "string", required: false },
      output_field: { type: "string", required: false },
      format: { type: "string", required: true },
    },
    doc: "Parses the text in `field` as `format` (json, jsonl, csv, text); adds the value as `output_field`.",
  },
  "stream.write": {
    slots: TRANSFORMER_SLOTS,
    params: {
      path: { type: "string", required: true },
      format: { type: "string", required: true },
      field: { type: "string", required: false },
      append: { type: "boolean", required: false },
    },
    doc: "Appends the object or objects in `field` to the file `path` as `format`, flushed before it returns; adds `appended_count`.",
    isAsync: true,
  },
  "stream.aggregate": {
    slots: TRANSFORMER_SLOTS,
    params: {
      aggregations: { type: "object", required: true },
      group_by: { type: "string[]", required: false },
      max_groups: { type: "number", required: false },
    },
    doc: "Keeps running `count`, `sum`, `avg`, `min` and `max` over the records this machine saw, overall or per `group_by` group (at most `max_groups`); adds `aggregation` or `aggregations`.",
  },
};

/**
 * Parameters restricted to a fixed set of strings, by builtin then parameter: a `string`
 * parameter's value, or each value of an `object` parameter, must be one of them.
 */
export const BUILTIN_PARAM_VALUES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  "validators.type_check": { types: ["array", "boolean", "integer", "null", "number", "object", "string"] },
  "transformers.normalize": { name: ["uppercase", "lowercase", "trim", "strip"] },
  "database.upsert": { on_conflict: ["update", "ignore", "error"] },
  "database.bulk_insert": { on_duplicate: ["error", "ignore", "update"] },
  "database.batch_commit": { atomicity: ["require", "best_effort"] },
  "database.transaction": { action: ["begin", "commit", "rollback", "savepoint", "rollback_to"] },
  "stream.chunk_reader": { format: ["jsonl", "csv", "json", "text"] },
  // The reference's RecordParser also read yaml and xml; fsmc's runtime has no parser for either.
  "stream.parse": { format: ["json", "jsonl", "csv", "text"] },
  "stream.write": { format: ["jsonl", "csv", "json"] },
};

/** Count parameters that must be whole numbers above 0, by builtin. */
export const BUILTIN_POSITIVE_COUNTS: Readonly<Record<string, readonly string[]>> = {
  "database.bulk_insert": ["chunk_size"],
  "database.batch_commit": ["batch_size"],
  "stream.chunk_reader": ["chunk_size"],
  "stream.aggregate": ["max_groups"],
};

/** Builtins whose `resource` parameter names a SQL resource (`sqlite`, `postgres`) or a role bound to one. */
export const BUILTIN_SQL_RESOURCE_PARAMS: readonly string[] = ["database.fetch", "database.query", "database.upsert", "database.bulk_insert", "database.batch_commit", "database.transaction"];

/** A parameter required when another has one of some values: `key_columns` with `on_duplicate: ignore`. */
export interface RequiredWhen {
  readonly param: string;
  readonly other: string;
  readonly values: readonly string[];
}

/** Parameters required only when another parameter has certain values, by builtin. */
export const BUILTIN_REQUIRED_WHEN: Readonly<Record<string, readonly RequiredWhen[]>> = {
  "database.bulk_insert": [{ param: "key_columns", other: "on_duplicate", values: ["ignore", "update"] }],
  "database.transaction": [{ param: "savepoint", other: "action", values: ["savepoint", "rollback_to"] }],
};

/** Builtins that need at least one of their `min`/`max` parameters, and `min ≤ max`. */
export const BUILTINS_WITH_BOUNDS: readonly string[] = ["validators.range", "validators.length"];

/** The builtin of this name, or undefined. */
export function builtinSpec(name: string): BuiltinSpec | undefined {
  return Object.prototype.hasOwnProperty.call(BUILTIN_FUNCTIONS, name) ? BUILTIN_FUNCTIONS[name] : undefined;
}

/** True for a builtin that answers with a promise (`stream.chunk_reader`, `stream.write`): its machine is asynchronous. */
export function isAsyncBuiltin(name: string): boolean {
  return builtinSpec(name)?.isAsync === true;
}
