/**
 * Record-type checkers (decision 8): one specialised function per record type, written from
 * its TypeSchema, collecting issues with JSON pointers (the issue list is created by the first
 * issue, so checking a matching record allocates nothing). A state's `check` is the checker of its
 * record type; nested record references call each other's checker.
 */
import { assertNever, type Field, schemaNodes, type TypeSchema } from "../ir/index.js";
import { docText, pointerSegment, quote } from "./identifiers.js";
import type { RecordModel } from "./model.js";

/** Pieces of a JSON pointer: literal text, or a TS expression (the `at` parameter, an index). */
type PointerPart = { readonly text: string } | { readonly expr: string };

function pointerText(parts: readonly PointerPart[]): string {
  if (parts.length === 1 && "expr" in parts[0]!) return parts[0].expr;
  const body = parts
    .map((p) => ("text" in p ? p.text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${") : `\${${p.expr}}`))
    .join("");
  return `\`${body}\``;
}

const TYPE_OF: Readonly<Record<string, string>> = { StringType: "string", BooleanType: "boolean" };

/** A regular expression a checker tests, hoisted to a module constant (compiled once). */
export interface PatternConstant {
  readonly name: string;
  readonly pattern: string;
}

/** Writes the checks of one record type; `checkerOf` names the checker of a referenced record. */
class CheckerWriter {
  #counter = 0;
  readonly patterns: PatternConstant[] = [];

  constructor(
    private readonly baseName: string,
    private readonly checkerOf: (recordName: string) => string,
  ) {}

  #fresh(prefix: string): string {
    this.#counter++;
    return `${prefix}${this.#counter}`;
  }

  /** A new pattern constant for `pattern` (hoisted: compiled once). */
  #pattern(pattern: string): string {
    const name = `${this.baseName}Pattern${this.patterns.length + 1}`;
    this.patterns.push({ name, pattern });
    return name;
  }

  /**
   * A boolean expression true exactly when `check` would report no issue for `expr`, for the
   * types whose check is a few comparisons (scalars, enums, unions of them, any); undefined for
   * the others (objects, arrays, record references). Each condition is the negation of the
   * check's own, so the two agree on every value (NaN included).
   */
  predicate(schema: TypeSchema, expr: string): string | undefined {
    const all = (parts: readonly string[]): string => (parts.length === 1 ? (parts[0] as string) : `(${parts.join(" && ")})`);
    switch (schema.kind) {
      case "AnyType":
        return "true";
      case "NullType":
        return `${expr} === null`;
      case "BooleanType":
        return `typeof ${expr} === "boolean"`;
      case "StringType": {
        const parts = [`typeof ${expr} === "string"`];
        if (schema.minLength !== undefined) parts.push(`!(${expr}.length < ${schema.minLength})`);
        if (schema.maxLength !== undefined) parts.push(`!(${expr}.length > ${schema.maxLength})`);
        if (schema.pattern !== undefined) parts.push(`${this.#pattern(schema.pattern)}.test(${expr})`);
        return all(parts);
      }
      case "NumberType": {
        const parts = [`typeof ${expr} === "number"`];
        if (schema.integer) parts.push(`Number.isInteger(${expr})`);
        if (schema.minimum !== undefined) parts.push(`!(${expr} < ${schema.minimum})`);
        if (schema.exclusiveMinimum !== undefined) parts.push(`!(${expr} <= ${schema.exclusiveMinimum})`);
        if (schema.maximum !== undefined) parts.push(`!(${expr} > ${schema.maximum})`);
        if (schema.exclusiveMaximum !== undefined) parts.push(`!(${expr} >= ${schema.exclusiveMaximum})`);
        return all(parts);
      }
      case "EnumType": {
        if (schema.values.length === 0) return "false";
        const literal = (v: string | number | boolean | null): string => (typeof v === "string" ? quote(v) : String(v));
        return `(${schema.values.map((v) => `${expr} === ${literal(v)}`).join(" || ")})`;
      }
      case "UnionType": {
        if (schema.members.length === 0) return "false";
        const members = schema.members.map((m) => this.predicate(m, expr));
        if (members.some((m) => m === undefined)) return undefined;
        return `(${members.join(" || ")})`;
      }
      case "ObjectType":
      case "ArrayType":
      case "RecordRef":
        return undefined;
      default:
        return assertNever(schema);
    }
  }

  /** `predicate` for a field of an object: a required field must also be defined, an optional one may be undefined. */
  fieldPredicate(field: Field, value: string): string | undefined {
    const inner = this.predicate(field.type, value);
    if (inner === undefined) return undefined;
    if (field.optional) return inner === "true" ? undefined : `(${value} === undefined || ${inner})`;
    return inner === "true" ? `${value} !== undefined` : inner;
  }

  /**
   * Lines checking one field of an object whose value is bound to `value` (`pointer` is the
   * object's): a required field must not be undefined, and a defined value must match the
   * field's type. Empty when nothing needs checking (an optional field of any type).
   */
  field(field: Field, value: string, pointer: readonly PointerPart[], issues: string): string[] {
    const fieldPointer = [...pointer, { text: `/${pointerSegment(field.name)}` }];
    const inner = this.check(field.type, value, fieldPointer, issues);
    if (field.optional) return inner.length > 0 ? [`if (${value} !== undefined) {`, ...inner, "}"] : [];
    const missing = `(${issues} ??= []).push({ pointer: ${pointerText(fieldPointer)}, message: "is required" });`;
    return [`if (${value} === undefined) {`, missing, ...(inner.length > 0 ? ["} else {", ...inner] : []), "}"];
  }

  /**
   * Lines checking `expr` (of type `unknown`) against `schema`, pushing onto `issues` (a variable
   * that is null until the first issue: a matching record allocates nothing).
   */
  check(schema: TypeSchema, expr: string, pointer: readonly PointerPart[], issues: string): string[] {
    const at = pointerText(pointer);
    const push = (message: string): string => `(${issues} ??= []).push({ pointer: ${at}, message: ${quote(message)} });`;
    switch (schema.kind) {
      case "AnyType":
        return [];
      case "NullType":
        return [`if (${expr} !== null) ${push("must be null")}`];
      case "StringType":
      case "BooleanType": {
        const type = TYPE_OF[schema.kind] ?? "string";
        const lines = [`if (typeof ${expr} !== "${type}") {`, push(`must be ${type}`), "}"];
        if (schema.kind === "StringType") {
          const more: string[] = [];
          if (schema.minLength !== undefined) more.push(`if (${expr}.length < ${schema.minLength}) ${push(`must have at least ${schema.minLength} characters`)}`);
          if (schema.maxLength !== undefined) more.push(`if (${expr}.length > ${schema.maxLength}) ${push(`must have at most ${schema.maxLength} characters`)}`);
          if (schema.pattern !== undefined) {
            const name = this.#pattern(schema.pattern);
            more.push(`if (!${name}.test(${expr})) ${push(`must match pattern ${JSON.stringify(schema.pattern)}`)}`);
          }
          if (more.length > 0) lines.splice(2, 1, "} else {", ...more, "}");
        }
        return lines;
      }
      case "NumberType": {
        const lines = schema.integer
          ? [`if (typeof ${expr} !== "number" || !Number.isInteger(${expr})) {`, push("must be integer"), "}"]
          : [`if (typeof ${expr} !== "number") {`, push("must be number"), "}"];
        const more: string[] = [];
        if (schema.minimum !== undefined) more.push(`if (${expr} < ${schema.minimum}) ${push(`must be >= ${schema.minimum}`)}`);
        if (schema.exclusiveMinimum !== undefined) more.push(`if (${expr} <= ${schema.exclusiveMinimum}) ${push(`must be > ${schema.exclusiveMinimum}`)}`);
        if (schema.maximum !== undefined) more.push(`if (${expr} > ${schema.maximum}) ${push(`must be <= ${schema.maximum}`)}`);
        if (schema.exclusiveMaximum !== undefined) more.push(`if (${expr} >= ${schema.exclusiveMaximum}) ${push(`must be < ${schema.exclusiveMaximum}`)}`);
        if (more.length > 0) lines.splice(2, 1, "} else {", ...more, "}");
        return lines;
      }
      case "EnumType": {
        if (schema.values.length === 0) return [push("must not be present")];
        const literal = (v: string | number | boolean | null): string => (typeof v === "string" ? quote(v) : String(v));
        const allowed = schema.values.map(literal);
        return [`if (${allowed.map((v) => `${expr} !== ${v}`).join(" && ")}) {`, push(`must be one of ${allowed.join(", ")}`), "}"];
      }
      case "ArrayType": {
        const index = this.#fresh("i");
        const item = this.#fresh("v");
        const lines = [`if (!Array.isArray(${expr})) {`, push("must be array"), "} else {"];
        if (schema.minItems !== undefined) lines.push(`if (${expr}.length < ${schema.minItems}) ${push(`must have at least ${schema.minItems} items`)}`);
        if (schema.maxItems !== undefined) lines.push(`if (${expr}.length > ${schema.maxItems}) ${push(`must have at most ${schema.maxItems} items`)}`);
        const inner = this.check(schema.items, item, [...pointer, { text: "/" }, { expr: index }], issues);
        if (inner.length > 0) {
          lines.push(`for (let ${index} = 0; ${index} < ${expr}.length; ${index}++) {`, `const ${item}: unknown = ${expr}[${index}];`, ...inner, "}");
        }
        lines.push("}");
        return lines;
      }
      case "ObjectType": {
        const record = this.#fresh("r");
        const lines = [`if (typeof ${expr} !== "object" || ${expr} === null || Array.isArray(${expr})) {`, push("must be object"), "} else {"];
        lines.push(`const ${record} = ${expr} as Readonly<Record<string, unknown>>;`);
        for (const field of schema.fields) {
          const value = this.#fresh("v");
          const checks = this.field(field, value, pointer, issues);
          if (checks.length > 0) lines.push(`const ${value} = ${record}[${quote(field.name)}];`, ...checks);
        }
        if (!schema.additional) {
          const key = this.#fresh("key");
          const known = schema.fields.map((f) => `${key} !== ${quote(f.name)}`);
          const escaped = `${key}.replace(/~/g, "~0").replace(/\\//g, "~1")`;
          const extra = `(${issues} ??= []).push({ pointer: ${pointerText([...pointer, { text: "/" }, { expr: escaped }])}, message: "is not allowed" });`;
          lines.push(
            `for (const ${key} of Object.keys(${record})) {`,
            known.length > 0 ? `if (${known.join(" && ")}) ${extra}` : extra,
            "}",
          );
        }
        lines.push("}");
        return lines;
      }
      case "UnionType": {
        if (schema.members.length === 0) return [push("must not be present")];
        const lines: string[] = [];
        let close = 0;
        for (const member of schema.members) {
          const tried = this.#fresh("u");
          lines.push(`let ${tried}: SchemaIssue[] | null = null;`, ...this.check(member, expr, pointer, tried), `if (${tried} !== null) {`);
          close++;
        }
        lines.push(push("must match one of the union's types"));
        for (let i = 0; i < close; i++) lines.push("}");
        return ["{", ...lines, "}"];
      }
      case "RecordRef":
        return [`${issues} = ${this.checkerOf(schema.name)}(${expr}, ${at}, ${issues});`];
      default:
        return assertNever(schema);
    }
  }
}

/** The checker function of one record type and the pattern constants it needs. */
export function checkerFunction(
  model: RecordModel,
  sourceName: string,
  checkerOf: (recordName: string) => string,
): { readonly text: string; readonly patterns: readonly PatternConstant[] } {
  const writer = new CheckerWriter(model.checkName, checkerOf);
  const body = writer.check(model.record.schema, "value", [{ expr: "at" }], "issues");
  const doc = `/** Checks a record against \`${docText(model.typeName)}\` (${docText(sourceName)}): its issues with JSON pointers, or null when it matches. */`;
  const text = [
    doc,
    `function ${model.checkName}(value: unknown, at = "", issues: SchemaIssue[] | null = null): SchemaIssue[] | null {`,
    ...body,
    "return issues;",
    "}",
    "",
  ].join("\n");
  return { text, patterns: writer.patterns };
}

/** Writes the record checks of fields whose values are already bound (see `fieldCheckWriter`). */
export interface FieldCheckWriter {
  /** Lines checking `fields`, the value of `fields[i]` named by `valueOf(i)`, pushing onto `issues`. */
  lines(fields: readonly Field[], valueOf: (index: number) => string, issues: string): string[];
  /**
   * The check of one field as a boolean expression (true: no issue), when its type has one; an
   * optional field of any type needs no check and gives undefined too (`lines` gives nothing).
   */
  predicate(field: Field, value: string): string | undefined;
  /** The pattern constants the lines written so far need (named after the base name). */
  readonly patterns: readonly PatternConstant[];
}

/**
 * The record checks of an object's fields, for code that has read the fields anyway (the fused
 * input entry of copy-input.ts): the same judgements as the record's checker.
 */
export function fieldCheckWriter(baseName: string, checkerOf: (recordName: string) => string): FieldCheckWriter {
  const writer = new CheckerWriter(baseName, checkerOf);
  return {
    lines: (fields, valueOf, issues) => fields.flatMap((f, i) => writer.field(f, valueOf(i), [{ text: "" }], issues)),
    predicate: (field, value) => writer.fieldPredicate(field, value),
    patterns: writer.patterns,
  };
}

/** The source of a pattern constant (`u` flag, as JSON Schema validators compile patterns). */
export function patternConstant(p: PatternConstant): string {
  return `const ${p.name} = new RegExp(${quote(p.pattern)}, "u");`;
}

/** Every pattern of a schema that is not a valid regular expression, with the engine's message. */
export function invalidPatterns(schema: TypeSchema): { readonly pattern: string; readonly message: string; readonly schema: TypeSchema }[] {
  const out: { pattern: string; message: string; schema: TypeSchema }[] = [];
  for (const s of schemaNodes(schema)) {
    if (s.kind !== "StringType" || s.pattern === undefined) continue;
    try {
      new RegExp(s.pattern, "u");
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      out.push({ pattern: s.pattern, message: error.message, schema: s });
    }
  }
  return out;
}
