/**
 * `copyInput`: a shape-specialised deep copy of the record entering the machine (COPY mode).
 * For every JSON input it gives exactly what the generic deep copy gives, key order included:
 * when the record's keys are the record type's fields in declaration order (all of them, or
 * only the required ones) and fields typed as scalars hold scalars, it builds an object literal
 * (one hidden class, no traversal); anything else goes to the generic copy.
 */
import type { Field, TypeSchema } from "../ir/index.js";
import { docText, propertyKey, quote } from "./identifiers.js";
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

/** The literal-building branch for one exact key list. */
function branch(fields: readonly Field[]): string[] {
  const keys = fields.map((f, i) => `keys[${i}] === ${quote(f.name)}`);
  const condition = [`keys.length === ${fields.length}`, ...keys].join(" && ");
  const lines = [`if (${condition}) {`];
  fields.forEach((f, i) => lines.push(`const v${i} = data[${quote(f.name)}];`));
  const scalarChecks = fields
    .map((f, i) => (isScalar(f.type) ? `(typeof v${i} !== "object" || v${i} === null)` : undefined))
    .filter((c): c is string => c !== undefined);
  const copyOf = (f: Field, i: number): string =>
    isScalar(f.type) ? `v${i}` : `typeof v${i} === "object" && v${i} !== null ? ${GENERIC_COPY}(v${i}) : v${i}`;
  const literal = `{ ${fields.map((f, i) => `${propertyKey(f.name)}: ${copyOf(f, i)}`).join(", ")} }`;
  if (scalarChecks.length > 0) lines.push(`if (${scalarChecks.join(" && ")}) return ${literal};`);
  else lines.push(`return ${literal};`);
  lines.push("}");
  return lines;
}

/** The copy function for a machine's input record, or undefined when the record is not an object type. */
export function copyInputFunction(name: string, machineName: string, model: RecordModel): string | undefined {
  const schema = model.record.schema;
  if (schema.kind !== "ObjectType") return undefined;
  // `{ __proto__: v }` sets the prototype instead of defining a key: leave such records to the generic copy.
  if (schema.fields.some((f) => f.name === "__proto__")) return undefined;
  const required = schema.fields.filter((f) => !f.optional);
  const lines = [
    `/** Copies a record entering \`${docText(machineName)}\` (COPY mode): a literal of \`${docText(model.typeName)}\`'s fields when it has exactly those keys, else a deep clone. */`,
    `function ${name}(data: Data): Data {`,
    "const keys = Object.keys(data);",
    ...branch(schema.fields),
    ...(required.length !== schema.fields.length ? branch(required) : []),
    `return ${GENERIC_COPY}(data);`,
    "}",
    "",
  ];
  return lines.join("\n");
}
