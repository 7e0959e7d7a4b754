/** The syntactic proof that inline code is confined, and where it writes (confined.ts, decision E17). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ConfinedRole, confined, confinedWrites, type WritePath } from "../../../compiler/emit/confined.js";
import type { InlineCode } from "../../../compiler/ir/index.js";

function inline(code: string, form: InlineCode["form"] = "expression", isAsync = false): InlineCode {
  const span = { file: "t.fsm", start: 0, end: code.length };
  return { kind: "InlineCode", id: "main.a.transform.0", language: "ts", form, code, isAsync, span, codeSpan: span };
}

const body = (code: string): InlineCode => inline(code, "body");

describe("confined", () => {
  it.each<[string, InlineCode, ConfinedRole]>([
    ["a condition", inline('Number.isInteger(data.id) && data.name.trim() !== "" && data.amount >= 0'), "judge"],
    ["a truthy read as a verdict", inline("data.active"), "judge"],
    ["the workload's transform", body("data.name = data.name.trim().toLowerCase();\ndata.amount_cents = data.amount * 100;\nreturn undefined;"), "record"],
    ["the workload's enrich", body('data.discount = Math.floor((data.amount_cents ?? 0) / 10);\ndata.label = "vip";\nreturn undefined;'), "record"],
    ["primitive locals", body("const c = data.a * 2;\nlet d = 1;\nd += c;\nif (d > 3) { data.b = d; } else data.b = `${c}`;\ndata.n++;\ndelete data.tmp;"), "record"],
    ["a fresh object into a field", body("data.pos = { x: data.x + 1, tags: ['a', String(data.y)] };"), "record"],
    ["a fresh object as the new record", inline("({ total: data.a + data.b, ok: true })"), "record"],
    ["a read of an element by a computed key", inline("data.items[data.i] === 3 && data['k'] > 0"), "judge"],
    ["a validator verdict", body('if (data.n > 3) return [false, "too big"];\nreturn true;'), "judge"],
  ])("proves %s confined", (_label, code, role) => {
    expect(confined(code, role)).toBe(true);
  });

  it.each<[string, InlineCode, ConfinedRole]>([
    ["async code", inline("data.a", "expression", true), "judge"],
    ["a free identifier", inline("console.log(data.a)"), "judge"],
    ["ctx", inline("ctx.variables.n > 1"), "judge"],
    ["Math.random", inline("Math.random() > 0.5"), "judge"],
    ["Date", inline("Date.now() > data.t"), "judge"],
    ["new", body("data.d = new Date();"), "record"],
    ["a computed-key write", body("data[data.k] = 1;"), "record"],
    ["a __proto__ write", body("data.__proto__ = null;"), "record"],
    ["a constructor read", inline("data.constructor.name === 'Object'"), "judge"],
    ["a shared object into a field", body("data.a = data.b;"), "record"],
    ["an alias through a local", body("const b = data.b;\ndata.a = b;"), "record"],
    ["one object in two fields", body("const o = { x: 1 };\ndata.a = o;\ndata.b = o;"), "record"],
    ["a slice (shares elements)", body("data.a = data.list.slice();"), "record"],
    ["a returned part of the record", inline("data.inner"), "record"],
    ["a spread of the record", inline("({ ...data, x: 1 })"), "record"],
    ["a mutating method other than push, pop, shift and unshift", body("data.list.sort();"), "record"],
    ["a push of a part of the record", body("data.list.push(data.a);"), "record"],
    ["a loop", body("for (const x of data.list) data.n = x;"), "record"],
    ["a function", body("data.f = () => 1;"), "record"],
    ["a throw", body("throw new Error('x');"), "record"],
    ["a local named like a global", body("const Math = data.m;\ndata.n = Math.floor(1);"), "record"],
    ["this", inline("this.x"), "judge"],
    ["a destructuring", body("const { a } = data;\ndata.b = a;"), "record"],
    ["a _transition_signal write", body('data._transition_signal = "s1";'), "record"],
    ["a _transition_signal write by an escaped key", body('data["_transition\\x5fsignal"] = "s1";'), "record"],
    ["a _transition_signal in a returned record", inline('({ _transition_signal: "s1", n: 1 })'), "record"],
    ["a __proto__ key in a returned record", inline("({ __proto__: null })"), "record"],
  ])("refuses %s", (_label, code, role) => {
    expect(confined(code, role)).toBe(false);
  });
});

describe("write paths", () => {
  it.each<[string, string, WritePath[]]>([
    ["top-level fields", "data.a = 1;\ndata.b = { x: [1] };\ndelete data.c;\ndata.n++;", [["a"], ["b"], ["c"], ["n"]]],
    ["a nested field", "data.a.b = 1;", [["a", "b"]]],
    [
      "the nested benchmark's pricing",
      "let total = 0;\nfor (const item of data.cart.items) {\n  item.price.amount = Math.round(item.price.amount * 100) / 100;\n  total += item.qty * item.price.amount;\n}\ndata.total = total;\nreturn undefined;",
      [["cart", "items", null, "price", "amount"], ["total"]],
    ],
    ["a constant naming a part", "const c = data.customer;\nc.tier = 'x';\nc.tier = 'y';", [["customer", "tier"]]],
    ["a constant through a constant", "const a = data.x;\n{ const b = a.inner; b.y = 1; }", [["x", "inner", "y"]]],
    ["an index loop", "for (let i = 0; i < data.items.length; i++) data.items[i].n = i;", [["items", null, "n"]]],
    ["numeric keys", "const last = data.list.length - 1;\ndata.list[last] = 0;\ndata.m[Math.floor(data.i)].x = 1;\ndata.m[+data.j].y = 2;\ndata.list[0] = 1;", [["list", null], ["m", null, "x"], ["m", null, "y"]]],
    ["a numeric key at the top", "data[0] = 1;", [[null]]],
    ["string keys", "data['a b'].c = 1;\ndata[`d`] = 2;", [["a b", "c"], ["d"]]],
    ["array additions and removals", "data.errors.push('bad', { code: 1 });\ndata.queue.shift();\ndata.stack.pop();\ndata.list.unshift(0);", [["errors", null], ["queue", null], ["stack", null], ["list", null]]],
    ["a signal below the top", "data.meta._transition_signal = 's1';", [["meta", "_transition_signal"]]],
    ["loops and branches", "let k = 0;\nwhile (k < 2) { data.t = k; k++; }\ndo { k--; } while (k > 0);\nfor (;;) { if (k > 3) break; k++; continue; }", [["t"]]],
    ["a fresh record returned", "data.x.y = 1;\nreturn { a: 1 };", [["x", "y"]]],
    ["a name declared in two blocks", "if (data.n > 1) { const c = data.n * 2; data.x = c; } else { const c = 'none'; data.x = c; }", [["x"]]],
  ])("lists %s", (_label, code, paths) => {
    expect(confinedWrites(body(code), "record")).toEqual(paths);
  });

  it("lists nothing for code that only reads", () => {
    expect(confinedWrites(inline("data.a.b > 1 && data.list.includes(2)"), "judge")).toEqual([]);
    expect(confinedWrites(body("const c = data.customer;\nif (c.tier === 'x') return [false, 'no'];\nreturn true;"), "judge")).toEqual([]);
  });

  it.each<[string, string]>([
    ["a `let` naming a part", "let c = data.customer;\nc.tier = 'x';"],
    ["an assignment to a constant naming a part", "const c = data.customer;\nc = data.other;"],
    ["a part stored elsewhere in the record", "const c = data.customer;\ndata.owner = c;"],
    ["a local shadowing a global outside its block", "{ const process = data.p; }\nprocess.env.X = 1;"],
    ["a write through a name declared twice", "{ const c = data.a; c.x = 1; }\n{ const c = data.b; c.y = 1; }"],
    ["a name declared twice, one of them not fresh", "if (data.n > 1) { const c = 1; data.x = c; } else { const c = data.o; data.x = c; }"],
    ["a key that may not be a number", "let k = 0;\nk = data.name;\ndata.m[k].y = 1;"],
    ["a key through a constant that may not be a number", "let k = 0;\nk = data.name;\nconst x = data.m[k];\nx.y = 1;"],
    ["a hoisted `var` as a key", "data.m[i].x = 1;\nvar i = 0;"],
    ["a key read from the record", "data.items[data.i].x = 1;"],
    ["a string-valued call as a key", "data.m[String(1)].x = 1;"],
    ["a prototype on the way", "data.a.__proto__.x = 1;"],
    ["a signal at the top by a string key", "data['_transition_signal'] = 1;"],
    ["a write to a local object", "const o = { a: 1 };\no.b = 2;\ndata.o = 1;"],
    ["a write to ctx", "ctx.variables.x = 1;"],
    ["a write through a loop variable over a copy", "for (const x of data.list.slice()) x.y = 1;"],
    ["a `for…in`", "for (const k in data.m) data.n = 1;"],
    ["a labelled break", "outer: for (;;) { break outer; }"],
    ["a `for await`", "for await (const x of data.list) data.n = 1;"],
    ["a destructured loop variable", "for (const [a] of data.list) data.n = a;"],
  ])("refuses %s", (_label, code) => {
    expect(confinedWrites(body(code), "record")).toBeUndefined();
  });
});

/**
 * Soundness of the write paths: random programs built from the shapes inline code takes
 * (constants naming parts, loops, index loops, array additions, deletes, branches) run on a
 * record whose every object is watched; every write must fall on a listed path, and every
 * object written must be new (no part of the record).
 */
