/**
 * Builtin validators (`validators.*`, SEMANTICS §10.1): each returns `true` or `[false, reason]`,
 * so the same function works as a pre-validator, a validator or a condition. Single-field
 * validators pass a record that lacks the field; pair them with `required_fields` to demand it.
 */
import { defineBuiltin, type BuiltinEntry, type BuiltinValidator, type ValidatorResult } from "./entry.js";
import { BuiltinParamsError } from "./errors.js";
import type { ParamSpecs, ParamValues } from "./params.js";
import { isPresent, isRecordObject, quoteValue, typeName } from "./values.js";

const FIELDS_PARAMS = {
  fields: { kind: "string[]", required: true, description: "the fields that must be present and not null" },
} as const satisfies ParamSpecs;

/** Passes when every listed field is present and not null (`undefined` counts as missing). */
function requiredFields({ fields }: ParamValues<typeof FIELDS_PARAMS>): BuiltinValidator {
  const wanted = [...new Set(fields)];
  return (data: unknown): ValidatorResult => {
    if (!isRecordObject(data)) return notAnObject(data);
    const missing = wanted.filter((field) => !isPresent(data, field));
    if (missing.length > 0) return [false, `Missing required fields: ${missing.join(", ")}`];
    const nulls = wanted.filter((field) => data[field] === null);
    if (nulls.length > 0) return [false, `Fields cannot be null: ${nulls.join(", ")}`];
    return true;
  };
}

/** The type names `type_check` accepts, each with its test. */
const TYPE_TESTS = {
  array: (value: unknown) => Array.isArray(value),
  boolean: (value: unknown) => typeof value === "boolean",
  // Q28 fixed: `integer` is a whole number and never a boolean; `number` accepts integers.
  integer: (value: unknown) => Number.isInteger(value),
  null: (value: unknown) => value === null,
  number: (value: unknown) => typeof value === "number" && !Number.isNaN(value),
  object: (value: unknown) => isRecordObject(value),
  string: (value: unknown) => typeof value === "string",
} as const;

type TypeName = keyof typeof TYPE_TESTS;

/** Python spellings a dataknobs config may carry, for a "did you mean" on a wrong type name. */
const PYTHON_TYPE_NAMES: Readonly<Record<string, TypeName>> = {
  bool: "boolean",
  dict: "object",
  float: "number",
  int: "integer",
  list: "array",
  none: "null",
  str: "string",
};

const TYPE_PARAMS = {
  types: {
    kind: "object",
    required: true,
    description: `field → expected type, one of ${Object.keys(TYPE_TESTS).join(", ")}`,
  },
} as const satisfies ParamSpecs;

/** Passes when every listed field that is present has the named type. */
function typeCheck({ types }: ParamValues<typeof TYPE_PARAMS>, name: string): BuiltinValidator {
  const checks = Object.entries(types).map(([field, type]): readonly [string, TypeName] => [
    field,
    typeNameParam(name, field, type),
  ]);
  return (data: unknown): ValidatorResult => {
    if (!isRecordObject(data)) return notAnObject(data);
    const problems: string[] = [];
    for (const [field, type] of checks) {
      if (!isPresent(data, field)) continue;
      const value = data[field];
      if (!TYPE_TESTS[type](value)) problems.push(`${field}: Expected ${type}, got ${typeName(value)}`);
    }
    return problems.length === 0 ? true : [false, problems.join("; ")];
  };
}

function isTypeName(type: unknown): type is TypeName {
  return typeof type === "string" && Object.hasOwn(TYPE_TESTS, type);
}

function typeNameParam(name: string, field: string, type: unknown): TypeName {
  if (isTypeName(type)) return type;
  const known = Object.keys(TYPE_TESTS).join(", ");
  const hint = typeof type === "string" ? PYTHON_TYPE_NAMES[type.toLowerCase()] : undefined;
  const got = typeof type === "string" ? JSON.stringify(type) : typeName(type);
  const suggestion = hint === undefined ? "" : ` (did you mean "${hint}"?)`;
  throw new BuiltinParamsError(name, "types", `gives field \`${field}\` the unknown type ${got}${suggestion}; known types: ${known}`);
}

const RANGE_PARAMS = {
  field: { kind: "string", required: true, description: "the numeric field to check" },
  min: { kind: "number", required: false, description: "smallest allowed value (inclusive)" },
  max: { kind: "number", required: false, description: "largest allowed value (inclusive)" },
} as const satisfies ParamSpecs;

/** Passes when the field, if present, is a number within `[min, max]`. */
function range({ field, min, max }: ParamValues<typeof RANGE_PARAMS>, name: string): BuiltinValidator {
  checkBounds(name, min, max);
  return (data: unknown): ValidatorResult => {
    if (!isRecordObject(data)) return notAnObject(data);
    if (!isPresent(data, field)) return true;
    const value = data[field];
    if (typeof value !== "number" || Number.isNaN(value)) {
      return [false, `${field}: Expected numeric value, got ${typeName(value)}`];
    }
    if (min !== undefined && value < min) return [false, `${field}: Value ${value} is below minimum ${min}`];
    if (max !== undefined && value > max) return [false, `${field}: Value ${value} is above maximum ${max}`];
    return true;
  };
}

