/**
 * Builtin transformers (`transformers.*`, SEMANTICS §10.2, decision E4): each returns a fresh
 * record and never changes the one it was given. Values are copied shallowly: a nested object
 * the transformer does not rewrite is shared between the input and the result.
 */
import { defineBuiltin, type BuiltinEntry, type BuiltinTransformer } from "./entry.js";
import { BuiltinInputError, BuiltinParamsError } from "./errors.js";
import type { ParamSpecs, ParamValues } from "./params.js";
import { expectRecord, isPlainObject, isPresent, put, typeName } from "./values.js";

const MAPPING_PARAMS = {
  mapping: { kind: "object", required: true, description: "old field name → new field name" },
} as const satisfies ParamSpecs;

/**
 * Renames the mapped fields that are present and keeps every other field; renames happen all at
 * once (`{a: b, b: a}` swaps), and a renamed value wins over a field that already had its new name.
 */
function mapFields({ mapping }: ParamValues<typeof MAPPING_PARAMS>, name: string): BuiltinTransformer {
  const renames = new Map<string, string>();
  const sourceOf = new Map<string, string>();
  for (const [from, to] of Object.entries(mapping)) {
    if (typeof to !== "string" || to === "") {
      throw new BuiltinParamsError(name, "mapping", `must map \`${from}\` to a non-empty field name, got ${typeName(to)}`);
    }
    const other = sourceOf.get(to);
    if (other !== undefined) {
      throw new BuiltinParamsError(name, "mapping", `maps both \`${other}\` and \`${from}\` to \`${to}\``);
    }
    sourceOf.set(to, from);
    renames.set(from, to);
  }
  return (data) => {
    const record = expectRecord(name, data);
    const renamedInto = new Set<string>();
    for (const [from, to] of renames) if (Object.hasOwn(record, from)) renamedInto.add(to);
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      const to = renames.get(key);
      if (to !== undefined) put(result, to, record[key]);
      else if (!renamedInto.has(key)) put(result, key, record[key]);
    }
    return result;
  };
}

const FILTER_PARAMS = {
  fields: { kind: "string[]", required: true, description: "the fields to keep; all others are dropped" },
} as const satisfies ParamSpecs;

/** Keeps only the listed fields that are present, in the order listed. */
function filterFields({ fields }: ParamValues<typeof FILTER_PARAMS>, name: string): BuiltinTransformer {
  const kept = [...new Set(fields)];
  return (data) => {
    const record = expectRecord(name, data);
    const result: Record<string, unknown> = {};
    for (const field of kept) if (Object.hasOwn(record, field)) put(result, field, record[field]);
    return result;
  };
}

const DEFAULTS_PARAMS = {
  defaults: { kind: "object", required: true, description: "field → value used when the field is missing or undefined" },
} as const satisfies ParamSpecs;

/** Sets each default whose field is missing or undefined; a field holding null is kept. */
function setDefaults({ defaults }: ParamValues<typeof DEFAULTS_PARAMS>, name: string): BuiltinTransformer {
  const entries = Object.entries(cloneParam(name, "defaults", defaults));
  return (data) => {
    const record = expectRecord(name, data);
    const result: Record<string, unknown> = { ...record };
    for (const [field, value] of entries) {
      // Objects and arrays are copied per record, so one record's changes never reach the next.
      if (!isPresent(result, field)) put(result, field, typeof value === "object" && value !== null ? structuredClone(value) : value);
    }
    return result;
  };
}

