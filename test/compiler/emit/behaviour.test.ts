/**
 * What the generated helpers do, run directly: `copyInput` equals a generic deep copy for
 * every JSON input (property-based), and record checkers report JSON-pointer issues.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { transpileModule } from "../../../compiler/emit/index.js";
import { checkerFunction, patternConstant } from "../../../compiler/emit/checker.js";
import { copyInputFunction } from "../../../compiler/emit/copy-input.js";
import { buildModules, type RecordModel } from "../../../compiler/emit/model.js";
import { hydrateMachine } from "./hydrate.js";

const NONE = { machines: [] };

function recordsOf(records: unknown[]): readonly RecordModel[] {
  const machine = hydrateMachine({ name: "m", sourceFile: "m.fsm", records, networks: [{ name: "main", states: [{ name: "s", isStart: true, isFinal: true }] }] });
  return buildModules([machine], NONE)[0]?.records ?? [];
}

/** Compiles generated TypeScript functions and returns the named ones. */
function compile<T>(source: string, names: readonly string[]): Record<string, T> {
  const js = transpileModule(source);
  const make = new Function("structuredClone", `${js}\nreturn { ${names.join(", ")} };`) as (clone: typeof structuredClone) => Record<string, T>;
  return make(structuredClone);
}

const ITEM = {
  name: "Item",
  fields: [
    { name: "id", type: "integer" },
    { name: "label", type: "string" },
    { name: "tags", optional: true, type: { kind: "ArrayType", items: "string" } },
    { name: "size", optional: true, type: { kind: "UnionType", members: ["number", "null"] } },
    { name: "meta", optional: true, type: "any" },
  ],
};