describe("write paths of random programs", () => {
  type Template = (n: number) => string;
  const value = ["1", "data.id * 2", "'s' + data.id", "{ a: 1, b: [2, { c: 'x' }] }", "[]", "null", "!data.flag"];
  const templates: readonly Template[] = [
    (n) => `data.total = ${value[n % value.length]};`,
    (n) => `data.customer.tier = ${value[(n + 1) % value.length]};`,
    (n) => `const c${n} = data.customer;\nc${n}.name = ${value[(n + 2) % value.length]};`,
    (n) => `for (const it${n} of data.cart.items) {\n  it${n}.qty = it${n}.qty + 1;\n}`,
    (n) => `for (const it${n} of data.cart.items) {\n  it${n}.price.amount *= 2;\n}`,
    (n) => `for (let i${n} = 0; i${n} < data.cart.items.length; i${n}++) {\n  data.cart.items[i${n}].sku = 's' + i${n};\n}`,
    () => "data.cart.items.push({ sku: 'n', qty: 1, price: { amount: 1, currency: 'EUR' } });",
    () => "delete data.customer.name;",
    () => "if (data.id > 3) {\n  data.meta = { k: 1 };\n} else {\n  data.total = 0;\n}",
    (n) => `const items${n} = data.cart.items;\nif (items${n}.length > 0) {\n  items${n}[0].price.currency = 'USD';\n}`,
    (n) => `const last${n} = data.cart.items.length - 1;\nif (last${n} >= 0) data.cart.items[last${n}].qty = 0;`,
    () => "data.meta = { tags: [] };\ndata.meta.tags.push('x');",
    (n) => `let k${n} = 0;\nwhile (k${n} < 2) {\n  data.total = k${n};\n  k${n}++;\n}`,
    (n) => `const cart${n} = data.cart;\nfor (const it${n} of cart${n}.items) {\n  if (it${n}.tags) it${n}.tags.push('t');\n}`,
    () => "data.cart.items.pop();",
    () => "data.customer = { name: 'x', tier: 'y' };\ndata.customer.tier = 'z';",
    (n) => `const p${n} = data.cart.items[${n % 2}];\nif (p${n} !== undefined) {\n  p${n}.price = { amount: ${n}, currency: 'GBP' };\n  p${n}.price.amount += 1;\n}`,
  ];
  const program = fc.array(fc.tuple(fc.nat(templates.length - 1), fc.nat(5)), { minLength: 1, maxLength: 5 }).map((picks) =>
    picks.map(([t, k], n) => (templates[t] as Template)(n * 10 + k)).join("\n"),
  );
  const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 5 });
  const item = fc.record(
    {
      sku: fc.string({ maxLength: 2 }),
      qty: fc.integer({ min: 0, max: 5 }),
      price: maybe(fc.record({ amount: fc.integer({ max: 100 }), currency: fc.constantFrom("EUR", "USD") })),
      tags: maybe(fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 })),
    },
    { requiredKeys: ["sku", "qty"] },
  );
  const record = fc.record(
    {
      id: fc.integer({ min: 0, max: 9 }),
      flag: fc.boolean(),
      customer: maybe(fc.record({ name: fc.string({ maxLength: 3 }), tier: fc.string({ maxLength: 3 }) })),
      cart: maybe(fc.record({ currency: fc.constant("EUR"), items: fc.array(item, { maxLength: 3 }) })),
      total: maybe(fc.integer()),
    },
    { requiredKeys: ["id", "flag"] },
  );

  interface Write {
    readonly path: readonly string[];
    /** The written value shared no object with the record when it was written. */
    readonly fresh: boolean;
  }

  /** A record whose every object reports its writes (with their paths) to `log`; `parts` collects every part of it. */
  function watched(root: object, log: Write[], parts: WeakSet<object>): object {
    const proxies = new WeakMap<object, object>();
    const wrap = (target: object, path: readonly string[]): object => {
      parts.add(target);
      const known = proxies.get(target);
      if (known !== undefined) return known;
      const proxy = new Proxy(target, {
        get(t, key) {
          const v: unknown = Reflect.get(t, key);
          return typeof key === "string" && typeof v === "object" && v !== null ? wrap(v, [...path, key]) : v;
        },
        set(t, key, v) {
          log.push({ path: [...path, String(key)], fresh: isFresh(v, parts) });
          return Reflect.set(t, key, v);
        },
        deleteProperty(t, key) {
          log.push({ path: [...path, String(key)], fresh: true });
          return Reflect.deleteProperty(t, key);
        },
        defineProperty(t, key, descriptor) {
          log.push({ path: [...path, String(key)], fresh: isFresh(descriptor.value, parts) });
          return Reflect.defineProperty(t, key, descriptor);
        },
      });
      proxies.set(target, proxy);
      parts.add(proxy);
      return proxy;
    };
    return wrap(root, []);
  }

  /** True when no object in `value` is a part of the record. */
  function isFresh(value: unknown, parts: WeakSet<object>): boolean {
    if (typeof value !== "object" || value === null) return true;
    return !parts.has(value) && Object.values(value).every((v) => isFresh(v, parts));
  }

  const covers = (paths: readonly WritePath[], written: readonly string[]): boolean =>
    paths.some((p) => p.length === written.length && p.every((k, i) => k === null || k === written[i]));

  it("every write of a program proved confined falls on a listed path, with a fresh value", () => {
    fc.assert(
      fc.property(program, record, (code, input) => {
        const paths = confinedWrites(body(code), "record");
        // Every program of these shapes is proved (the proof is not weaker than the shapes it is meant for).
        expect(paths, code).toBeDefined();
        const log: Write[] = [];
        const parts = new WeakSet<object>();
        const data = watched(structuredClone(input), log, parts);
        const run = new Function("data", "ctx", `"use strict";\n${code}`) as (d: object, c: unknown) => unknown;
        try {
          run(data, {});
        } catch (error) {
          // A missing part (`data.customer` absent) throws a TypeError after the writes before it.
          if (!(error instanceof TypeError)) throw error;
        }
        for (const write of log) {
          expect(covers(paths ?? [], write.path), `${code}\nwrote ${write.path.join(".")}`).toBe(true);
          expect(write.fresh, `${code}\nwrote a part of the record at ${write.path.join(".")}`).toBe(true);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
