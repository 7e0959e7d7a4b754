/** The COPY mode's copies: the generic deep copy and the shape-learning copy site. */
import { describe, expect, it } from "vitest";
import { deepCopy, RecordCopier } from "../../../runtime/modes/copy.js";
import { DirectRecordGuard, restoreInPlace } from "../../../runtime/modes/modes.js";

describe("deepCopy", () => {
  it("copies plain objects and arrays all the way down", () => {
    const source = { a: 1, nested: { list: [1, { b: 2 }], s: "x" }, n: null };
    const copy = deepCopy(source);
    expect(copy).toEqual(source);
    expect(copy.nested).not.toBe(source.nested);
    expect(copy.nested.list).not.toBe(source.nested.list);
    expect(copy.nested.list[1]).not.toBe(source.nested.list[1]);
  });

  it("copies dates, maps, sets and typed arrays; shares class instances and functions", () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    const fn = () => 1;
    const source = { at: new Date(5), m: new Map([["k", { v: 1 }]]), s: new Set([1]), bytes: new Uint8Array([1, 2]), money: new Money(3), fn };
    const copy = deepCopy(source);
    expect(copy.at).toEqual(new Date(5));
    expect(copy.at).not.toBe(source.at);
    expect(copy.m.get("k")).toEqual({ v: 1 });
    expect(copy.m.get("k")).not.toBe(source.m.get("k"));
    expect(copy.s).not.toBe(source.s);
    expect(copy.bytes).toEqual(new Uint8Array([1, 2]));
    expect(copy.bytes).not.toBe(source.bytes);
    expect(copy.money).toBe(source.money);
    expect(copy.fn).toBe(fn);
  });

  it("keeps a `__proto__` key as data and a null prototype", () => {
    const source = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = deepCopy(source);
    expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(Object.getPrototypeOf(deepCopy(bare))).toBe(null);
  });

  it("survives deep and cyclic nesting (structuredClone past the recursion limit)", () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 200; i++) deep = { next: deep };
    expect(deepCopy(deep)).toEqual(deep);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = cyclic;
    const copy = deepCopy(cyclic);
    expect(copy["a"]).toBe(1);
  });
});

describe("RecordCopier", () => {
  it("gives the same result as deepCopy for every shape it sees, learned or not", () => {
    const copier = new RecordCopier();
    const records = [
      { a: 1, b: { c: [1, 2] } },
      { a: 2, b: { c: [3] } },
      { a: 3, b: null },
      { b: 1, a: 2 },
      { 2: "two", 1: "one", x: "x" },
      Object.create(null) as Record<string, unknown>,
    ];
    for (let round = 0; round < 3; round++) {
      for (const record of records) {
        const copy = copier.copy(record);
        expect(copy).toEqual(deepCopy(record));
        expect(Object.keys(copy)).toEqual(Object.keys(record));
        if (typeof record["b"] === "object" && record["b"] !== null) expect(copy["b"]).not.toBe(record["b"]);
      }
    }
  });

  it("falls back to the generic copy for a site that keeps seeing new shapes", () => {
    const copier = new RecordCopier();
    for (let i = 0; i < 50; i++) {
      const record = { [`k${i}`]: i, nested: { i } };
      expect(copier.copy(record)).toEqual(record);
    }
  });

  it("copies a record whose key is `__proto__` as data", () => {
    const copier = new RecordCopier();
    const record = JSON.parse('{"__proto__": 1, "a": 2}') as Record<string, unknown>;
    expect(Object.keys(copier.copy(record))).toEqual(["__proto__", "a"]);
  });
});

describe("restoreInPlace and the DIRECT guard", () => {
  it("restoreInPlace puts back a snapshot's fields, keeping the object", () => {
    const target: Record<string, unknown> = { a: 1, added: true, nested: { x: 2 } };
    const snapshot = { a: 0, nested: { x: 1 } };
    restoreInPlace(target, snapshot);
    expect(target).toEqual({ a: 0, nested: { x: 1 } });
    (target["nested"] as { x: number }).x = 5;
    expect(snapshot.nested.x).toBe(1);
  });

  it("the guard admits one claim per record at a time", () => {
    const guard = new DirectRecordGuard();
    const record = {};
    expect(guard.claim(record)).toBe(true);
    expect(guard.claim(record)).toBe(false);
    guard.release(record);
    expect(guard.claim(record)).toBe(true);
  });
});
