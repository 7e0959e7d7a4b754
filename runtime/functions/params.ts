/**
 * Declared params of a builtin and the one reader that checks them. A builtin's param table is
 * both its catalogue entry (what the compiler and the docs list) and the type of what its factory
 * receives, so the two cannot drift.
 */
import { BuiltinParamsError } from "./errors.js";
import { isPlainObject, typeName } from "./values.js";

/** The JSON shape a param accepts; strings, arrays and objects must not be empty. */
export type ParamKind = "string" | "number" | "boolean" | "string[]" | "object";

/** One declared param of a builtin. */
export interface ParamSpec {
  readonly kind: ParamKind;
  readonly required: boolean;
  /** The only values a `string` param accepts. */
  readonly values?: readonly string[];
  /** The value used when an optional param is left out (documentation only; the factory applies it). */
  readonly default?: string | number | boolean;
  /** One line for the docs. */
  readonly description: string;
}

/** A builtin's params by name. */
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

type KindValue<K extends ParamKind> = K extends "string"
  ? string
  : K extends "number"
    ? number
    : K extends "boolean"
      ? boolean
      : K extends "string[]"
      ? readonly string[]
      : Readonly<Record<string, unknown>>;

/** The checked params a factory receives: required ones always set, optional ones maybe. */
export type ParamValues<S extends ParamSpecs> = {
  readonly [K in keyof S as S[K]["required"] extends true ? K : never]: KindValue<S[K]["kind"]>;
} & {
  readonly [K in keyof S as S[K]["required"] extends true ? never : K]?: KindValue<S[K]["kind"]>;
};

/**
 * Checks `params` against `specs` for the builtin `functionName`: every required param present,
 * no unknown param, each of its declared kind; throws a `BuiltinParamsError` naming the param.
 */
export function readParams<S extends ParamSpecs>(
  functionName: string,
  specs: S,
  params: Readonly<Record<string, unknown>> | undefined,
): ParamValues<S> {
  // `?? {}` also covers null, which untyped callers pass for YAML `params:` left empty.
  const given: unknown = params ?? {};
  if (!isPlainObject(given)) {
    throw new BuiltinParamsError(functionName, null, `params must be an object, got ${typeName(given)}`);
  }
  const known = Object.keys(specs);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) {
      const list = known.length === 0 ? "it takes no params" : `known params: ${known.join(", ")}`;
      throw new BuiltinParamsError(functionName, name, `is not a param of this function (${list})`);
    }
  }
  const checked: Record<string, unknown> = {};
  for (const name of known) {
    const spec = specs[name];
    if (spec === undefined) continue;
    const value = given[name];
    if (value === undefined) {
      if (spec.required) throw new BuiltinParamsError(functionName, name, "is required");
      continue;
    }
    checkKind(functionName, name, spec, value);
    // Defined as own data so that a `__proto__` param can never reach the prototype.
    Object.defineProperty(checked, name, { value, enumerable: true });
  }
  // The loop above checked every declared param against its kind, which is what ParamValues<S> says.
  return checked as ParamValues<S>;
}

function checkKind(functionName: string, name: string, spec: ParamSpec, value: unknown): void {
  const problem = kindProblem(spec, value);
  if (problem !== null) throw new BuiltinParamsError(functionName, name, problem);
}

/** What is wrong with `value` as a param of `spec`, or null when nothing is. */
function kindProblem(spec: ParamSpec, value: unknown): string | null {
  switch (spec.kind) {
    case "string":
      if (typeof value !== "string") return `must be a string, got ${typeName(value)}`;
      if (value === "") return "must not be empty";
      if (spec.values !== undefined && !spec.values.includes(value)) {
        return `must be one of ${spec.values.map((v) => `"${v}"`).join(", ")}, got ${JSON.stringify(value)}`;
      }
      return null;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : `must be a finite number, got ${typeName(value)}`;
    case "boolean":
      return typeof value === "boolean" ? null : `must be true or false, got ${typeName(value)}`;
    case "string[]": {
      if (!Array.isArray(value)) return `must be an array of strings, got ${typeName(value)}`;
      if (value.length === 0) return "must not be empty";
      const items: readonly unknown[] = value;
      for (const [i, item] of items.entries()) {
        if (typeof item !== "string") return `must contain only strings, item ${i} is ${typeName(item)}`;
        if (item === "") return `must contain only non-empty strings, item ${i} is empty`;
      }
      return null;
    }
    case "object":
      if (!isPlainObject(value)) return `must be an object, got ${typeName(value)}`;
      return Object.keys(value).length === 0 ? "must not be empty" : null;
    default:
      return assertNever(spec.kind);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected param kind ${String(value)}`);
}
