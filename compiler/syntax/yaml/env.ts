/**
 * Environment-variable substitution in string values (SEMANTICS §1.2): `${VAR}`,
 * `${VAR:default}`, `${VAR:-default}`, `${VAR:?message}`, several per string; `$VAR` stays
 * literal; `FSM_VAR` is the fallback for an unset `VAR`; results stay strings. Keys are never
 * substituted. Two places keep `${...}` as written: `resources[].config` (decision E10, resolved
 * when the resource opens) and inline code in function positions (JavaScript template literals
 * use `${...}`).
 */
import type { Diagnostic } from "../../diagnostics/types.js";
import { envVarNotSet } from "../../diagnostics/factories/yaml.js";
import { valueSubSpan, type YNode, type YScalar } from "./tree.js";

/** The environment as the host gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** An unset required variable found in a string, with its character range. */
export interface EnvProblem {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  /** The `:?` message, when the reference has one. */
  readonly message?: string;
}

const REFERENCE = /\$\{([^}]*)\}/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-?]?)([\s\S]*))?$/;

/** The value of `name`, falling back to `FSM_<name>` (the unprefixed variable wins). */
export function lookupEnv(name: string, env: Env): string | undefined {
  const direct = env[name];
  if (direct !== undefined) return direct;
  return name.startsWith("FSM_") ? undefined : env[`FSM_${name}`];
}

/** Substitutes every `${...}` reference of `text`. */
export function substituteString(text: string, env: Env): { value: string; changed: boolean; problems: EnvProblem[] } {
  const problems: EnvProblem[] = [];
  let changed = false;
  const value = text.replace(REFERENCE, (whole: string, inner: string, offset: number) => {
    const m = INNER.exec(inner);
    if (!m) return whole; // `${data.x}` and the like are not variable references
    const name = m[1] ?? "";
    const modifier = m[2];
    const rest = m[3];
    const found = lookupEnv(name, env);
    if (found !== undefined) {
      changed = true;
      return found;
    }
    if (rest !== undefined && modifier !== "?") {
      changed = true;
      return rest; // `${VAR:default}` and `${VAR:-default}`
    }
    const problem: EnvProblem =
      modifier === "?" ? { name, from: offset, to: offset + whole.length, message: rest ?? "" } : { name, from: offset, to: offset + whole.length };
    problems.push(problem);
    return whole;
  });
  return { value, changed, problems };
}

type PathSegment = string | number;

const CODE_KEYS = new Set(["condition", "pre_test", "transform", "validator", "code"]);
const CODE_LISTS = new Set(["transforms", "validators", "pre_validators", "transform", "validator"]);

/** True for a string in a function position, where `${...}` is JavaScript, not an env reference. */
function isCodeString(path: readonly PathSegment[]): boolean {
  if (path.includes("metadata") || path.includes("params")) return false;
  const last = path[path.length - 1];
  const prev = path[path.length - 2];
  if (typeof last === "string" && CODE_KEYS.has(last)) return true;
  if (typeof last === "number" && typeof prev === "string" && CODE_LISTS.has(prev)) return true;
  if (last === "test" && prev === "pre_test") return true;
  return last === "validate" && prev === "functions";
}

/** True for `resources[i].config` of the root mapping (decision E10). */
function isResourceConfig(path: readonly PathSegment[]): boolean {
  return path.length === 3 && path[0] === "resources" && typeof path[1] === "number" && path[2] === "config";
}

/** Substitutes env references in every string value of the tree, except the two kept places. */
export function substituteEnv(root: YNode, env: Env, diagnostics: Diagnostic[]): YNode {
  const walk = (node: YNode, path: PathSegment[]): YNode => {
    if (isResourceConfig(path)) return node;
    switch (node.kind) {
      case "map":
        return { ...node, entries: node.entries.map((e) => ({ ...e, value: walk(e.value, [...path, e.key]) })) };
      case "seq":
        return { ...node, items: node.items.map((item, i) => walk(item, [...path, i])) };
      case "scalar":
        return typeof node.value === "string" && !isCodeString(path) ? substituteScalar(node, env, diagnostics) : node;
    }
  };
  return walk(root, []);
}

/** Substitutes one string scalar, reporting unset variables at their place in the source. */
export function substituteScalar(node: YScalar, env: Env, diagnostics: Diagnostic[]): YScalar {
  if (typeof node.value !== "string" || !node.value.includes("${")) return node;
  const result = substituteString(node.value, env);
  for (const p of result.problems) diagnostics.push(envVarNotSet(p.name, valueSubSpan(node, p.from, p.to), p.message));
  if (!result.changed) return node;
  // The text no longer matches the source character for character: drop the map.
  return { kind: "scalar", value: result.value, span: node.span, fromEnv: true };
}
