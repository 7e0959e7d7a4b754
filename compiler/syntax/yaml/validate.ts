/**
 * The shape check: validates the resolved, env-substituted tree against `FSM_SCHEMA` with ajv
 * and turns ajv's errors into our diagnostics, each at the YAML key or value it is about
 * (unknown keys at the key, with "did you mean"). Strings produced by env substitution are
 * coerced to the integer, number or boolean the schema expects (`max_transitions: ${MAX}`),
 * as the reference's lax validation does; written strings are never coerced.
 * Reports FSM0131–FSM0134.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { Diagnostic } from "../../diagnostics/types.js";
import { invalidValue, missingKey, suggestNames, unknownKey, wrongType } from "../../diagnostics/factories/yaml.js";
import { FSM_SCHEMA } from "./schema.js";
import { describeNode, entryOf, headSpan, nodeAtPointer, toJson, type YMap, type YNode, type YScalar } from "./tree.js";

/** The authoring shape of a machine file (SEMANTICS §1.4). */
export type Shape = "canonical" | "list" | "dict";

let compiled: ValidateFunction | undefined;

/** The compiled validator of `FSM_SCHEMA` (compiled once per process). */
export function schemaValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false, logger: false }).compile(FSM_SCHEMA);
  return compiled;
}

/** Keys written by mistake often enough (docs, older configs) to deserve a specific hint. */
const KEY_HINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  state: {
    initial: "write `is_start: true` to mark the start state",
    start: "write `is_start: true` to mark the start state",
    end: "write `is_end: true` to mark a terminal state",
    type: "write `is_start: true` or `is_end: true` instead of a state type",
    target: "a state's transitions go in its `arcs` list",
  },
  arc: {
    to: "state-level arcs use `target`; `from`/`to` arcs go in the network-level `arcs` list",
    from: "state-level arcs use `target`; `from`/`to` arcs go in the network-level `arcs` list",
  },
  "network-level arc": { target: "network-level arcs use `to`" },
  resource: { provider: "the provider is chosen by `type`" },
  machine: {
    states: "the canonical shape declares states inside `networks[].states`",
    initial_state: "`initial_state` belongs to the simple shapes; mark the state with `is_start: true`",
  },
};

const FUNCTION_TYPE_HELP =
  "add `type: registered` (a function of the functions module) or `type: builtin`, or give inline JavaScript as `code`";

/** Checks the shape of a machine file; the result is absent when the tree is not a machine. */
export function checkShape(root: YNode, diagnostics: Diagnostic[]): { root: YMap; shape: Shape } | undefined {
  if (root.kind !== "map") {
    diagnostics.push(wrongType(["a mapping"], describeNode(root), root.span, "a machine file is a mapping with `states` or `networks`"));
    return undefined;
  }
  if (!entryOf(root, "networks") && !entryOf(root, "states")) {
    diagnostics.push(
      missingKey("states", headSpan(root), "machine", "write `states:` (a list or a mapping of states), or `networks:` with `main_network:`"),
    );
    return undefined;
  }
  const validate = schemaValidator();
  let tree: YMap = root;
  if (!validate(toJson(tree))) {
    const coerced = coerceEnvStrings(tree, validate.errors ?? []);
    if (coerced !== tree) {
      tree = coerced;
      validate(toJson(tree));
    }
  }
  const before = diagnostics.length;
  diagnostics.push(...mapErrors(tree, validate.errors ?? []));
  if (diagnostics.length > before) return undefined;
  const states = entryOf(tree, "states")?.value;
  const shape: Shape = entryOf(tree, "networks") ? "canonical" : states?.kind === "seq" ? "list" : "dict";
  return { root: tree, shape };
}

/** Types named in an ajv `type` error. */
function expectedTypes(error: ErrorObject): string[] {
  const t: unknown = error.params["type"];
  if (Array.isArray(t)) return t.map(String);
  return typeof t === "string" ? t.split(",") : [];
}

