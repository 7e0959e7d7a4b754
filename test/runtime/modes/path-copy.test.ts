/**
 * Path copies (path-copy.ts): a copy that is new only along the written paths must behave, for
 * any writes on those paths, exactly like a full deep copy — the same result, and the record it
 * was made from left as it was.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Data, WritePath } from "../../../runtime/index.js";
import { deepCopy } from "../../../runtime/modes/copy.js";
import { PathCopier, pathCopier } from "../../../runtime/modes/path-copy.js";

/** Every object reachable from `value` (cycles not expected: JSON data). */
function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value === "object" && value !== null && !into.has(value)) {
    into.add(value);
    for (const v of Object.values(value)) objectsOf(v, into);
  }
  return into;
}

/** The values at `path` in `root` (a `null` segment: every element or field). */
function valuesAt(root: unknown, path: WritePath): unknown[] {
  let level: unknown[] = [root];
  for (const key of path) {
    const next: unknown[] = [];
    for (const v of level) {
      if (typeof v !== "object" || v === null) continue;
      if (key === null) next.push(...Object.values(v));
      else if (Object.hasOwn(v, key)) next.push((v as Data)[key]);
    }
    level = next;
  }
  return level;
}

/**
 * Applies one write per path: sets the field named by the path's last segment (every field for
 * `null`) on each object the rest of the path reaches, with a fresh value built from `seed`.
 */
function writeAlong(root: Data, paths: readonly WritePath[], seed: number): void {
  paths.forEach((path, n) => {
    const last = path[path.length - 1] ?? null;
    for (const holder of valuesAt(root, path.slice(0, -1))) {
      if (typeof holder !== "object" || holder === null) continue;
      const record = holder as Data;
      const keys = last === null ? Object.keys(record) : [last];
      for (const key of keys) {
        if ((seed + n) % 3 === 0) delete record[key];
        else record[key] = (seed + n) % 3 === 1 ? seed + n : { fresh: [seed, n] };
      }
    }
  });
}

const key = fc.constantFrom("a", "b", "c", "0", "1", "items", "__proto__");
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(null)),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }).map((o) => JSON.parse(JSON.stringify(o)) as Data),
  ),
})).value;
const record = fc.dictionary(key, json, { maxKeys: 5 }).map((o) => JSON.parse(JSON.stringify(o)) as Data);
const path = fc.array(fc.oneof(key, fc.constant(null)), { minLength: 1, maxLength: 4 });

describe("PathCopier", () => {
  it("gives what the same writes give on a full deep copy, and leaves the original as it was", () => {
    fc.assert(
      fc.property(record, fc.array(path, { maxLength: 4 }), fc.nat(50), (original, paths, seed) => {
        const before = deepCopy(original);
        const copier = new PathCopier(paths);
        // Twice: once learning the record's shapes, once through the compiled literals.
        for (let round = 0; round < 2; round++) {
          const viaPaths = copier.copy(original);
          const viaFull = deepCopy(original);
          writeAlong(viaPaths, paths, seed + round);
          writeAlong(viaFull, paths, seed + round);
          expect(viaPaths).toEqual(viaFull);
          expect(Object.keys(viaPaths)).toEqual(Object.keys(viaFull));
          expect(original).toEqual(before);
        }
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it("copies exactly the objects on the paths and shares the rest", () => {
    const original = { id: 1, customer: { name: "n", tier: "t" }, cart: { currency: "EUR", items: [{ price: { amount: 1 } }, { price: { amount: 2 } }] } };
    const copy = new PathCopier([["cart", "items", null, "price", "amount"], ["total"]]).copy(original) as typeof original;
    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    expect(copy.customer).toBe(original.customer);
    expect(copy.cart).not.toBe(original.cart);
    expect(copy.cart.items).not.toBe(original.cart.items);
    copy.cart.items.forEach((item, i) => {
      expect(item).not.toBe(original.cart.items[i]);
      expect(item.price).not.toBe(original.cart.items[i]?.price);
    });
    const other = objectsOf(original);
    const fresh = [copy, copy.cart, copy.cart.items, ...copy.cart.items, ...copy.cart.items.map((i) => i.price)];
    for (const o of fresh) expect(other.has(o)).toBe(false);
  });

  it("merges a path through any element with one through a named element", () => {
    const original = { m: { x: { a: { k: 1 } }, y: { a: { k: 2 }, b: { k: 3 } } } };
    const copy = new PathCopier([
      ["m", null, "z"],
      ["m", "y", "b", "k"],
    ]).copy(original) as typeof original;
    expect(copy.m.x).not.toBe(original.m.x);
    expect(copy.m.y).not.toBe(original.m.y);
    expect(copy.m.y.b).not.toBe(original.m.y.b);
    expect(copy.m.y.a).toBe(original.m.y.a);
    expect(copy.m.x.a).toBe(original.m.x.a);
  });

  it("follows deepCopy's rules on a path: prototypes, `__proto__` keys, dates and maps whole, class instances shared", () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    const money = new Money(5);
    const bare = Object.assign(Object.create(null) as Data, { k: { v: 1 } });
    const original = JSON.parse('{"__proto__": {"p": 1}, "a": 1}') as Data;
    Object.assign(original, { bare, at: new Date(3), map: new Map([["k", { v: 1 }]]), money });
    const copier = new PathCopier([
      ["bare", "k", "v"],
      ["at", "x"],
      ["map", "x"],
      ["money", "cents"],
      ["__proto__", "p"],
    ]);
    const copy = copier.copy(original);
    expect(copy).toEqual(deepCopy(original));
    expect(Object.keys(copy)).toEqual(Object.keys(original));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(copy["bare"])).toBe(null);
    expect((copy["bare"] as Data)["k"]).not.toBe(bare["k"]);
    expect(copy["at"]).not.toBe(original["at"]);
    expect((copy["map"] as Map<string, unknown>).get("k")).not.toBe((original["map"] as Map<string, unknown>).get("k"));
    expect(copy["money"]).toBe(money);
    expect(copy["__proto__"]).not.toBe(original["__proto__"]);
  });

  it("copies nothing when nothing is written", () => {
    const original = { a: { b: 1 } };
    expect(pathCopier([]).copy(original)).toBe(original);
    expect(pathCopier([["a", "b"]]).copy(original)).not.toBe(original);
  });

  it("keeps copying right when the records it sees change shape", () => {
    const copier = new PathCopier([["inner", "v"]]);
    for (let i = 0; i < 40; i++) {
      const original: Data = { [`k${i % 12}`]: i, inner: { v: i, w: [i] } };
      const copy = copier.copy(original);
      expect(copy).toEqual(original);
      expect(copy["inner"]).not.toBe(original["inner"]);
      expect((copy["inner"] as Data)["w"]).toBe((original["inner"] as Data)["w"]);
    }
  });
});
