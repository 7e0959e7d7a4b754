/**
 * `copyInput`: a shape-specialised deep copy of the record entering the machine (COPY mode).
 * For every JSON input it gives exactly what the generic deep copy gives, key order included:
 * when the record's keys are the record type's fields in declaration order (all of them, or
 * only the required ones) and fields typed as scalars hold scalars, it builds an object literal
 * (one hidden class, no traversal); anything else goes to the generic copy.
 */
import type { Field, TypeSchema } from "../ir/index.js";
import { docText, propertyKey, quote } from "./identifiers.js";
import { fieldCheckWriter, type PatternConstant } from "./checker.js";
import type { RecordModel } from "./model.js";

/** The runtime's generic deep copy, called for anything the fast path does not cover. */
export const GENERIC_COPY = "structuredClone";

function isScalar(schema: TypeSchema): boolean {
  switch (schema.kind) {
    case "StringType":
    case "NumberType":
    case "BooleanType":
    case "NullType":
    case "EnumType":
      return true;
    case "UnionType":
      return schema.members.every(isScalar);
    case "ObjectType":
    case "ArrayType":
    case "AnyType":
    case "RecordRef":
      return false;
  }
}

/**
 * The record check fused into a branch, for the branch's values: per field, the condition its
 * check is (a boolean expression) or undefined, and `lines` collecting the issues of the fields
 * without a condition into `issues` (declared by the lines when there are any).
 */
type FusedCheck = (fields: readonly Field[]) => { readonly conditions: readonly (string | undefined)[]; readonly lines: readonly string[] };

/**
 * The literal-building branch for one exact key list. With `fused`, the branch also runs the
 * record's check on the values it read and returns null when the check fails or a value is not
 * one the literal may hold (the fused entry below).
 */
function branch(fields: readonly Field[], shape: string, fused?: FusedCheck): string[] {
  const keys = fields.map((f, i) => `keys[${i}] === ${quote(f.name)}`);
  const condition = [`keys.length === ${fields.length}`, ...keys].join(" && ");
  const lines = [`if (${condition}) {`];
  fields.forEach((f, i) => lines.push(`const f${i} = data[${quote(f.name)}];`));
  const checks = fused?.(fields);
  const verdicts: string[] = [];
  fields.forEach((f, i) => {
    const checked = checks?.conditions[i];
    if (checked !== undefined) verdicts.push(checked);
    // A scalar field's condition holds only for scalars: no second test.
    else if (isScalar(f.type)) verdicts.push(`(typeof f${i} !== "object" || f${i} === null)`);
  });
  if (checks !== undefined && checks.lines.length > 0) {
    lines.push(...checks.lines);
    verdicts.unshift("issues === null");
  }
  const copyOf = (f: Field, i: number): string =>
    isScalar(f.type) ? `f${i}` : `typeof f${i} === "object" && f${i} !== null ? ${GENERIC_COPY}(f${i}) : f${i}`;
  const literal = byConstructor(fields)
    ? `new ${shape}(${fields.map(copyOf).join(", ")})`
    : `{ ${fields.map((f, i) => `${propertyKey(f.name)}: ${copyOf(f, i)}`).join(", ")} }`;
  if (verdicts.length > 0) lines.push(`if (${verdicts.join(" && ")}) return ${literal};`);
  else lines.push(`return ${literal};`);
  if (fused !== undefined && verdicts.length > 0) lines.push("return null;");
  lines.push("}");
  return lines;
}

/** A record's declared shapes: all its fields, then only the required ones (when they differ). */
function shapes(fields: readonly Field[]): (readonly Field[])[] {
  const required = fields.filter((f) => !f.optional);
  return required.length !== fields.length ? [fields, required] : [fields];
}

/** The name of the constructor building copies of a shape of `fields.length` fields. */
function shapeName(copyName: string, fields: readonly Field[]): string {
  return `${copyName}Shape${fields.length}`;
}

/**
 * Whether a shape's copies are built by its constructor: not when a field is named like a
 * property of Object.prototype (an assignment would meet the inherited property — a setter, or
 * a frozen one under frozen intrinsics — where a literal defines its own).
 */
function byConstructor(fields: readonly Field[]): boolean {
  return !fields.some((f) => Object.prototype.hasOwnProperty.call(Object.prototype, f.name));
}

