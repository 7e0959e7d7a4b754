/** Record-type schemas: unknown record references, impossible bounds, empty enums, bad patterns. */
import { assertNever, schemaNodes, type Machine, type TypeSchema } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { unknownRecordType } from "../diagnostics/factories/names.js";
import { emptyEnum, emptyRange, invalidPattern, negativeBound } from "../diagnostics/factories/structure.js";

/** Schema errors of the machine's record types, and record types named by states that do not exist. */
export function checkRecordTypes(machine: Machine): Diagnostic[] {
  const names = machine.records.map((r) => r.name);
  const known = new Set(names);
  const out: Diagnostic[] = [];
  for (const record of machine.records) {
    for (const node of schemaNodes(record.schema)) out.push(...checkNode(node, known, names));
  }
  for (const network of machine.networks) {
    for (const state of network.states) {
      const ref = state.recordType;
      if (ref && !known.has(ref.name)) out.push(unknownRecordType(ref.name, ref.span, names));
    }
  }
  return out;
}

/**
 * The built-in type names of a field (docs/dsl.md §5): a misspelt one (`nmber`) reads as a
 * reference to a record type, so they join the "did you mean" candidates of a field's type.
 */
export const BUILT_IN_TYPE_NAMES: readonly string[] = ["any", "boolean", "integer", "null", "number", "string"];

function checkNode(node: TypeSchema, known: ReadonlySet<string>, names: readonly string[]): Diagnostic[] {
  switch (node.kind) {
    case "RecordRef":
      return known.has(node.name) ? [] : [unknownRecordType(node.name, node.span, [...BUILT_IN_TYPE_NAMES, ...names])];
    case "StringType": {
      const out = [...countBound("minLength", node.minLength, node), ...countBound("maxLength", node.maxLength, node)];
      if (node.minLength !== undefined && node.maxLength !== undefined && node.minLength > node.maxLength) {
        out.push(emptyRange("string length", `minimum length ${node.minLength}`, `maximum length ${node.maxLength}`, node.span));
      }
      if (node.pattern !== undefined) {
        const problem = regexProblem(node.pattern, "u");
        if (problem !== undefined) out.push(invalidPattern(node.pattern, problem, node.span, "schema"));
      }
      return out;
    }
    case "ArrayType": {
      const out = [...countBound("minItems", node.minItems, node), ...countBound("maxItems", node.maxItems, node)];
      if (node.minItems !== undefined && node.maxItems !== undefined && node.minItems > node.maxItems) {
        out.push(emptyRange("array length", `minimum ${node.minItems} items`, `maximum ${node.maxItems} items`, node.span));
      }
      return out;
    }
    case "NumberType": {
      const empty = emptyNumberRange(node);
      if (!empty) return [];
      return [emptyRange(node.integer ? "integer range" : "number range", empty.lower, empty.upper, node.span, empty.onlyIntegers === true)];
    }
    case "EnumType":
      return node.values.length === 0 ? [emptyEnum("enum", node.span)] : [];
    case "UnionType":
      return node.members.length === 0 ? [emptyEnum("union", node.span)] : [];
    case "ObjectType":
    case "BooleanType":
    case "NullType":
    case "AnyType":
      return [];
    default:
      return assertNever(node);
  }
}

function countBound(keyword: string, value: number | undefined, node: { readonly span: TypeSchema["span"] }): Diagnostic[] {
  return value !== undefined && (value < 0 || !Number.isInteger(value)) ? [negativeBound(keyword, value, node.span)] : [];
}

type NumberSchema = Extract<TypeSchema, { kind: "NumberType" }>;

/**
 * The two bounds that leave no number (or no integer) between them, described for the message,
 * or undefined when some value fits. Of each side, the tighter of the inclusive and exclusive
 * bound counts.
 */
function emptyNumberRange(node: NumberSchema): { lower: string; upper: string; onlyIntegers?: boolean } | undefined {
  const lower = tighter(
    node.minimum !== undefined ? { value: node.minimum, exclusive: false, text: `minimum ${node.minimum}` } : undefined,
    node.exclusiveMinimum !== undefined ? { value: node.exclusiveMinimum, exclusive: true, text: `exclusive minimum ${node.exclusiveMinimum}` } : undefined,
    (a, b) => a.value > b.value || (a.value === b.value && a.exclusive),
  );
  const upper = tighter(
    node.maximum !== undefined ? { value: node.maximum, exclusive: false, text: `maximum ${node.maximum}` } : undefined,
    node.exclusiveMaximum !== undefined ? { value: node.exclusiveMaximum, exclusive: true, text: `exclusive maximum ${node.exclusiveMaximum}` } : undefined,
    (a, b) => a.value < b.value || (a.value === b.value && a.exclusive),
  );
  if (!lower || !upper) return undefined;
  const texts = { lower: lower.text, upper: upper.text };
  if (lower.value > upper.value) return texts;
  if (lower.value === upper.value && (lower.exclusive || upper.exclusive)) return texts;
  if (node.integer) {
    // The smallest and largest integers the bounds allow; none when they cross.
    const lo = lower.exclusive && Number.isInteger(lower.value) ? lower.value + 1 : Math.ceil(lower.value);
    const hi = upper.exclusive && Number.isInteger(upper.value) ? upper.value - 1 : Math.floor(upper.value);
    if (lo > hi) return { ...texts, onlyIntegers: true };
  }
  return undefined;
}

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
  readonly text: string;
}

function tighter(a: Bound | undefined, b: Bound | undefined, aIsTighter: (a: Bound, b: Bound) => boolean): Bound | undefined {
  if (!a) return b;
  if (!b) return a;
  return aIsTighter(a, b) ? a : b;
}

/** Why `source` is not a valid regular expression with `flags`, or undefined when it is. */
export function regexProblem(source: string, flags: string): string | undefined {
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return error.message;
    throw error;
  }
}
