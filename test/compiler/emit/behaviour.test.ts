/**
 * What the generated helpers do, run directly: `copyInput` equals a generic deep copy for
 * every JSON input (property-based), the fused `enterInput` agrees with copy-then-check, and
 * record checkers report JSON-pointer issues.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { transpileModule } from "../../../compiler/emit/index.js";
import { checkerFunction, patternConstant } from "../../../compiler/emit/checker.js";
import { copyInputFunction, enterInputFunction } from "../../../compiler/emit/copy-input.js";
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

describe("enterInput (copy and check fused)", () => {
  const records = recordsOf([
    {
      name: "Order",
      fields: [
        { name: "id", type: { kind: "NumberType", integer: true, minimum: 1 } },
        { name: "code", type: { kind: "StringType", pattern: "^[A-Z]{3}$", minLength: 3 } },
        { name: "lines", type: { kind: "ArrayType", items: "Line", minItems: 1 } },
        { name: "kind", optional: true, type: { kind: "EnumType", values: ["x", 1, null] } },
        { name: "ratio", optional: true, type: { kind: "NumberType", integer: false, exclusiveMinimum: 0, maximum: 1 } },
        { name: "note", optional: true, type: { kind: "UnionType", members: ["string", "null", { kind: "ObjectType", additional: true, fields: [{ name: "text", type: "string" }] }] } },
        { name: "size", optional: true, type: { kind: "UnionType", members: ["number", "boolean"] } },
        { name: "meta", optional: true, type: "any" },
      ],
    },
    { name: "Line", additional: true, fields: [{ name: "qty", type: "integer" }] },
  ]);
  const byName = new Map(records.map((r) => [r.record.name, r]));
  const checkerOf = (name: string) => byName.get(name)?.checkName ?? "";
  const order = byName.get("Order");
  if (order === undefined) throw new Error("no Order model");
  const checkers = records.map((r) => checkerFunction(r, "m.fsm", checkerOf));
  const copy = copyInputFunction("copyOrder", "m", order) ?? "";
  const enter = enterInputFunction("enterOrder", "copyOrder", "m", order, checkerOf);
  const source = [...checkers.flatMap((p) => p.patterns.map(patternConstant)), ...(enter?.patterns.map(patternConstant) ?? []), ...checkers.map((p) => p.text), copy, enter?.text ?? ""].join("\n");
  type Fn = (v: unknown) => unknown;
  const fns = compile<Fn>(source, ["checkOrder", "copyOrder", "enterOrder"]);
  const checkOrder = fns["checkOrder"] as Fn;
  const copyOrder = fns["copyOrder"] as Fn;
  const enterOrder = fns["enterOrder"] as Fn;

  const junk = fc.jsonValue({ maxDepth: 2 });
  const field = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: fc.constant(undefined) });
  const valid = {
    id: field(fc.oneof(fc.integer({ min: -2, max: 9 }), fc.double({ min: 0, max: 3 }), fc.constant(Number.NaN))),
    code: field(fc.oneof(fc.constantFrom("ABC", "XYZ", "AB", "abc", "ABCD"), fc.string({ maxLength: 4 }))),
    lines: field(fc.array(fc.oneof(fc.record({ qty: fc.integer({ min: 0, max: 3 }) }), fc.record({ qty: fc.double() }), junk), { maxLength: 3 })),
    kind: field(fc.constantFrom("x", 1, null, "y", 2, false)),
    ratio: field(fc.oneof(fc.double({ min: -0.5, max: 1.5 }), fc.constantFrom(0, 1, Number.NaN))),
    note: field(fc.oneof(fc.string(), fc.constant(null), fc.record({ text: fc.oneof(fc.string(), fc.integer()) }))),
    size: field(fc.oneof(fc.double(), fc.boolean(), fc.string())),
    meta: field(junk),
  };
  const all = fc.record(valid, { requiredKeys: ["id", "code", "lines", "kind", "ratio", "note", "size", "meta"] });
  const required = fc.record({ id: valid.id, code: valid.code, lines: valid.lines });
  // Records that pass the check, in both declared shapes, with one field sometimes off.
  const good = {
    id: fc.integer({ min: 1, max: 9 }),
    code: fc.constantFrom("ABC", "XYZ"),
    lines: fc.array(fc.record({ qty: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 2 }),
    kind: fc.constantFrom("x", 1, null, undefined),
    ratio: fc.oneof(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.constant(undefined)),
    note: fc.oneof(fc.string(), fc.constant(null), fc.record({ text: fc.string() })),
    size: fc.oneof(fc.double(), fc.boolean()),
    meta: junk,
  };
  const passing = fc.oneof(
    fc.record(good, { requiredKeys: ["id", "code", "lines", "kind", "ratio", "note", "size", "meta"] }),
    fc.record({ id: good.id, code: good.code, lines: good.lines }),
    fc.record({ ...good, id: valid.id }, { requiredKeys: ["id", "code", "lines", "kind", "ratio", "note", "size", "meta"] }),
  );
  const other = fc.oneof(fc.record(valid), fc.dictionary(fc.constantFrom("id", "code", "lines", "ratio", "extra"), junk, { maxKeys: 5 }));
  const declared = ["id,code,lines,kind,ratio,note,size,meta", "id,code,lines"];

  it("gives copyInput's copy exactly when the record has a declared shape and passes the check, else null", () => {
    let entered = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(passing, all, required, other), (input) => {
        const json = JSON.stringify(input);
        const got = enterOrder(input);
        const copied = copyOrder(input);
        const issues = checkOrder(copied);
        const shaped = declared.includes(Object.keys(input).join(","));
        if (got === null) {
          refused++;
          expect(shaped && issues === null).toBe(false);
        } else {
          entered++;
          expect(shaped && issues === null).toBe(true);
          expect(JSON.stringify(got)).toBe(JSON.stringify(copied));
          expect(Object.keys(got as object)).toEqual(Object.keys(input));
          expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
          expect(got).not.toBe(input);
        }
        expect(JSON.stringify(input)).toBe(json);
      }),
      { numRuns: 2000, seed: 7 },
    );
    // Both outcomes must be exercised for the property to mean anything.
    expect(entered).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it("checks scalar fields with conditions and the others with the checker's own lines", () => {
    expect(enter?.text).toContain('Number.isInteger(f0) && !(f0 < 1)');
    expect(enter?.text).toContain("enterOrderPattern1.test(f1)");
    expect(enter?.text).toContain("issues = checkLine(");
    expect(enter?.usesIssues).toBe(true);
  });

  it("builds copies with a plain-object constructor, or a literal when a field is named like an Object.prototype member", () => {
    const made = copyOrder({ id: 1, code: "ABC", lines: [] }) as object;
    expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
    expect(made.constructor).toBe(Object);
    expect(copy).toContain("copyOrderShape3.prototype = Object.prototype;");
    const [odd] = recordsOf([{ name: "Odd", fields: [{ name: "toString", type: "string" }, { name: "n", type: "number" }] }]);
    const text = odd ? copyInputFunction("copyOdd", "m", odd) : undefined;
    expect(text).not.toContain("Shape");
    const { copyOdd } = compile<Fn>(text ?? "", ["copyOdd"]);
    expect(Object.getOwnPropertyNames(copyOdd?.({ toString: "s", n: 1 }))).toEqual(["toString", "n"]);
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