describe("copyInput", () => {
  const [item] = recordsOf([ITEM]);
  const text = item ? copyInputFunction("copyItem", "m", item) : undefined;
  const { copyItem } = compile<(d: Record<string, unknown>) => Record<string, unknown>>(text ?? "", ["copyItem"]);

  it("is exactly a deep copy (key order included) for any JSON object, known keys or not", () => {
    const keys = fc.constantFrom("id", "label", "tags", "size", "meta", "other", "__proto__x");
    const record = fc.oneof(
      fc.dictionary(keys, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 7 }),
      fc.record({ id: fc.jsonValue({ maxDepth: 2 }), label: fc.jsonValue({ maxDepth: 2 }) }),
      fc.record({ id: fc.integer(), label: fc.string(), tags: fc.array(fc.string()), size: fc.option(fc.double({ noNaN: true })), meta: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(record, (input) => {
        const json = JSON.stringify(input);
        const copy = copyItem?.(input) ?? {};
        expect(JSON.stringify(copy)).toBe(JSON.stringify(structuredClone(input)));
        expect(copy).not.toBe(input);
        for (const v of Object.values(copy)) {
          if (typeof v === "object" && v !== null) expect(Object.values(input)).not.toContain(v); // nothing shared
        }
        expect(JSON.stringify(input)).toBe(json);
      }),
      { numRuns: 300 },
    );
  });

  it("builds a literal for the declared shapes (all fields, or only the required ones)", () => {
    expect(text).toContain('keys.length === 5 && keys[0] === "id"');
    expect(text).toContain('keys.length === 2 && keys[0] === "id" && keys[1] === "label"');
  });

  it("is not emitted for records with a `__proto__` field or that are not objects", () => {
    const [proto] = recordsOf([{ name: "P", fields: [{ name: "__proto__", type: "string" }] }]);
    expect(proto && copyInputFunction("copyP", "m", proto)).toBeUndefined();
    const [alias] = recordsOf([{ name: "A", schema: { kind: "StringType" } }]);
    expect(alias && copyInputFunction("copyA", "m", alias)).toBeUndefined();
  });
});

describe("record checkers", () => {
  const records = recordsOf([
    {
      name: "Order",
      additional: false,
      fields: [
        { name: "id", type: { kind: "NumberType", integer: true, minimum: 1 } },
        { name: "code", type: { kind: "StringType", pattern: "^[A-Z]{3}$", minLength: 3 } },
        { name: "lines", type: { kind: "ArrayType", items: "Line", minItems: 1 } },
        { name: "a/b~c", optional: true, type: { kind: "EnumType", values: ["x", 1, null] } },
        { name: "ratio", optional: true, type: { kind: "NumberType", integer: false, exclusiveMinimum: 0, maximum: 1 } },
        { name: "note", optional: true, type: { kind: "UnionType", members: ["string", { kind: "ObjectType", additional: true, fields: [{ name: "text", type: "string" }] }] } },
      ],
    },
    { name: "Line", additional: true, fields: [{ name: "qty", type: "integer" }, { name: "ok", optional: true, type: "boolean" }, { name: "none", optional: true, type: "null" }] },
  ]);
  const byName = new Map(records.map((r) => [r.record.name, r]));
  const checkerOf = (name: string) => byName.get(name)?.checkName ?? "";
  const parts = records.map((r) => checkerFunction(r, "m.fsm", checkerOf));
  const source = [...parts.flatMap((p) => p.patterns.map(patternConstant)), ...parts.map((p) => p.text)].join("\n");
  const { checkOrder } = compile<(v: unknown) => { pointer: string; message: string }[] | null>(source, ["checkOrder", "checkLine"]);

  it("returns null for a matching record", () => {
    expect(checkOrder?.({ id: 1, code: "ABC", lines: [{ qty: 2, extra: true }], "a/b~c": null, ratio: 1, note: { text: "t" } })).toBeNull();
  });

  it("reports every issue with a JSON pointer (escaped), through referenced records and arrays", () => {
    expect(checkOrder?.({ id: 0.5, code: "ab", lines: [{ qty: "1", ok: 1, none: 0 }, 7], "a/b~c": "y", ratio: 0, note: 3, more: 1 })).toEqual([
      { pointer: "/id", message: "must be integer" },
      { pointer: "/code", message: "must have at least 3 characters" },
      { pointer: "/code", message: 'must match pattern "^[A-Z]{3}$"' },
      { pointer: "/lines/0/qty", message: "must be integer" },
      { pointer: "/lines/0/ok", message: "must be boolean" },
      { pointer: "/lines/0/none", message: "must be null" },
      { pointer: "/lines/1", message: "must be object" },
      { pointer: "/a~1b~0c", message: 'must be one of "x", 1, null' },
      { pointer: "/ratio", message: "must be > 0" },
      { pointer: "/note", message: "must match one of the union's types" },
      { pointer: "/more", message: "is not allowed" },
    ]);
  });

  it("reports missing required fields, bounds and non-objects", () => {
    expect(checkOrder?.({ id: 0, lines: [], ratio: 2 })).toEqual([
      { pointer: "/id", message: "must be >= 1" },
      { pointer: "/code", message: "is required" },
      { pointer: "/lines", message: "must have at least 1 items" },
      { pointer: "/ratio", message: "must be <= 1" },
    ]);
    expect(checkOrder?.([])).toEqual([{ pointer: "", message: "must be object" }]);
  });
});

describe("transpileModule", () => {
  it("turns a generated module into ES module JavaScript without types", async () => {
    const { readFileSync } = await import("node:fs");
    const source = readFileSync(new URL("../../fixtures/emit/orders/expected/orders.fsm.ts", import.meta.url), "utf8");
    const js = transpileModule(source);
    expect(js).toContain('import { FunctionNotFoundError, defineMachine } from "fsmc/runtime";');
    expect(js).toContain('import * as userFunctions from "./orders.functions.js";');
    expect(js).toContain("export default createOrders;");
    expect(js).not.toMatch(/: (OrdersOptions|StateDefinition|SchemaIssue)\b/);
    expect(js).not.toContain("interface ");
  });
});