const PATTERN_PARAMS = {
  field: { kind: "string", required: true, description: "the string field to check" },
  pattern: { kind: "string", required: true, description: "a JavaScript regular expression the value must match" },
} as const satisfies ParamSpecs;

/** Passes when the field, if present, is a string in which the regular expression finds a match. */
function pattern({ field, pattern: source }: ParamValues<typeof PATTERN_PARAMS>, name: string): BuiltinValidator {
  const regex = compilePattern(name, source);
  return (data: unknown): ValidatorResult => {
    if (!isRecordObject(data)) return notAnObject(data);
    if (!isPresent(data, field)) return true;
    const value = data[field];
    if (typeof value !== "string") return [false, `${field}: Expected string value, got ${typeName(value)}`];
    return regex.test(value) ? true : [false, `${field}: Value ${quoteValue(value)} does not match pattern /${source}/`];
  };
}

function compilePattern(name: string, source: string): RegExp {
  try {
    // No flags: without `g` or `y`, `test` keeps no state between records.
    return new RegExp(source);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new BuiltinParamsError(name, "pattern", `is not a valid regular expression: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

const LENGTH_PARAMS = {
  field: { kind: "string", required: true, description: "the string or array field to check" },
  min: { kind: "number", required: false, description: "smallest allowed length (inclusive)" },
  max: { kind: "number", required: false, description: "largest allowed length (inclusive)" },
} as const satisfies ParamSpecs;

/** Passes when the field, if present, is a string or array whose length lies within `[min, max]`. */
function length({ field, min, max }: ParamValues<typeof LENGTH_PARAMS>, name: string): BuiltinValidator {
  for (const [param, bound] of [["min", min], ["max", max]] as const) {
    if (bound !== undefined && (!Number.isInteger(bound) || bound < 0)) {
      throw new BuiltinParamsError(name, param, `must be a whole number of 0 or more, got ${bound}`);
    }
  }
  checkBounds(name, min, max);
  return (data: unknown): ValidatorResult => {
    if (!isRecordObject(data)) return notAnObject(data);
    if (!isPresent(data, field)) return true;
    const value = data[field];
    let size: number;
    if (typeof value === "string") size = countCharacters(value);
    else if (Array.isArray(value)) size = value.length;
    else return [false, `${field}: Expected string or array, got ${typeName(value)}`];
    if (min !== undefined && size < min) return [false, `${field}: Length ${size} is below minimum ${min}`];
    if (max !== undefined && size > max) return [false, `${field}: Length ${size} is above maximum ${max}`];
    return true;
  };
}

/** Characters as a reader counts them (Unicode code points), not UTF-16 units: "é😀" has 2. */
function countCharacters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    count++;
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}

function checkBounds(name: string, min: number | undefined, max: number | undefined): void {
  if (min === undefined && max === undefined) {
    throw new BuiltinParamsError(name, null, "needs param `min`, `max` or both");
  }
  if (min !== undefined && max !== undefined && min > max) {
    throw new BuiltinParamsError(name, "max", `must not be below \`min\` (min ${min}, max ${max})`);
  }
}

function notAnObject(data: unknown): ValidatorResult {
  return [false, `Expected object, got ${typeName(data)}`];
}

/** The builtin validators, in no particular order (the registry sorts them). */
export const VALIDATORS: readonly BuiltinEntry[] = [
  defineBuiltin(
    {
      name: "validators.RequiredFieldsValidator",
      kind: "validator",
      summary: "Passes when every listed field is present and not null.",
      params: FIELDS_PARAMS,
    },
    requiredFields,
  ),
  defineBuiltin(
    {
      name: "validators.required_fields",
      kind: "validator",
      summary: "Passes when every listed field is present and not null (same as RequiredFieldsValidator).",
      params: FIELDS_PARAMS,
    },
    requiredFields,
  ),
  defineBuiltin(
    {
      name: "validators.type_check",
      kind: "validator",
      summary: "Passes when every listed field that is present has the named JSON type.",
      params: TYPE_PARAMS,
    },
    typeCheck,
  ),
  defineBuiltin(
    {
      name: "validators.range",
      kind: "validator",
      summary: "Passes when the field, if present, is a number between min and max (inclusive).",
      params: RANGE_PARAMS,
    },
    range,
  ),
  defineBuiltin(
    {
      name: "validators.pattern",
      kind: "validator",
      summary: "Passes when the field, if present, is a string the regular expression matches.",
      params: PATTERN_PARAMS,
    },
    pattern,
  ),
  defineBuiltin(
    {
      name: "validators.length",
      kind: "validator",
      summary: "Passes when the field, if present, is a string or array whose length is between min and max (inclusive).",
      params: LENGTH_PARAMS,
    },
    length,
  ),
];
