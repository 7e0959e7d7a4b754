/**
 * `schemas/ir.schema.json` describes exactly the types of `compiler/ir/types.ts`: this test reads
 * the types with the TypeScript checker (ts-morph) and walks them together with the schema from
 * `Machine` down. Every object must list the same properties, require exactly the non-optional
 * ones and close itself; unions of nodes must be `oneOf`s over the same kinds; string-literal
 * unions must be the same `enum`s; literals must be `const`s. A field added to, removed from or
 * made optional in types.ts fails here even when no fixture uses it.
 */
import { join } from "node:path";
import { Project, ts, type Node, type Symbol as TsSymbol, type Type } from "ts-morph";
import { beforeAll, describe, expect, test } from "vitest";
import { REPO_ROOT, irSchema } from "./support.js";

/** The parts of a JSON Schema node this comparison reads. */
interface SchemaNode {
  readonly $ref?: string;
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly oneOf?: readonly SchemaNode[];
  readonly anyOf?: readonly SchemaNode[];
}

const DEFINITIONS = "#/definitions/";

/** Walks a TypeScript type and a schema node side by side, collecting every mismatch. */
class Comparison {
  readonly problems: string[] = [];
  /** `kind` literals met in the types. */
  readonly kinds = new Set<string>();
  private readonly visited = new Set<string>();

  constructor(
    private readonly definitions: Readonly<Record<string, SchemaNode>>,
    private readonly location: Node,
  ) {}

  /** The definition behind a `$ref` chain, with the last definition name followed. */
  resolve(node: SchemaNode): { node: SchemaNode; ref: string | undefined } {
    let current = node;
    let ref: string | undefined;
    for (let hops = 0; current.$ref !== undefined; hops++) {
      if (hops > 10 || !current.$ref.startsWith(DEFINITIONS)) throw new Error(`unsupported $ref ${current.$ref}`);
      ref = current.$ref.slice(DEFINITIONS.length);
      const next = this.definitions[ref];
      if (next === undefined) throw new Error(`dangling $ref ${current.$ref}`);
      current = next;
    }
    return { node: current, ref };
  }

  compare(type: Type, schema: SchemaNode, path: string): void {
    const { node, ref } = this.resolve(schema);
    const t = withoutUndefined(type);
    if (ref !== undefined) {
      const key = `${ref}|${t.getText(undefined, ts.TypeFormatFlags.NoTruncation)}`;
      if (this.visited.has(key)) return;
      this.visited.add(key);
    }
    const problem = (message: string) => this.problems.push(`${path}: ${message}`);

    if (isBranded(t) || t.isString()) {
      if (node.type !== "string") problem(`a string in types.ts, ${describeNode(node)} in the schema`);
    } else if (t.isNumber()) {
      if (node.type !== "number" && node.type !== "integer") problem(`a number in types.ts, ${describeNode(node)} in the schema`);
    } else if (t.isBoolean()) {
      if (node.type !== "boolean") problem(`a boolean in types.ts, ${describeNode(node)} in the schema`);
    } else if (t.isLiteral() || t.isBooleanLiteral()) {
      const value = literalOf(t);
      if (node.const !== value) problem(`the literal ${JSON.stringify(value)} in types.ts, ${describeNode(node)} in the schema`);
    } else if (t.isArray()) {
      if (node.type !== "array" || node.items === undefined) problem(`an array in types.ts, ${describeNode(node)} in the schema`);
      else this.compare(t.getArrayElementTypeOrThrow(), node.items, `${path}[]`);
    } else if (t.isUnion()) {
      this.compareUnion(t, node, path);
    } else if (t.getStringIndexType() !== undefined) {
      const values = t.getStringIndexType();
      const isMap = node.type === "object" && node.properties === undefined && typeof node.additionalProperties === "object";
      // JsonObject: its values are JSON, described once by the JsonValue definition. Another
      // string-keyed record (ResourceDecl.configSpans) is an object whose values the schema gives.
      if (ref === "JsonObject") return;
      if (isMap && values !== undefined && typeof node.additionalProperties === "object") this.compare(values, node.additionalProperties, `${path}{}`);
      else problem(`a JSON object in types.ts, ${describeNode(node)} in the schema`);
    } else if (t.isObject()) {
      this.compareObject(t, node, path);
    } else {
      problem(`unsupported type ${t.getText()}`);
    }
  }

  private compareUnion(t: Type, node: SchemaNode, path: string): void {
    const members = t.getUnionTypes();
    const problem = (message: string) => this.problems.push(`${path}: ${message}`);
    if (members.every((m) => m.isStringLiteral())) {
      const values = members.map(literalOf);
      if (node.enum === undefined || !sameSet(values, node.enum)) problem(`enum ${JSON.stringify(values)} in types.ts, ${describeNode(node)} in the schema`);
      return;
    }
    if (members.every((m) => m.isObject() && m.getProperty("kind") !== undefined)) {
      if (node.oneOf === undefined) {
        problem(`a union of nodes in types.ts, ${describeNode(node)} in the schema (expected oneOf)`);
        return;
      }
      const branches = new Map<string, SchemaNode>();
      for (const branch of node.oneOf) {
        const kind = this.resolve(branch).node.properties?.["kind"]?.const;
        if (typeof kind !== "string") problem(`a oneOf branch without a kind constant: ${describeNode(branch)}`);
        else branches.set(kind, branch);
      }
      const kinds = members.map((m) => literalOf(this.propertyType(m, "kind")));
      if (!sameSet(kinds, [...branches.keys()])) problem(`kinds ${JSON.stringify(kinds)} in types.ts, ${JSON.stringify([...branches.keys()])} in the schema`);
      for (const m of members) {
        const kind = String(literalOf(this.propertyType(m, "kind")));
        const branch = branches.get(kind);
        if (branch !== undefined) this.compare(m, branch, `${path}<${kind}>`);
      }
      return;
    }
    // A union of primitive types (an enum's values): the schema lists the same JSON types.
    const types = new Set(members.map(primitiveName));
    if (types.has(undefined)) {
      problem(`unsupported union ${t.getText()}`);
      return;
    }
    const schemaTypes = (node.anyOf ?? []).map((b) => this.resolve(b).node.type);
    if (!sameSet([...types], schemaTypes)) problem(`types ${JSON.stringify([...types])} in types.ts, ${describeNode(node)} in the schema`);
  }