function cloneParam(name: string, param: string, value: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  try {
    return structuredClone(value);
  } catch (error) {
    if (error instanceof DOMException && error.name === "DataCloneError") {
      throw new BuiltinParamsError(name, param, `must hold only JSON-like values: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** The normalizations `normalize` offers; `strip` is Python's name for `trim`. */
const NORMALIZERS = {
  lowercase: (text: string) => text.toLowerCase(),
  strip: (text: string) => text.trim(),
  trim: (text: string) => text.trim(),
  uppercase: (text: string) => text.toUpperCase(),
} as const;

const NORMALIZE_PARAMS = {
  name: {
    kind: "string",
    required: true,
    values: Object.keys(NORMALIZERS),
    description: "the normalization: uppercase, lowercase, trim or strip (the same as trim)",
  },
  fields: { kind: "string[]", required: false, description: "the fields to normalize; default: every string field" },
} as const satisfies ParamSpecs;

/** Applies the named normalization to every top-level string field, or to the listed fields that hold strings. */
function normalize({ name: normalization, fields }: ParamValues<typeof NORMALIZE_PARAMS>, name: string): BuiltinTransformer {
  const apply = normalizerFor(name, normalization);
  const only = fields === undefined ? undefined : [...new Set(fields)];
  return (data) => {
    const record = expectRecord(name, data);
    const result: Record<string, unknown> = { ...record };
    for (const field of only ?? Object.keys(record)) {
      const value = result[field];
      if (typeof value === "string" && Object.hasOwn(result, field)) put(result, field, apply(value));
    }
    return result;
  };
}

function normalizerFor(name: string, normalization: string): (text: string) => string {
  switch (normalization) {
    case "lowercase":
    case "strip":
    case "trim":
    case "uppercase":
      return NORMALIZERS[normalization];
    default:
      // readParams already limited `name` to the keys of NORMALIZERS; this guards a future edit.
      throw new BuiltinParamsError(name, "name", `has no normalization ${JSON.stringify(normalization)}`);
  }
}

const FLATTEN_PARAMS = {
  separator: { kind: "string", required: false, default: ".", description: "put between the keys of a nested path" },
} as const satisfies ParamSpecs;

/**
 * Replaces nested plain objects by their leaves under joined keys (`{a: {b: 1}}` → `{"a.b": 1}`);
 * arrays and other values are leaves, an empty object stays `{}`.
 */
function flatten({ separator = "." }: ParamValues<typeof FLATTEN_PARAMS>, name: string): BuiltinTransformer {
  return (data) => {
    const record = expectRecord(name, data);
    const result: Record<string, unknown> = {};
    flattenInto(result, undefined, record, { name, separator, ancestors: new Set([record]) });
    return result;
  };
}

interface FlattenRun {
  readonly name: string;
  readonly separator: string;
  /** The objects on the current path, to stop on a cycle instead of overflowing the stack. */
  readonly ancestors: Set<object>;
}

function flattenInto(result: Record<string, unknown>, prefix: string | undefined, source: Record<string, unknown>, run: FlattenRun): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    const path = prefix === undefined ? key : `${prefix}${run.separator}${key}`;
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      if (run.ancestors.has(value)) throw new BuiltinInputError(run.name, `the record is cyclic at \`${path}\``);
      run.ancestors.add(value);
      flattenInto(result, path, value, run);
      run.ancestors.delete(value);
      continue;
    }
    // Two different paths can join to the same key ({"a.b": 1, a: {b: 2}}); keeping one would lose data.
    if (Object.hasOwn(result, path)) throw new BuiltinInputError(run.name, `two fields flatten to the same key \`${path}\``);
    put(result, path, isPlainObject(value) ? {} : value);
  }
}

/** The builtin transformers, in no particular order (the registry sorts them). */
export const TRANSFORMERS: readonly BuiltinEntry[] = [
  defineBuiltin(
    {
      name: "transformers.map_fields",
      kind: "transformer",
      summary: "Renames fields by a mapping and keeps all other fields.",
      params: MAPPING_PARAMS,
    },
    mapFields,
  ),
  defineBuiltin(
    {
      name: "transformers.rename_fields",
      kind: "transformer",
      summary: "Renames fields by a mapping and keeps all other fields (same as map_fields).",
      params: MAPPING_PARAMS,
    },
    mapFields,
  ),
  defineBuiltin(
    {
      name: "transformers.filter_fields",
      kind: "transformer",
      summary: "Keeps only the listed fields.",
      params: FILTER_PARAMS,
    },
    filterFields,
  ),
  defineBuiltin(
    {
      name: "transformers.set_defaults",
      kind: "transformer",
      summary: "Fills fields that are missing or undefined with default values.",
      params: DEFAULTS_PARAMS,
    },
    setDefaults,
  ),
  defineBuiltin(
    {
      name: "transformers.normalize",
      kind: "transformer",
      summary: "Uppercases, lowercases or trims every string field, or only the listed ones.",
      params: NORMALIZE_PARAMS,
    },
    normalize,
  ),
  defineBuiltin(
    {
      name: "transformers.flatten",
      kind: "transformer",
      summary: "Turns nested objects into top-level fields with joined keys.",
      params: FLATTEN_PARAMS,
    },
    flatten,
  ),
];
