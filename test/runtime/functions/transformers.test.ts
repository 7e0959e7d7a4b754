import { describe, expect, it } from "vitest";
import { builtin } from "../../../runtime/functions/registry.js";
import { CTX, deepFreeze, make, run, thrown } from "./support.js";

describe.each(["transformers.map_fields", "transformers.rename_fields"])("%s", (name) => {
  it("renames the mapped fields and keeps the others (SEMANTICS C20)", () => {
    expect(run(name, { mapping: { id: "record_id" } }, { id: 1, name: "bob" })).toEqual({ record_id: 1, name: "bob" });
  });

  it("keeps the position of a renamed field", () => {
    const result = run(name, { mapping: { b: "beta" } }, { a: 1, b: 2, c: 3 }) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(["a", "beta", "c"]);
  });

  it("ignores mapped fields that are absent", () => {
    expect(run(name, { mapping: { id: "record_id" } }, { name: "bob" })).toEqual({ name: "bob" });
  });

  it("renames all at once, so a mapping can swap or chain fields", () => {
    expect(run(name, { mapping: { a: "b", b: "a" } }, { a: 1, b: 2 })).toEqual({ a: 2, b: 1 });
    expect(run(name, { mapping: { a: "b", b: "c" } }, { a: 1, b: 2 })).toEqual({ b: 1, c: 2 });
    expect(run(name, { mapping: { a: "b", b: "c" } }, { a: 1 })).toEqual({ b: 1 });
  });

  it("lets a renamed value win over a field that already has the new name", () => {
    expect(run(name, { mapping: { id: "key" } }, { key: "old", id: "new" })).toEqual({ key: "new" });
    expect(run(name, { mapping: { id: "key" } }, { id: "new", key: "old" })).toEqual({ key: "new" });
  });

  it("renames a field that holds null or undefined", () => {
    const result = run(name, { mapping: { a: "b" } }, { a: null }) as Record<string, unknown>;
    expect(result).toEqual({ b: null });
    expect(Object.hasOwn(run(name, { mapping: { a: "b" } }, { a: undefined }) as object, "b")).toBe(true);
  });

  it("treats dotted names as plain keys", () => {
    expect(run(name, { mapping: { "a.b": "c" } }, { "a.b": 1, a: { b: 2 } })).toEqual({ c: 1, a: { b: 2 } });
  });

  it("writes a `__proto__` target as a plain field", () => {
    const result = run(name, { mapping: { a: "__proto__" } }, { a: { polluted: true } }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("keeps nested values by reference and the input untouched", () => {
    const input = deepFreeze({ id: 1, nested: { x: 1 } });
    const result = run(name, { mapping: { id: "record_id" } }, input) as Record<string, unknown>;
    expect(result["nested"]).toBe(input.nested);
  });

  it("rejects a mapping to a non-string or empty name, and two fields mapped to one", () => {
    expect(thrown(() => builtin(name, { mapping: { id: 3 } }))).toMatchObject({
      code: "FSMR0011",
      param: "mapping",
      message: `Built-in function \`${name}\`: param \`mapping\` must map \`id\` to a non-empty field name, got number`,
    });
    expect(thrown(() => builtin(name, { mapping: { id: "" } }))).toMatchObject({ param: "mapping" });
    expect(thrown(() => builtin(name, { mapping: { id: "key", code: "key" } }))).toMatchObject({
      param: "mapping",
      message: `Built-in function \`${name}\`: param \`mapping\` maps both \`id\` and \`code\` to \`key\``,
    });
  });

  it("requires a non-empty `mapping`", () => {
    expect(thrown(() => builtin(name, {}))).toMatchObject({ param: "mapping" });
    expect(thrown(() => builtin(name, { mapping: {} }))).toMatchObject({ param: "mapping" });
  });
});

describe("transformers.filter_fields", () => {
  const keep = make("transformers.filter_fields", { fields: ["name", "id"] });

  it("keeps only the listed fields, in the order listed", () => {
    const result = keep({ id: 1, name: "bob", secret: "x" }, CTX) as Record<string, unknown>;
    expect(result).toEqual({ name: "bob", id: 1 });
    expect(Object.keys(result)).toEqual(["name", "id"]);
  });

  it("skips listed fields that are absent and keeps those holding null", () => {
    expect(keep({ name: null, other: 1 }, CTX)).toEqual({ name: null });
    expect(keep({}, CTX)).toEqual({});
  });

  it("does not copy inherited properties", () => {
    const record = Object.create({ id: 1 }) as Record<string, unknown>;
    record["name"] = "bob";
    expect(keep(record, CTX)).toEqual({ name: "bob" });
    expect(run("transformers.filter_fields", { fields: ["toString"] }, {})).toEqual({});
  });

  it("lists a field named twice once", () => {
    expect(Object.keys(run("transformers.filter_fields", { fields: ["a", "a"] }, { a: 1 }) as object)).toEqual(["a"]);
  });

  it("requires a non-empty `fields` list", () => {
    expect(thrown(() => builtin("transformers.filter_fields", { fields: [] }))).toMatchObject({ code: "FSMR0011", param: "fields" });
    expect(thrown(() => builtin("transformers.filter_fields", { include: ["a"] }))).toMatchObject({ param: "include" });
  });
});

describe("transformers.set_defaults", () => {
  const fill = make("transformers.set_defaults", { defaults: { status: "new", count: 0, tags: [], owner: { name: "nobody" } } });

  it("fills missing and undefined fields and keeps the others", () => {
    expect(fill({ status: "open", count: undefined }, CTX)).toEqual({
      status: "open",
      count: 0,
      tags: [],
      owner: { name: "nobody" },
    });
  });

  it("keeps a field that holds null, false, 0 or an empty string", () => {
    expect(fill({ status: null, count: 0, tags: "", owner: false }, CTX)).toEqual({ status: null, count: 0, tags: "", owner: false });
  });

  it("gives each record its own copy of an object or array default", () => {
    const first = fill({}, CTX) as { tags: string[]; owner: { name: string } };
    const second = fill({}, CTX) as { tags: string[]; owner: { name: string } };
    first.tags.push("changed");
    first.owner.name = "changed";
    expect(second).toMatchObject({ tags: [], owner: { name: "nobody" } });
    expect(fill({}, CTX)).toMatchObject({ tags: [], owner: { name: "nobody" } });
  });

  it("is not affected by later changes to the params object", () => {
    const defaults = { tags: ["a"] };
    const fillTags = make("transformers.set_defaults", { defaults });
    defaults.tags.push("b");
    expect(fillTags({}, CTX)).toEqual({ tags: ["a"] });
  });

  it("writes a `__proto__` default as a plain field", () => {
    const defaults = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const result = run("transformers.set_defaults", { defaults }, {}) as Record<string, unknown>;
    expect(Object.hasOwn(result, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it("rejects defaults that cannot be copied", () => {
    const error = thrown(() => builtin("transformers.set_defaults", { defaults: { f: () => 1 } }));
    expect(error).toMatchObject({ code: "FSMR0011", param: "defaults" });
    expect((error as Error).message).toMatch(/^Built-in function `transformers.set_defaults`: param `defaults` must hold only JSON-like values: /);
  });

  it("requires a non-empty `defaults` object", () => {
    expect(thrown(() => builtin("transformers.set_defaults", { defaults: {} }))).toMatchObject({ param: "defaults" });
    expect(thrown(() => builtin("transformers.set_defaults", { defaults: [1] }))).toMatchObject({ param: "defaults" });
  });
});

describe("transformers.normalize", () => {
  it("uppercases every string field and leaves other values alone (SEMANTICS C20)", () => {
    expect(run("transformers.normalize", { name: "uppercase" }, { id: 1, name: "bob" })).toEqual({ id: 1, name: "BOB" });
    const nested = { inner: "x" };
    const result = run("transformers.normalize", { name: "uppercase" }, { n: nested, a: ["x"], b: true, z: null }) as Record<
      string,
      unknown
    >;
    expect(result).toEqual({ n: { inner: "x" }, a: ["x"], b: true, z: null });
    expect(result["n"]).toBe(nested);
  });

  it("lowercases", () => {
    expect(run("transformers.normalize", { name: "lowercase" }, { a: "MiXeD", b: "ÉCOLE" })).toEqual({ a: "mixed", b: "école" });
  });

  it("trims, and `strip` is the same as `trim`", () => {
    const input = { a: "  x y \n", b: "\t\u00a0z\u00a0" };
    expect(run("transformers.normalize", { name: "trim" }, input)).toEqual({ a: "x y", b: "z" });
    expect(run("transformers.normalize", { name: "strip" }, input)).toEqual({ a: "x y", b: "z" });
  });

  it("does not depend on the locale (Turkish dotted i)", () => {
    expect(run("transformers.normalize", { name: "uppercase" }, { a: "i" })).toEqual({ a: "I" });
  });

  it("applies only to the listed fields when `fields` is given", () => {
    const result = run("transformers.normalize", { name: "uppercase", fields: ["a", "n", "missing"] }, { a: "x", b: "y", n: 1 });
    expect(result).toEqual({ a: "X", b: "y", n: 1 });
    expect(Object.hasOwn(result as object, "missing")).toBe(false);
  });

  it("keeps key order", () => {
    const result = run("transformers.normalize", { name: "uppercase" }, { z: "a", a: "b", m: 1 }) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(["z", "a", "m"]);
  });

  it("normalizes a `__proto__` field as a plain field", () => {
    const input = JSON.parse('{"__proto__": "x", "a": "y"}') as Record<string, unknown>;
    const result = run("transformers.normalize", { name: "uppercase" }, input) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(result, "__proto__")?.value).toBe("X");
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(input["a"]).toBe("y");
  });

  it("rejects an unknown normalization, a missing one, and an empty `fields` list", () => {
    expect(thrown(() => builtin("transformers.normalize", { name: "snake_case" }))).toMatchObject({ code: "FSMR0011", param: "name" });
    expect(thrown(() => builtin("transformers.normalize", { name: "toString" }))).toMatchObject({ param: "name" });
    expect(thrown(() => builtin("transformers.normalize", {}))).toMatchObject({ param: "name" });
    expect(thrown(() => builtin("transformers.normalize", { name: "trim", fields: [] }))).toMatchObject({ param: "fields" });
  });
});

describe("transformers.flatten", () => {
  const flatten = make("transformers.flatten");

  it("joins nested keys with dots by default", () => {
    expect(flatten({ id: 1, user: { name: "bob", address: { city: "Oslo" } } }, CTX)).toEqual({
      id: 1,
      "user.name": "bob",
      "user.address.city": "Oslo",
    });
  });

  it("uses the given separator", () => {
    expect(run("transformers.flatten", { separator: "__" }, { a: { b: { c: 1 } } })).toEqual({ a__b__c: 1 });
  });

  it("keeps arrays, null, dates and empty objects as values", () => {
    const when = new Date(0);
    const result = flatten({ a: { list: [{ x: 1 }], none: null, when, empty: {} } }, CTX) as Record<string, unknown>;
    expect(result).toEqual({ "a.list": [{ x: 1 }], "a.none": null, "a.when": when, "a.empty": {} });
    expect(result["a.when"]).toBe(when);
  });

  it("gives an empty nested object a fresh `{}`", () => {
    const empty = {};
    const result = flatten({ e: empty }, CTX) as Record<string, unknown>;
    expect(result["e"]).toEqual({});
    expect(result["e"]).not.toBe(empty);
  });

  it("flattens objects without a prototype", () => {
    const inner = Object.create(null) as Record<string, unknown>;
    inner["x"] = 1;
    expect(flatten({ a: inner }, CTX)).toEqual({ "a.x": 1 });
  });

  it("copies a flat record", () => {
    const input = { a: 1, b: "x" };
    const result = flatten(input, CTX);
    expect(result).toEqual(input);
    expect(result).not.toBe(input);
  });

  it("fails on two fields that flatten to the same key instead of dropping one", () => {
    expect(thrown(() => flatten({ "a.b": 1, a: { b: 2 } }, CTX))).toMatchObject({
      code: "FSMR0012",
      name: "BuiltinInputError",
      message: "Built-in function `transformers.flatten`: two fields flatten to the same key `a.b`",
    });
  });

  it("fails on a cyclic record instead of overflowing the stack", () => {
    const record: Record<string, unknown> = { a: {} };
    (record["a"] as Record<string, unknown>)["back"] = record;
    expect(thrown(() => flatten(record, CTX))).toMatchObject({
      code: "FSMR0012",
      message: "Built-in function `transformers.flatten`: the record is cyclic at `a.back`",
    });
  });

  it("flattens the same object reached by two paths (shared, not cyclic)", () => {
    const shared = { x: 1 };
    expect(flatten({ a: shared, b: shared }, CTX)).toEqual({ "a.x": 1, "b.x": 1 });
  });

  it("rejects an empty or non-string separator", () => {
    expect(thrown(() => builtin("transformers.flatten", { separator: "" }))).toMatchObject({ code: "FSMR0011", param: "separator" });
    expect(thrown(() => builtin("transformers.flatten", { separator: 1 }))).toMatchObject({ param: "separator" });
  });
});
