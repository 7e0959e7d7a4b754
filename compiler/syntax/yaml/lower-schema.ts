/**
 * A state's `schema` (JSON Schema) → a synthetic `RecordType` named `<State>Data`. The raw schema
 * is kept as `jsonSchema` (the emitter generates the check and the interface from it); the
 * `TypeSchema` is the subset both front ends share: object, string, number/integer, boolean,
 * null, enum/const, array, unions (`type: [..]`, `anyOf`, `oneOf`); anything else is `AnyType`.
 * The schema must itself be a valid JSON Schema (FSM0137).
 */
import { Ajv, type ErrorObject } from "ajv";
import { invalidStateSchema } from "../../diagnostics/factories/yaml.js";
import type { Field, JsonValue, RecordType, TypeSchema } from "../../ir/index.js";
import type { Span } from "../../source/index.js";
import type { LowerContext } from "./fields.js";
import { entryOf, toJsonObject, type YMap, type YNode } from "./tree.js";

let metaValidator: Ajv | undefined;

/** Problems that make `schema` an invalid JSON Schema (draft-07 meta-schema), as short lines. */
function schemaProblems(schema: YMap): string[] {
  metaValidator ??= new Ajv({ allErrors: true, strict: false, logger: false, validateSchema: true });
  const json = toJsonObject(schema);
  if (metaValidator.validateSchema(json) === true) return [];
  // One line per place: the meta-schema's `anyOf`s otherwise produce one line per branch.
  const byPlace = new Map<string, ErrorObject[]>();
  for (const e of metaValidator.errors ?? []) byPlace.set(e.instancePath, [...(byPlace.get(e.instancePath) ?? []), e]);
  return [...byPlace].map(([pointer, errors]) => {
    const where = pointer === "" ? "schema" : `schema${pointer}`;
    const enumError = errors.find((e) => e.keyword === "enum");
    const allowed: unknown = enumError?.params["allowedValues"];
    if (Array.isArray(allowed)) return `${where} must be one of ${allowed.map((v) => `\`${String(v)}\``).join(", ")}`;
    return `${where} ${errors[0]?.message ?? "is invalid"}`;
  });
}

/** `PascalCase` of a state name, safe as a TypeScript identifier. */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
  return joined === "" || /^[0-9]/.test(joined) ? `State${joined}` : joined;
}

/** Lowers a state schema into a record type; undefined (with FSM0137) when it is not a JSON Schema. */
export function lowerRecordType(name: string, schema: YMap, keySpan: Span, ctx: LowerContext): RecordType | undefined {
  const problems = schemaProblems(schema);
  if (problems.length > 0) {
    ctx.diagnostics.push(invalidStateSchema(problems, schema.span));
    return undefined;
  }
  return {
    kind: "RecordType",
    name,
    nameSpan: keySpan,
    span: schema.span,
    schema: toTypeSchema(schema),
    jsonSchema: toJsonObject(schema),
    synthetic: true,
  };
}

function scalar(node: YNode | undefined): JsonValue | undefined {
  return node?.kind === "scalar" ? node.value : undefined;
}

function numberOf(map: YMap, key: string): number | undefined {
  const v = scalar(entryOf(map, key)?.value);
  return typeof v === "number" ? v : undefined;
}

/** `base` plus the numeric keywords of `map` that are present (absent ones stay absent). */
function withNumbers<T extends object>(base: T, map: YMap, keys: readonly string[]): T {
  const present: Record<string, number> = {};
  for (const key of keys) {
    const n = numberOf(map, key);
    if (n !== undefined) present[key] = n;
  }
  return { ...base, ...present };
}

/** Converts a JSON Schema node to the IR's type subset. */
export function toTypeSchema(node: YNode): TypeSchema {
  const span = node.span;
  if (node.kind !== "map") return { kind: "AnyType", span };
  const enumNode = entryOf(node, "enum")?.value;
  if (enumNode?.kind === "seq") {
    const values = enumNode.items.map(scalar).filter((v): v is string | number | boolean | null => v !== undefined && (v === null || typeof v !== "object"));
    return { kind: "EnumType", values, span };
  }
  const constNode = entryOf(node, "const")?.value;
  if (constNode?.kind === "scalar") return { kind: "EnumType", values: [constNode.value], span };
  const union = entryOf(node, "anyOf")?.value ?? entryOf(node, "oneOf")?.value;
  if (union?.kind === "seq") return { kind: "UnionType", members: union.items.map(toTypeSchema), span };
  const typeNode = entryOf(node, "type")?.value;
  if (typeNode?.kind === "seq") {
    const members = typeNode.items.map((t) => typeFor(String(scalar(t)), node, span));
    return members.length === 1 && members[0] ? members[0] : { kind: "UnionType", members, span };
  }
  const type = scalar(typeNode);
  if (typeof type === "string") return typeFor(type, node, span);
  if (entryOf(node, "properties")) return typeFor("object", node, span);
  return { kind: "AnyType", span };
}

function typeFor(type: string, node: YMap, span: Span): TypeSchema {
  switch (type) {
    case "object":
      return objectType(node, span);
    case "string": {
      const pattern = scalar(entryOf(node, "pattern")?.value);
      const base = withNumbers({ kind: "StringType" as const, span }, node, ["minLength", "maxLength"]);
      return typeof pattern === "string" ? { ...base, pattern } : base;
    }
    case "integer":
    case "number":
      return withNumbers({ kind: "NumberType" as const, integer: type === "integer", span }, node, [
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
      ]);
    case "boolean":
      return { kind: "BooleanType", span };
    case "null":
      return { kind: "NullType", span };
    case "array": {
      const items = entryOf(node, "items")?.value;
      const base = { kind: "ArrayType" as const, items: items ? toTypeSchema(items) : { kind: "AnyType" as const, span }, span };
      return withNumbers(base, node, ["minItems", "maxItems"]);
    }
    default:
      return { kind: "AnyType", span };
  }
}

function objectType(node: YMap, span: Span): TypeSchema {
  const properties = entryOf(node, "properties")?.value;
  const requiredNode = entryOf(node, "required")?.value;
  const required = new Set(requiredNode?.kind === "seq" ? requiredNode.items.map((i) => String(scalar(i))) : []);
  const fields: Field[] = [];
  if (properties?.kind === "map") {
    for (const e of properties.entries) {
      const description = e.value.kind === "map" ? scalar(entryOf(e.value, "description")?.value) : undefined;
      const field: Field = {
        kind: "Field",
        name: e.key,
        nameSpan: e.keySpan,
        optional: !required.has(e.key),
        type: toTypeSchema(e.value),
        span: { file: e.keySpan.file, start: e.keySpan.start, end: Math.max(e.keySpan.end, e.value.span.file === e.keySpan.file ? e.value.span.end : e.keySpan.end) },
      };
      fields.push(typeof description === "string" ? { ...field, description } : field);
    }
  }
  const additional = scalar(entryOf(node, "additionalProperties")?.value);
  return { kind: "ObjectType", fields, additional: additional !== false, span };
}
