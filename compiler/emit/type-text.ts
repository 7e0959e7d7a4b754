/** TypeSchema → TypeScript type text, and the exported declaration of each record type. */
import { assertNever, type RecordType, type TypeSchema } from "../ir/index.js";
import { docComment, docText, propertyKey, quote } from "./identifiers.js";

/** Resolves a record name (as written in the IR) to its emitted type name. */
export type RecordNamer = (recordName: string) => string;

/** The TypeScript type of a schema (nested objects as multi-line type literals). */
export function typeText(schema: TypeSchema, typeName: RecordNamer): string {
  switch (schema.kind) {
    case "ObjectType": {
      const members = schema.fields.map((f) => `${propertyKey(f.name)}${f.optional ? "?" : ""}: ${typeText(f.type, typeName)}`);
      if (schema.additional) members.push("[key: string]: unknown");
      // Multi-line, like an interface body: the formatter indents it under its field.
      return members.length === 0 ? "{}" : `{\n${members.map((m) => `${m};`).join("\n")}\n}`;
    }
    case "StringType":
      return "string";
    case "NumberType":
      return "number";
    case "BooleanType":
      return "boolean";
    case "NullType":
      return "null";
    case "AnyType":
      return "unknown";
    case "EnumType":
      return schema.values.length === 0 ? "never" : schema.values.map((v) => (typeof v === "string" ? quote(v) : String(v))).join(" | ");
    case "ArrayType": {
      const item = typeText(schema.items, typeName);
      return needsParens(schema.items) ? `(${item})[]` : `${item}[]`;
    }
    case "UnionType":
      return schema.members.length === 0 ? "never" : schema.members.map((m) => typeText(m, typeName)).join(" | ");
    case "RecordRef":
      return typeName(schema.name);
    default:
      return assertNever(schema);
  }
}

function needsParens(schema: TypeSchema): boolean {
  return (schema.kind === "UnionType" && schema.members.length > 1) || (schema.kind === "EnumType" && schema.values.length > 1);
}

/** The exported declaration of a record type: an interface for objects, a type alias otherwise. */
export function recordDeclaration(record: RecordType, emittedName: string, sourceName: string, typeName: RecordNamer): string {
  const renamed = emittedName === record.name ? "" : ` (emitted as \`${emittedName}\`)`;
  const doc = docComment(record.doc, `Record \`${record.name}\` of ${sourceName}${renamed}.`);
  const schema = record.schema;
  if (schema.kind !== "ObjectType") return `${doc}\nexport type ${emittedName} = ${typeText(schema, typeName)};\n`;
  const lines: string[] = [];
  for (const f of schema.fields) {
    if (f.description !== undefined) lines.push(`/** ${docText(f.description)} */`);
    lines.push(`${propertyKey(f.name)}${f.optional ? "?" : ""}: ${typeText(f.type, typeName)};`);
  }
  if (schema.additional) lines.push("[key: string]: unknown;");
  return `${doc}\nexport interface ${emittedName} {\n${lines.join("\n")}\n}\n`;
}