  private compareObject(t: Type, node: SchemaNode, path: string): void {
    const problem = (message: string) => this.problems.push(`${path}: ${message}`);
    if (node.type !== "object" || node.properties === undefined) {
      problem(`an object in types.ts, ${describeNode(node)} in the schema`);
      return;
    }
    if (node.additionalProperties !== false) problem("the schema object is not closed (additionalProperties: false)");
    const props = t.getProperties();
    const names = props.map((p) => p.getName());
    const schemaNames = Object.keys(node.properties);
    for (const n of names.filter((n) => !schemaNames.includes(n))) problem(`field \`${n}\` is in types.ts but not in the schema`);
    for (const n of schemaNames.filter((n) => !names.includes(n))) problem(`field \`${n}\` is in the schema but not in types.ts`);
    const required = props.filter((p) => !p.isOptional()).map((p) => p.getName());
    const schemaRequired = node.required ?? [];
    for (const n of required.filter((n) => !schemaRequired.includes(n))) problem(`field \`${n}\` is required in types.ts but optional in the schema`);
    for (const n of schemaRequired.filter((n) => !required.includes(n))) problem(`field \`${n}\` is required in the schema but optional in types.ts`);
    const kind = t.getProperty("kind");
    if (kind !== undefined) {
      const value = literalOf(this.symbolType(kind));
      if (typeof value === "string") this.kinds.add(value);
    }
    for (const p of props) {
      const sub = node.properties[p.getName()];
      if (sub !== undefined) this.compare(this.symbolType(p), sub, `${path}.${p.getName()}`);
    }
  }

  private symbolType(symbol: TsSymbol): Type {
    const declaration = symbol.getValueDeclaration() ?? symbol.getDeclarations()[0];
    return symbol.getTypeAtLocation(declaration ?? this.location);
  }

  private propertyType(t: Type, name: string): Type {
    const symbol = t.getProperty(name);
    if (symbol === undefined) throw new Error(`no property ${name} on ${t.getText()}`);
    return this.symbolType(symbol);
  }
}

function withoutUndefined(t: Type): Type {
  if (!t.isUnion()) return t;
  const kept = t.getUnionTypes().filter((m) => !m.isUndefined());
  return kept.length === 1 && kept[0] !== undefined ? kept[0] : t;
}

/** `string & { __brand }` (NetworkId, StateId). */
function isBranded(t: Type): boolean {
  return t.isIntersection() && t.getIntersectionTypes().some((m) => m.isString());
}

function literalOf(t: Type): unknown {
  if (t.isBooleanLiteral()) return t.getText() === "true";
  const value = t.getLiteralValue();
  return typeof value === "object" ? undefined : value;
}

function primitiveName(t: Type): string | undefined {
  if (t.isString()) return "string";
  if (t.isNumber()) return "number";
  if (t.isBoolean() || t.isBooleanLiteral()) return "boolean";
  if (t.isNull()) return "null";
  return undefined;
}

function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((v) => sb.has(v));
}

function describeNode(node: SchemaNode): string {
  return JSON.stringify(node).slice(0, 120);
}

let comparison: Comparison;
let definitions: Readonly<Record<string, SchemaNode>>;
const machineSchema: SchemaNode = { $ref: `${DEFINITIONS}Machine` };

describe("schemas/ir.schema.json matches compiler/ir/types.ts", () => {
  beforeAll(() => {
    const project = new Project({
      compilerOptions: {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        strict: true,
        exactOptionalPropertyTypes: true,
      },
      skipAddingFilesFromTsConfig: true,
    });
    const file = project.addSourceFileAtPath(join(REPO_ROOT, "compiler", "ir", "types.ts"));
    project.resolveSourceFileDependencies();
    definitions = irSchema()["definitions"] as Record<string, SchemaNode>;
    comparison = new Comparison(definitions, file);
    comparison.compare(file.getInterfaceOrThrow("Machine").getType(), machineSchema, "Machine");
  });

  test("field by field, from Machine down", () => {
    expect(comparison.problems).toEqual([]);
  });

  test("reaches every node kind the schema defines, and no other", () => {
    const schemaKinds = Object.values(definitions).flatMap((d) => {
      const kind = d.properties?.["kind"]?.const;
      return typeof kind === "string" ? [kind] : [];
    });
    expect(schemaKinds.length).toBeGreaterThanOrEqual(20);
    expect([...comparison.kinds].sort()).toEqual([...schemaKinds].sort());
  });

  test("the root accepts a Machine or an array of Machines", () => {
    const root = irSchema() as SchemaNode;
    expect(root.oneOf).toEqual([machineSchema, { type: "array", items: machineSchema }]);
  });
});
