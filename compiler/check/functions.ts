/** Function references: unknown builtins, builtins in the wrong slot or with wrong params, mixed sync/async uses. */
import { allFunctionUses, allStates, type BuiltinRef, type JsonValue, type Machine } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { unknownBuiltin } from "../diagnostics/factories/names.js";
import { builtinParams, builtinSlot, invalidPattern, mixedAsync, type BuiltinParamProblem } from "../diagnostics/factories/structure.js";
import {
  BUILTIN_FUNCTIONS,
  BUILTIN_PARAM_VALUES,
  BUILTIN_POSITIVE_COUNTS,
  BUILTIN_REQUIRED_WHEN,
  BUILTIN_SQL_RESOURCE_PARAMS,
  BUILTINS_WITH_BOUNDS,
  builtinSpec,
  type BuiltinParamType,
} from "./builtin-catalogue.js";
import { regexProblem } from "./schemas.js";
import { aggregateProblems } from "./stream-builtins.js";
import { resolveResource } from "./resource-kinds.js";
import type { Span } from "../source/index.js";

/** Builtin problems and registered functions used both as sync and as async. */
export function checkFunctions(machine: Machine): Diagnostic[] {
  const out: Diagnostic[] = [];
  const known = Object.keys(BUILTIN_FUNCTIONS);
  const firstAsync = new Map<string, Span>();
  const firstSync = new Map<string, Span>();
  for (const use of allFunctionUses(machine)) {
    const ref = use.ref;
    if (ref.kind === "RegisteredRef") {
      const seen = ref.isAsync ? firstAsync : firstSync;
      if (!seen.has(ref.name)) seen.set(ref.name, ref.span);
      continue;
    }
    if (ref.kind !== "BuiltinRef") continue;
    const spec = builtinSpec(ref.name);
    if (!spec) {
      out.push(unknownBuiltin(ref.name, ref.span, known));
      continue;
    }
    if (!spec.slots.includes(use.slot)) out.push(builtinSlot(ref.name, use.slot, spec.slots, ref.span));
    out.push(...checkParams(ref, machine));
  }
  for (const [name, syncSpan] of firstSync) {
    const asyncSpan = firstAsync.get(name);
    if (asyncSpan) out.push(mixedAsync(name, asyncSpan, syncSpan));
  }
  return out;
}

/** The parameters of a known builtin against its catalogue entry, mirroring the runtime's checks. */
function checkParams(ref: BuiltinRef, machine: Machine): Diagnostic[] {
  const spec = BUILTIN_FUNCTIONS[ref.name];
  if (!spec) return [];
  const params = ref.params ?? {};
  const names = Object.keys(spec.params);
  const problems: BuiltinParamProblem[] = [];
  const extra: Diagnostic[] = [];
  for (const key of Object.keys(params)) {
    if (!names.includes(key)) problems.push({ kind: "unknown", param: key, known: names });
  }
  for (const [param, { type, required }] of Object.entries(spec.params)) {
    const value = params[param];
    if (value === undefined) {
      if (required) problems.push({ kind: "missing", param });
      continue;
    }
    const problem = valueProblem(ref.name, param, type, value);
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (ref.name === "validators.pattern" && param === "pattern" && typeof value === "string") {
      // The runtime compiles builtin patterns without flags.
      const reason = regexProblem(value, "");
      if (reason !== undefined) extra.push(invalidPattern(value, reason, ref.span, "builtin"));
    }
    const special = SPECIAL_CHECKS[ref.name]?.[param];
    if (special) problems.push(...special(param, value));
  }
  for (const param of BUILTIN_POSITIVE_COUNTS[ref.name] ?? []) {
    const value = params[param];
    if (typeof value === "number" && Number.isFinite(value) && (!Number.isInteger(value) || value < 1)) problems.push({ kind: "positiveCount", param, value });
  }
  for (const rule of BUILTIN_REQUIRED_WHEN[ref.name] ?? []) {
    const other = params[rule.other];
    if (params[rule.param] === undefined && typeof other === "string" && rule.values.includes(other)) {
      problems.push({ kind: "requiredWith", param: rule.param, other: rule.other, value: other });
    }
  }
  if (ref.name === "database.batch_commit") problems.push(...legacyAtomicity(params));
  if (ref.name === "stream.aggregate") problems.push(...aggregateProblems(params));
  if (BUILTIN_SQL_RESOURCE_PARAMS.includes(ref.name) && typeof params["resource"] === "string" && params["resource"] !== "") {
    problems.push(...sqlResource(machine, params["resource"]));
  }
  if (BUILTINS_WITH_BOUNDS.includes(ref.name) && problems.length === 0) {
    const min = params["min"];
    const max = params["max"];
    if (min === undefined && max === undefined) problems.push({ kind: "bounds" });
    else if (typeof min === "number" && typeof max === "number" && min > max) problems.push({ kind: "range", min, max });
  }
  return [...problems.map((p) => builtinParams(ref.name, p, ref.span)), ...extra];
}

