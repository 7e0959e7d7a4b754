/**
 * What the generated helpers do, run directly: `copyInput` equals a generic deep copy for
 * every JSON input (property-based), flat or nested (objects, arrays, record references, a
 * self-referencing record), and shares nothing with it; the fused `enterInput` agrees with
 * copy-then-check; record checkers report JSON-pointer issues.
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

/** Whether two values are the same JSON tree: same primitives (`Object.is`), kinds, prototypes and key order. */
function sameTree(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join("\u0000") !== kb.join("\u0000")) return false;
  return ka.every((k) => sameTree((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Every object and array inside `value` (itself included). */
function objectsIn(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value === "object" && value !== null && !into.has(value)) {
    into.add(value);
    for (const v of Object.values(value)) objectsIn(v, into);
  }
  return into;
}

describe("copyInput of nested shapes (objects, arrays of objects, record references)", () => {
  // Three levels: Order.customer.address, Order.lines[] (Line) .parts[] .dims; Node refers to itself.
  const ORDER = {
    name: "Order",
    fields: [
      { name: "id", type: "integer" },
      {
        name: "customer",
        type: {
          kind: "ObjectType",
          additional: true,
          fields: [
            { name: "name", type: "string" },
            { name: "address", optional: true, type: { kind: "ObjectType", additional: true, fields: [{ name: "city", type: "string" }, { name: "zip", optional: true, type: "string" }] } },
          ],
        },
      },
      { name: "lines", type: { kind: "ArrayType", items: "Line" } },
      { name: "tags", optional: true, type: { kind: "ArrayType", items: "string" } },
      { name: "tree", optional: true, type: { kind: "UnionType", members: ["Node", "null"] } },
      { name: "meta", optional: true, type: "any" },
    ],
  };
  const OTHERS = [
    {
      name: "Line",
      fields: [
        { name: "sku", type: "string" },
        { name: "qty", type: "integer" },
        {
          name: "parts",
          type: {
            kind: "ArrayType",
            items: {
              kind: "ObjectType",
              additional: true,
              fields: [
                { name: "code", type: "string" },
                { name: "dims", type: { kind: "ObjectType", additional: true, fields: [{ name: "w", type: "number" }, { name: "h", type: "number" }] } },
              ],
            },
          },
        },
      ],
    },
    { name: "Node", fields: [{ name: "value", type: "number" }, { name: "children", optional: true, type: { kind: "ArrayType", items: "Node" } }] },
    { name: "Pair", fields: [{ name: "0", type: "string" }, { name: "1", optional: true, type: "string" }] },
  ];
  const records = recordsOf([ORDER, ...OTHERS]);
  const byName = new Map(records.map((r) => [r.record.name, r]));
  const order = byName.get("Order");
  if (order === undefined) throw new Error("no Order model");
  const text = copyInputFunction("copyOrder", "m", order, (name) => byName.get(name)) ?? "";
  const copyOrder = compile<(d: unknown) => unknown>(text, ["copyOrder"])["copyOrder"] as (d: unknown) => unknown;

  // Values of each type: mostly well shaped, sometimes a shape off (keys missing, extra, reordered) or junk.
  const junk = fc.jsonValue({ maxDepth: 2 });
  const sometimes = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: junk });
  const objectOf = (fields: Record<string, fc.Arbitrary<unknown>>, required: readonly string[]): fc.Arbitrary<unknown> => {
    const all = Object.keys(fields);
    const only = Object.fromEntries(required.map((k) => [k, fields[k] ?? junk]));
    return sometimes(
      fc.oneof(
        { weight: 4, arbitrary: fc.record(fields, { requiredKeys: all }) },
        { weight: 2, arbitrary: fc.record(only) },
        { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }) },
        { weight: 1, arbitrary: fc.tuple(fc.record(fields, { requiredKeys: all }), fc.dictionary(fc.constantFrom("x", "y", ...all), junk, { maxKeys: 2 })).map(([o, extra]) => ({ ...o, ...extra })) },
        { weight: 1, arbitrary: fc.record(fields, { requiredKeys: all }).map((o) => Object.fromEntries(Object.entries(o).reverse())) },
        { weight: 1, arbitrary: fc.array(fc.string(), { maxLength: 2 }) },
      ),
    );
  };
  const scalar = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: junk });
  const nodeOf = (levels: number): fc.Arbitrary<unknown> =>
    objectOf({ value: scalar(fc.double()), ...(levels > 0 ? { children: sometimes(fc.array(nodeOf(levels - 1), { maxLength: 2 })) } : {}) }, ["value"]);
  const node = nodeOf(3);
  const dims = objectOf({ w: scalar(fc.double()), h: scalar(fc.integer()) }, ["w", "h"]);
  const part = objectOf({ code: scalar(fc.string()), dims }, ["code", "dims"]);
  const line = objectOf({ sku: scalar(fc.string()), qty: scalar(fc.integer()), parts: sometimes(fc.array(part, { maxLength: 3 })) }, ["sku", "qty", "parts"]);
  const address = objectOf({ city: scalar(fc.string()), zip: scalar(fc.string()) }, ["city"]);
  const customer = objectOf({ name: scalar(fc.string()), address }, ["name"]);
  const input = objectOf(
    {
      id: scalar(fc.integer()),
      customer,
      lines: sometimes(fc.array(line, { maxLength: 3 })),
      tags: sometimes(fc.array(fc.oneof(fc.string(), fc.constant(null), fc.integer()), { maxLength: 3 })),
      tree: fc.oneof(node, fc.constant(null)),
      meta: junk,
    },
    ["id", "customer", "lines"],
  ).filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v));

  it("is exactly a deep copy (kinds, prototypes, key order, -0) for any value, three levels deep", () => {
    fc.assert(
      fc.property(input, (record) => {
        const json = JSON.stringify(record);
        const copy = copyOrder(record);
        expect(sameTree(copy, structuredClone(record))).toBe(true);
        expect(JSON.stringify(record)).toBe(json);
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it("shares nothing with the input: mutating every object of the copy leaves the input as it was", () => {
    fc.assert(
      fc.property(input, (record) => {
        const json = JSON.stringify(record);
        const copy = copyOrder(record);
        const inside = objectsIn(record);
        for (const o of objectsIn(copy)) {
          expect(inside.has(o)).toBe(false);
          if (Array.isArray(o)) o.push("changed");
          else (o as Record<string, unknown>)["changed"] = true;
        }
        expect(JSON.stringify(record)).toBe(json);
      }),
      { numRuns: 500, seed: 12 },
    );
  });

  it("copies declared nested shapes by helpers, never cloning a well-shaped field value generically", () => {
    // Only `meta` (any) is cloned generically as a field value.
    expect(text.match(/structuredClone\(f\d+\)/g)).toEqual(["structuredClone(f5)"]);
    expect(text).toContain("copyOrderScalars(");
    expect(text).toContain("items.slice()");
    // customer, address, lines[], Line, parts[], a part, dims, Node, children[]: Node refers to itself through children[].
    expect(text.match(/^function copyOrderPart\d+\(/gm)?.length).toBe(9);
    expect(text).toContain("if (depth > 100) return structuredClone(value);");
    const shaped = { id: 1, customer: { name: "a", address: { city: "c" } }, lines: [{ sku: "s", qty: 2, parts: [{ code: "p", dims: { w: 1, h: 2 } }] }] };
    const copy = copyOrder(shaped) as typeof shaped;
    expect(copy).toEqual(shaped);
    expect(copy.lines[0]?.parts[0]?.dims).not.toBe(shaped.lines[0]?.parts[0]?.dims);
  });

  it("copies a self-referencing record of any depth, and a cyclic value without recursing forever", () => {
    let tree: Record<string, unknown> = { value: 0 };
    for (let i = 1; i < 400; i++) tree = { value: i, children: [tree] };
    const deep = { id: 1, customer: { name: "a" }, lines: [], tree };
    expect(sameTree(copyOrder(deep), deep)).toBe(true);
    const cyclic: Record<string, unknown> = { value: 1 };
    cyclic["children"] = [cyclic];
    expect(() => copyOrder({ id: 1, customer: { name: "a" }, lines: [], tree: cyclic })).not.toThrow();
  });

  it("checks that a value is no array when a shape's keys could be an array's", () => {
    const [pair] = recordsOf([
      { name: "Holder", fields: [{ name: "pair", type: { kind: "ObjectType", additional: true, fields: [{ name: "0", type: "string" }, { name: "1", optional: true, type: "string" }] } }] },
    ]);
    const pairText = pair ? (copyInputFunction("copyHolder", "m", pair) ?? "") : "";
    expect(pairText).toContain("if (Array.isArray(value)) return structuredClone(value);");
    const copyHolder = compile<(d: unknown) => unknown>(pairText, ["copyHolder"])["copyHolder"] as (d: unknown) => unknown;
    for (const value of [["a"], ["a", "b"], { 0: "a" }, { 0: "a", 1: "b" }]) {
      expect(sameTree(copyHolder({ pair: value }), { pair: structuredClone(value) })).toBe(true);
    }
  });

  it("enters nested values in one pass: the copy exactly when the check passes and every object has a declared shape, else null", () => {
    // The same types, with `root` a direct (not a union) reference to the self-referencing Node.
    const withRoot = recordsOf([
      { ...ORDER, fields: [...ORDER.fields, { name: "root", optional: true, type: "Node" }] },
      ...OTHERS,
    ]);
    const models = new Map(withRoot.map((r) => [r.record.name, r]));
    const model = models.get("Order");
    if (model === undefined) throw new Error("no Order model");
    const checkerOf = (name: string) => models.get(name)?.checkName ?? "";
    const checkers = withRoot.map((r) => checkerFunction(r, "m.fsm", checkerOf));
    const copyText = copyInputFunction("copyOrder", "m", model, (name) => models.get(name)) ?? "";
    const enter = enterInputFunction("enterOrder", "copyOrder", "m", model, checkerOf, (name) => models.get(name));
    const source = [...checkers.flatMap((c) => c.patterns.map(patternConstant)), ...(enter?.patterns.map(patternConstant) ?? []), ...checkers.map((c) => c.text), copyText, enter?.text ?? ""].join("\n");
    type Fn = (v: unknown) => unknown;
    const fns = compile<Fn>(source, ["checkOrder", "copyOrder", "enterOrder"]);
    const [check, copy, enterOrder] = [fns["checkOrder"], fns["copyOrder"], fns["enterOrder"]] as [Fn, Fn, Fn];
    expect(enter?.text).toContain("if (depth > 100) return null;");

    // Records whose every object has a declared shape and passes its check.
    const nodeOk = (levels: number): fc.Arbitrary<unknown> =>
      levels === 0 ? fc.record({ value: fc.double() }) : fc.record({ value: fc.double(), children: fc.array(nodeOk(levels - 1), { maxLength: 2 }) }, { requiredKeys: ["value"] });
    const dimsOk = fc.record({ w: fc.double(), h: fc.double() });
    const lineOk = fc.record({ sku: fc.string(), qty: fc.integer(), parts: fc.array(fc.record({ code: fc.string(), dims: dimsOk }), { maxLength: 2 }) });
    const customerOk = fc.record({ name: fc.string(), address: fc.record({ city: fc.string(), zip: fc.string() }, { requiredKeys: ["city"] }) }, { requiredKeys: ["name"] });
    const base = { id: fc.integer(), customer: customerOk, lines: fc.array(lineOk, { maxLength: 3 }) };
    const rest = { tags: fc.array(fc.string(), { maxLength: 2 }), tree: fc.oneof(nodeOk(2), fc.constant(null)), meta: fc.jsonValue({ maxDepth: 2 }), root: nodeOk(3) };
    const wellShaped = fc.oneof(fc.record(base), fc.record({ ...base, ...rest }, { requiredKeys: ["id", "customer", "lines", "tags", "tree", "meta", "root"] }));

    let entered = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(wellShaped, input), (record) => {
        const json = JSON.stringify(record);
        const got = enterOrder(record);
        if (got === null) refused++;
        else {
          entered++;
          // Sound: a record the entry takes passes the check, and gets exactly copyInput's copy, sharing nothing.
          expect(check(record)).toBeNull();
          expect(sameTree(got, copy(record))).toBe(true);
          const inside = objectsIn(record);
          for (const o of objectsIn(got)) expect(inside.has(o)).toBe(false);
        }
        expect(JSON.stringify(record)).toBe(json);
      }),
      { numRuns: 1500, seed: 17 },
    );
    // Complete on well-shaped records (root keys a declared shape: all fields or the required ones).
    fc.assert(
      fc.property(wellShaped, (record) => {
        expect(enterOrder(record)).not.toBeNull();
      }),
      { numRuns: 300, seed: 18 },
    );
    expect(entered).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
    // Past the depth the copy takes generically, the entry leaves the record to the engine.
    let tree: Record<string, unknown> = { value: 0 };
    for (let i = 1; i < 150; i++) tree = { value: i, children: [tree] };
    const deep = { id: 1, customer: { name: "a" }, lines: [], root: tree };
    expect(check(deep)).toBeNull();
    expect(enterOrder(deep)).toBeNull();
  });

  it("copies a record reference generically when no record lookup is given", () => {
    const alone = copyInputFunction("copyOrder", "m", order) ?? "";
    expect(alone).not.toContain("depth");
    const copy = compile<(d: unknown) => unknown>(alone, ["copyOrder"])["copyOrder"] as (d: unknown) => unknown;
    fc.assert(fc.property(input, (record) => sameTree(copy(record), structuredClone(record))), { numRuns: 200, seed: 13 });
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
  const copy = copyInputFunction("copyOrder", "m", order, (name) => byName.get(name)) ?? "";
  const enter = enterInputFunction("enterOrder", "copyOrder", "m", order, checkerOf, (name) => byName.get(name));
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
    lines: field(
      fc.array(
        fc.oneof(
          fc.record({ qty: fc.integer({ min: 0, max: 3 }) }),
          fc.record({ qty: fc.double() }),
          // Passes Line's check (extra fields allowed) but is not its declared shape.
          fc.record({ qty: fc.integer({ min: 0, max: 3 }), extra: fc.string() }),
          junk,
        ),
        { maxLength: 3 },
      ),
    ),
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

  /** Whether every line of a record is an object of Line's declared shape (the entry's helper enters only those). */
  const linesShaped = (input: Record<string, unknown>): boolean =>
    !Array.isArray(input["lines"]) || input["lines"].every((l: unknown) => typeof l === "object" && l !== null && Object.keys(l).join(",") === "qty");

  it("gives copyInput's copy exactly when the record (and each line) has a declared shape and passes the check, else null", () => {
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
          expect(shaped && linesShaped(input) && issues === null).toBe(false);
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

  it("checks scalar fields with conditions, nested values it can check by conditions with helpers, and the others with the checker's own lines", () => {
    expect(enter?.text).toContain('Number.isInteger(f0) && !(f0 < 1)');
    expect(enter?.text).toContain("enterOrderPattern1.test(f1)");
    // `lines` (Line[]) is entered by helpers; `note` (a union with an object) keeps the checker's lines.
    expect(enter?.text).toContain("const c2 = enterOrderPart1(f2);");
    expect(enter?.text).toContain("if (items.length < 1) return null;");
    expect(enter?.text).not.toContain("issues = checkLine(");
    expect(enter?.text).toContain("must match one of the union's types");
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
