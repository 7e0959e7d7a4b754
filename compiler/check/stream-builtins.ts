/**
 * Checks of the `stream.*` builtins' params that their catalogue types do not express, mirroring
 * the runtime's factories (runtime/functions/stream.ts), so a build never passes params the
 * runtime rejects when the machine is built.
 */
import type { JsonValue } from "../ir/index.js";
import type { BuiltinParamProblem } from "../diagnostics/factories/structure.js";

/** The functions of `stream.aggregate` (runtime: stream-aggregate.ts `AGGREGATE_FUNCTIONS`). */
export const AGGREGATE_FUNCTIONS: readonly string[] = ["count", "sum", "avg", "min", "max"];

/**
 * `stream.aggregate`'s `aggregations` (runtime: `readAggregations`): each output is an object
 * with a known `function`, a `field` unless it counts records, no other key, and a name that is
 * not also a `group_by` field.
 */
export function aggregateProblems(params: Readonly<Record<string, JsonValue>>): BuiltinParamProblem[] {
  const specs = params["aggregations"];
  if (!isObject(specs)) return [];
  const groupBy = params["group_by"];
  const groupFields = Array.isArray(groupBy) ? groupBy.filter((f): f is string => typeof f === "string") : [];
  const problems: BuiltinParamProblem[] = [];
  for (const [out, spec] of Object.entries(specs)) {
    const at = `aggregations.${out}`;
    if (!isObject(spec)) {
      problems.push({ kind: "type", param: at, expected: "an object `{function, field}`", actual: typeName(spec) });
      continue;
    }
    for (const key of Object.keys(spec)) {
      if (key !== "function" && key !== "field") problems.push({ kind: "unknown", param: `${at}.${key}`, known: [`${at}.function`, `${at}.field`] });
    }
    const fn = spec["function"];
    if (fn === undefined) problems.push({ kind: "missing", param: `${at}.function` });
    else if (typeof fn !== "string") problems.push({ kind: "type", param: `${at}.function`, expected: "a string", actual: typeName(fn) });
    else if (!AGGREGATE_FUNCTIONS.includes(fn)) problems.push({ kind: "value", param: `${at}.function`, value: fn, allowed: AGGREGATE_FUNCTIONS });
    const field = spec["field"];
    if (field === undefined) {
      if (typeof fn === "string" && AGGREGATE_FUNCTIONS.includes(fn) && fn !== "count") problems.push({ kind: "requiredWith", param: `${at}.field`, other: `${at}.function`, value: fn });
    } else if (typeof field !== "string") {
      problems.push({ kind: "type", param: `${at}.field`, expected: "a string", actual: typeName(field) });
    } else if (field === "") {
      problems.push({ kind: "empty", param: `${at}.field` });
    }
    if (groupFields.includes(out)) problems.push({ kind: "groupClash", param: "aggregations", name: out });
  }
  return problems;
}

function isObject(value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