/** Resource kinds the database builtins can work on (`custom`: the provider's handle is checked when the builtin runs). */
const SQL_KINDS: readonly string[] = ["sqlite", "postgres", "custom"];

/**
 * The `resource` of a database builtin must name a declared SQL resource or a role bound to one
 * somewhere in the machine (runtime: database.ts `targetOf`; whether the running state or arc
 * declares it is the runtime's FSMR0005).
 */
function sqlResource(machine: Machine, value: string): BuiltinParamProblem[] {
  const kinds = new Map(machine.resources.map((r) => [r.name, resolveResource(r.type, r.config)?.kind.kind ?? r.type]));
  const isSql = (name: string): boolean => SQL_KINDS.includes(kinds.get(name) ?? "");
  const known = new Set([...kinds.keys()].filter(isSql));
  const uses = [
    ...machine.networks.flatMap((n) => n.resources),
    ...[...allStates(machine)].flatMap(({ state }) => [...state.resources, ...state.arcs.flatMap((arc) => arc.resources)]),
  ];
  for (const use of uses) if (isSql(use.name)) known.add(use.role);
  if (known.has(value)) return [];
  const actualKind = kinds.get(value);
  const list = [...known].sort();
  return [{ kind: "sqlResource", param: "resource", value, known: list, ...(actualKind !== undefined ? { actualKind } : {}) }];
}

/** `use_transaction` (legacy: true is `require`, false `best_effort`) must agree with `atomicity` (runtime: database.ts `atomicityOf`). */
function legacyAtomicity(params: Readonly<Record<string, JsonValue>>): BuiltinParamProblem[] {
  const legacy = params["use_transaction"];
  const atomicity = params["atomicity"];
  if (typeof legacy !== "boolean" || typeof atomicity !== "string") return [];
  const meant = legacy ? "require" : "best_effort";
  return meant === atomicity ? [] : [{ kind: "contradicts", param: "use_transaction", other: "atomicity", reason: `\`use_transaction: ${legacy}\` means atomicity \`${meant}\`, not \`${atomicity}\`` }];
}

/** A check of one param's value beyond its catalogue type, run once the type is right. */
type SpecialCheck = (param: string, value: JsonValue) => BuiltinParamProblem[];

/** `length` bounds count characters or items (runtime: validators.ts `length`). */
const wholeNumber: SpecialCheck = (param, value) =>
  typeof value === "number" && (!Number.isInteger(value) || value < 0) ? [{ kind: "wholeNumber", param, value }] : [];

/** A rename mapping: each value a non-empty string, no two fields renamed to one name (runtime: transformers.ts `mapFields`). */
const renameMapping: SpecialCheck = (param, value) => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  const sourceOf = new Map<string, string>();
  for (const [from, to] of Object.entries(value)) {
    if (typeof to !== "string" || to === "") {
      // The runtime stops at the first bad entry; so does the report.
      return [{ kind: "mappingValue", param, from, actual: to === "" ? "an empty string" : jsonTypeName(to) }];
    }
    const other = sourceOf.get(to);
    if (other !== undefined) return [{ kind: "mappingTarget", param, first: other, second: from, to }];
    sourceOf.set(to, from);
  }
  return [];
};

/**
 * Value rules the catalogue's types do not express, by builtin then param; each mirrors a check
 * the runtime's factory makes (runtime/functions), so a build never passes params the runtime rejects.
 */
const SPECIAL_CHECKS: Readonly<Record<string, Readonly<Record<string, SpecialCheck>>>> = {
  "validators.length": { min: wholeNumber, max: wholeNumber },
  "transformers.map_fields": { mapping: renameMapping },
  "transformers.rename_fields": { mapping: renameMapping },
};

function valueProblem(builtin: string, param: string, type: BuiltinParamType, value: JsonValue): BuiltinParamProblem | undefined {
  const allowed = BUILTIN_PARAM_VALUES[builtin]?.[param];
  const wrong = (expected: string): BuiltinParamProblem => ({ kind: "type", param, expected, actual: jsonTypeName(value) });
  switch (type) {
    case "any":
      return undefined;
    case "boolean":
      return typeof value === "boolean" ? undefined : wrong("a boolean");
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : wrong("a number");
    case "string":
      if (typeof value !== "string") return wrong("a string");
      if (value === "") return { kind: "empty", param };
      if (allowed && !allowed.includes(value)) return { kind: "value", param, value, allowed };
      return undefined;
    case "string[]":
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) return wrong("a list of strings");
      if (value.length === 0 || value.some((v) => v === "")) return { kind: "empty", param };
      return undefined;
    case "object": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return wrong("an object");
      const entries = Object.entries(value);
      if (entries.length === 0) return { kind: "empty", param };
      if (allowed) {
        for (const [, v] of entries) {
          const text = typeof v === "string" ? v : JSON.stringify(v);
          if (!allowed.includes(text)) return { kind: "value", param, value: text, allowed };
        }
      }
      return undefined;
    }
  }
}

function jsonTypeName(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    default:
      return "an object";
  }
}