/** Converts an env-produced string to the type the schema wants (pydantic's lax rules). */
function coerce(value: string, types: readonly string[]): number | boolean | undefined {
  const text = value.trim();
  for (const t of types) {
    if (t === "integer" && /^[-+]?\d+$/.test(text)) return Number.parseInt(text, 10);
    if (t === "number" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
    if (t === "boolean") {
      const lower = text.toLowerCase();
      if (["true", "1", "yes", "on"].includes(lower)) return true;
      if (["false", "0", "no", "off"].includes(lower)) return false;
    }
  }
  return undefined;
}

function coerceEnvStrings(root: YMap, errors: readonly ErrorObject[]): YMap {
  let tree: YNode = root;
  for (const error of errors) {
    if (error.keyword !== "type") continue;
    const found = nodeAtPointer(tree, error.instancePath)?.node;
    if (!found || found.kind !== "scalar" || !found.fromEnv || typeof found.value !== "string") continue;
    const value = coerce(found.value, expectedTypes(error));
    if (value === undefined) continue;
    const replacement: YScalar = { kind: "scalar", value, span: found.span, fromEnv: true };
    tree = replaceAt(tree, error.instancePath, replacement);
  }
  return tree.kind === "map" ? tree : root;
}

function replaceAt(node: YNode, pointer: string, replacement: YNode): YNode {
  if (pointer === "") return replacement;
  const slash = pointer.indexOf("/", 1);
  const head = (slash < 0 ? pointer.slice(1) : pointer.slice(1, slash)).replace(/~1/g, "/").replace(/~0/g, "~");
  const rest = slash < 0 ? "" : pointer.slice(slash);
  if (node.kind === "map") {
    return { ...node, entries: node.entries.map((e) => (e.key === head ? { ...e, value: replaceAt(e.value, rest, replacement) } : e)) };
  }
  if (node.kind === "seq") {
    const index = Number(head);
    return { ...node, items: node.items.map((item, i) => (i === index ? replaceAt(item, rest, replacement) : item)) };
  }
  return node;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  null: "null",
};

function titleOf(error: ErrorObject): string | undefined {
  const schema: unknown = error.parentSchema;
  if (schema && typeof schema === "object" && "title" in schema && typeof schema.title === "string") return schema.title;
  return undefined;
}

function propertiesOf(error: ErrorObject): string[] {
  const schema: unknown = error.parentSchema;
  if (schema && typeof schema === "object" && "properties" in schema && schema.properties && typeof schema.properties === "object") {
    return Object.keys(schema.properties);
  }
  return [];
}

/** The key a value was written under (`execution_strategy`), or the enclosing list's key for an item. */
function fieldName(pointer: string): string {
  const parts = pointer.split("/").filter((p) => p !== "" && !/^\d+$/.test(p));
  return (parts[parts.length - 1] ?? "").replace(/~1/g, "/").replace(/~0/g, "~");
}

function mapErrors(root: YMap, errors: readonly ErrorObject[]): Diagnostic[] {
  const seen = new Set<string>();
  const relevant = errors.filter((e) => {
    if (e.keyword === "if") return false;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // A value of the wrong type gets that one error, not also its enum or range errors.
  const wrongTypeAt = new Set(relevant.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const unknownAt = new Map<string, { key: string; hint: string | undefined }[]>();
  for (const e of relevant) {
    if (e.keyword !== "additionalProperties") continue;
    const list = unknownAt.get(e.instancePath) ?? [];
    const key = String(e.params["additionalProperty"]);
    list.push({ key, hint: KEY_HINTS[titleOf(e) ?? ""]?.[key] });
    unknownAt.set(e.instancePath, list);
  }
  const out: Diagnostic[] = [];
  for (const e of relevant) {
    if (e.keyword !== "type" && wrongTypeAt.has(e.instancePath)) continue;
    const at = nodeAtPointer(root, e.instancePath);
    if (!at) continue;
    const node = at.node;
    const context = titleOf(e) ?? "this mapping";
    switch (e.keyword) {
      case "additionalProperties": {
        const key = String(e.params["additionalProperty"]);
        const entry = node.kind === "map" ? entryOf(node, key) : undefined;
        const hint = KEY_HINTS[context]?.[key];
        out.push(unknownKey(key, entry?.keySpan ?? node.span, context, propertiesOf(e), hint));
        break;
      }
      case "required": {
        const key = String(e.params["missingProperty"]);
        // An unknown key that is a misspelling of the missing one (or whose hint names it) says it all.
        const covered = (unknownAt.get(e.instancePath) ?? []).some(
          (u) => suggestNames(u.key, [key]).length > 0 || (u.hint?.includes(`\`${key}\``) ?? false),
        );
        if (covered) break;
        const span = at.entry && node.kind === "map" && node.entries.length === 0 ? at.entry.keySpan : headSpan(node);
        out.push(missingKey(key, span, context, key === "type" && context === "function reference" ? FUNCTION_TYPE_HELP : undefined));
        break;
      }
      case "type": {
        const expected = expectedTypes(e);
        const names = e.instancePath === "/states" ? ["a list", "a mapping"] : expected.map((t) => TYPE_NAMES[t] ?? t);
        out.push(wrongType(names, describeNode(node), node.span, typeHelp(node, expected)));
        break;
      }
      case "enum": {
        const allowed = Array.isArray(e.params["allowedValues"]) ? (e.params["allowedValues"] as unknown[]).map(String) : [];
        const found = node.kind === "scalar" ? String(node.value) : describeNode(node);
        const shown = allowed.filter((a) => a === a.toLowerCase() || !allowed.includes(a.toLowerCase()));
        out.push(invalidValue(`invalid value \`${found}\` for \`${fieldName(e.instancePath)}\``, node.span, found, shown));
        break;
      }
      case "minLength":
        out.push(invalidValue(`\`${fieldName(e.instancePath)}\` must not be empty`, node.span));
        break;
      default: {
        const found = node.kind === "scalar" ? `\`${String(node.value)}\`` : describeNode(node);
        out.push(invalidValue(`invalid value ${found} for \`${fieldName(e.instancePath)}\`: ${e.message ?? e.keyword}`, node.span));
      }
    }
  }
  return out;
}

function typeHelp(node: YNode, expected: readonly string[]): string | undefined {
  if (node.kind !== "scalar") return undefined;
  const v = node.value;
  if (expected.includes("boolean") && typeof v === "string" && ["yes", "no", "on", "off", "y", "n"].includes(v.toLowerCase())) {
    return `YAML 1.2 reads \`${v}\` as a string; write \`true\` or \`false\``;
  }
  if (expected.includes("string") && (typeof v === "number" || typeof v === "boolean")) {
    return "quote the value to make it a string";
  }
  if (node.fromEnv && (expected.includes("integer") || expected.includes("number"))) {
    return "the environment variable's value is not a number";
  }
  return undefined;
}