/** The branches of a record's declared shapes. */
function branches(fields: readonly Field[], copyName: string, fused?: FusedCheck): string[] {
  return shapes(fields).flatMap((shape) => branch(shape, shapeName(copyName, shape), fused));
}

/**
 * The constructor of one shape's copies. A constructor rather than an object literal: V8 gives
 * the objects a constructor builds room for the fields the machine adds later (in-object slack
 * tracking), where a literal's object grows a separate property array on its first new field.
 * Its prototype is Object.prototype, so the copies are plain objects, as a literal's are.
 */
function shapeConstructor(name: string, typeName: string, fields: readonly Field[]): string[] {
  const params = fields.map((_, i) => `v${i}: unknown`).join(", ");
  return [
    `/** Builds copies of \`${docText(typeName)}\` with ${fields.length === 1 ? "its 1 field" : `${fields.length} fields`}: plain objects (prototype Object.prototype) with room for fields added later. */`,
    `const ${name} = function(this: Data, ${params}): void {`,
    ...fields.map((f, i) => `this[${quote(f.name)}] = v${i};`),
    `} as unknown as new (${params}) => Data;`,
    `${name}.prototype = Object.prototype;`,
    "",
  ];
}

/** True when the record is an object type the literal copy can build (see copyInputFunction). */
function copyable(model: RecordModel): readonly Field[] | undefined {
  const schema = model.record.schema;
  if (schema.kind !== "ObjectType") return undefined;
  // `{ __proto__: v }` sets the prototype instead of defining a key: leave such records to the generic copy.
  if (schema.fields.some((f) => f.name === "__proto__")) return undefined;
  return schema.fields;
}

/** The copy function for a machine's input record, or undefined when the record is not an object type. */
export function copyInputFunction(name: string, machineName: string, model: RecordModel): string | undefined {
  const fields = copyable(model);
  if (fields === undefined) return undefined;
  const lines = [
    ...shapes(fields)
      .filter(byConstructor)
      .flatMap((shape) => shapeConstructor(shapeName(name, shape), model.typeName, shape)),
    `/** Copies a record entering \`${docText(machineName)}\` (COPY mode): a literal of \`${docText(model.typeName)}\`'s fields when it has exactly those keys, else a deep clone. */`,
    `function ${name}(data: Data): Data {`,
    "const keys = Object.keys(data);",
    ...branches(fields, name),
    `return ${GENERIC_COPY}(data);`,
    "}",
    "",
  ];
  return lines.join("\n");
}

/**
 * The fused input entry (`enterInput`, used by the runtime's compiled lane; emitted with the
 * `copyInput` named `copyName`, whose shape constructors it uses): `copyInput` and the
 * record's check in one pass over the fields. For a record whose keys are a declared shape (the
 * literal branches of `copyInputFunction`) and that passes the check, it returns exactly what
 * `copyInput` returns; for anything else it returns null and the caller copies and checks the
 * general way. The check lines are the checker's own (`fieldChecks`), run on the values the
 * branch has read: the same judgements, without reading each field twice.
 */
export function enterInputFunction(
  name: string,
  copyName: string,
  machineName: string,
  model: RecordModel,
  checkerOf: (recordName: string) => string,
): { readonly text: string; readonly patterns: readonly PatternConstant[]; readonly usesIssues: boolean } | undefined {
  const fields = copyable(model);
  if (fields === undefined) return undefined;
  const writer = fieldCheckWriter(name, checkerOf);
  let usesIssues = false;
  const fused: FusedCheck = (shape) => {
    // Branch values are `f0, f1, …` (see `branch`): never a name the checker's writer makes up.
    const conditions = shape.map((f, i) => writer.predicate(f, `f${i}`));
    const rest = shape.flatMap((f, i) => (conditions[i] === undefined ? writer.lines([f], () => `f${i}`, "issues") : []));
    if (rest.length > 0) usesIssues = true;
    return { conditions, lines: rest.length > 0 ? ["let issues: SchemaIssue[] | null = null;", ...rest] : [] };
  };
  const lines = [
    `/** Enters a record into \`${docText(machineName)}\` in one pass: \`${docText(model.typeName)}\`'s copy when the record has exactly its declared keys and passes its check, else null. */`,
    `function ${name}(data: Data): Data | null {`,
    "const keys = Object.keys(data);",
    ...branches(fields, copyName, fused),
    "return null;",
    "}",
    "",
  ];
  return { text: lines.join("\n"), patterns: writer.patterns, usesIssues };
}
