import { describe, expect, it } from "vitest";
import { builtin } from "../../../runtime/functions/registry.js";
import { CTX, make, run, thrown } from "./support.js";

describe.each(["validators.RequiredFieldsValidator", "validators.required_fields"])("%s", (name) => {
  const check = make(name, { fields: ["id", "name", "email"] });

  it("passes when every field is present and not null", () => {
    expect(check({ id: 0, name: "", email: false, extra: 1 }, CTX)).toBe(true);
  });

  it("lists the missing fields, in the order given", () => {
    expect(check({ name: "bob" }, CTX)).toEqual([false, "Missing required fields: id, email"]);
  });

  it("counts an undefined value as missing", () => {
    expect(check({ id: 1, name: undefined, email: "a@b" }, CTX)).toEqual([false, "Missing required fields: name"]);
  });

  it("lists the null fields when none is missing", () => {
    expect(check({ id: null, name: "bob", email: null }, CTX)).toEqual([false, "Fields cannot be null: id, email"]);
  });

  it("reports missing fields before null ones", () => {
    expect(check({ id: null, name: "bob" }, CTX)).toEqual([false, "Missing required fields: email"]);
  });

  it("ignores inherited properties", () => {
    const record = Object.create({ id: 1, name: "x", email: "y" }) as Record<string, unknown>;
    expect(check(record, CTX)).toEqual([false, "Missing required fields: id, name, email"]);
  });

  it("lists a field named twice once", () => {
    expect(run(name, { fields: ["id", "id"] }, {})).toEqual([false, "Missing required fields: id"]);
  });

  it("requires a non-empty `fields` list", () => {
    expect(thrown(() => builtin(name))).toMatchObject({ code: "FSMR0011", param: "fields" });
    expect(thrown(() => builtin(name, { fields: [] }))).toMatchObject({ code: "FSMR0011", param: "fields" });
    expect(thrown(() => builtin(name, { fields: ["id"], allow_none: true }))).toMatchObject({ param: "allow_none" });
  });
});

describe("validators.type_check", () => {
  const types = {
    s: "string",
    n: "number",
    i: "integer",
    b: "boolean",
    a: "array",
    o: "object",
    z: "null",
  };
  const check = make("validators.type_check", { types });

  it("passes values of the named types and ignores absent fields", () => {
    expect(check({ s: "x", n: 1.5, i: 3, b: false, a: [], o: {}, z: null }, CTX)).toBe(true);
    expect(check({}, CTX)).toBe(true);
    expect(check({ s: undefined }, CTX)).toBe(true);
  });

  it("accepts integers as numbers (Q28 fixed)", () => {
    expect(check({ n: 3 }, CTX)).toBe(true);
    expect(check({ n: -0 }, CTX)).toBe(true);
  });

  it("rejects booleans as integers (Q28 fixed)", () => {
    expect(check({ i: true }, CTX)).toEqual([false, "i: Expected integer, got boolean"]);
  });

  it("rejects fractions as integers and NaN as a number", () => {
    expect(check({ i: 1.5 }, CTX)).toEqual([false, "i: Expected integer, got number"]);
    expect(check({ n: Number.NaN }, CTX)).toEqual([false, "n: Expected number, got NaN"]);
  });

  it("tells arrays, objects and null apart", () => {
    expect(check({ a: {}, o: [], z: {} }, CTX)).toEqual([
      false,
      "a: Expected array, got object; o: Expected object, got array; z: Expected null, got object",
    ]);
    expect(check({ o: null }, CTX)).toEqual([false, "o: Expected object, got null"]);
  });

  it("rejects strings that look like numbers", () => {
    expect(check({ n: "1", i: "2", b: "true" }, CTX)).toEqual([
      false,
      "n: Expected number, got string; i: Expected integer, got string; b: Expected boolean, got string",
    ]);
  });

  it("rejects an unknown type name, suggesting the JSON name for a Python one", () => {
    expect(thrown(() => builtin("validators.type_check", { types: { age: "int" } }))).toMatchObject({
      code: "FSMR0011",
      param: "types",
      message:
        'Built-in function `validators.type_check`: param `types` gives field `age` the unknown type "int" (did you mean "integer"?); known types: array, boolean, integer, null, number, object, string',
    });
    expect((thrown(() => builtin("validators.type_check", { types: { age: "date" } })) as Error).message).toContain(
      'gives field `age` the unknown type "date"; known types:',
    );
    expect((thrown(() => builtin("validators.type_check", { types: { tags: ["string"] } })) as Error).message).toContain(
      "gives field `tags` the unknown type array;",
    );
  });

  it("does not take inherited names as type names", () => {
    expect(thrown(() => builtin("validators.type_check", { types: { x: "toString" } }))).toMatchObject({ param: "types" });
  });

  it("requires a non-empty `types` object", () => {
    expect(thrown(() => builtin("validators.type_check", { types: {} }))).toMatchObject({ param: "types" });
    expect(thrown(() => builtin("validators.type_check", {}))).toMatchObject({ param: "types" });
  });
});

describe("validators.range", () => {
  const check = make("validators.range", { field: "age", min: 0, max: 120 });

  it("includes both bounds", () => {
    expect(check({ age: 0 }, CTX)).toBe(true);
    expect(check({ age: 120 }, CTX)).toBe(true);
    expect(check({ age: 37.5 }, CTX)).toBe(true);
  });

  it("reports a value below or above the range", () => {
    expect(check({ age: -1 }, CTX)).toEqual([false, "age: Value -1 is below minimum 0"]);
    expect(check({ age: 120.5 }, CTX)).toEqual([false, "age: Value 120.5 is above maximum 120"]);
  });

  it("passes a record without the field", () => {
    expect(check({ name: "bob" }, CTX)).toBe(true);
    expect(check({ age: undefined }, CTX)).toBe(true);
  });

  it("rejects a value that is not a number", () => {
    expect(check({ age: "30" }, CTX)).toEqual([false, "age: Expected numeric value, got string"]);
    expect(check({ age: true }, CTX)).toEqual([false, "age: Expected numeric value, got boolean"]);
    expect(check({ age: null }, CTX)).toEqual([false, "age: Expected numeric value, got null"]);
    expect(check({ age: Number.NaN }, CTX)).toEqual([false, "age: Expected numeric value, got NaN"]);
  });

  it("works with one bound only", () => {
    expect(run("validators.range", { field: "x", min: 5 }, { x: 1e9 })).toBe(true);
    expect(run("validators.range", { field: "x", min: 5 }, { x: 4 })).toEqual([false, "x: Value 4 is below minimum 5"]);
    expect(run("validators.range", { field: "x", max: 5 }, { x: -1e9 })).toBe(true);
    expect(run("validators.range", { field: "x", max: 5 }, { x: 6 })).toEqual([false, "x: Value 6 is above maximum 5"]);
  });

  it("needs a bound, and min not above max", () => {
    expect(thrown(() => builtin("validators.range", { field: "x" }))).toMatchObject({
      code: "FSMR0011",
      param: null,
      message: "Built-in function `validators.range`: needs param `min`, `max` or both",
    });
    expect(thrown(() => builtin("validators.range", { field: "x", min: 10, max: 5 }))).toMatchObject({
      param: "max",
      message: "Built-in function `validators.range`: param `max` must not be below `min` (min 10, max 5)",
    });
    expect(run("validators.range", { field: "x", min: 5, max: 5 }, { x: 5 })).toBe(true);
  });

  it("requires `field`", () => {
    expect(thrown(() => builtin("validators.range", { min: 1 }))).toMatchObject({ param: "field" });
  });
});

describe("validators.pattern", () => {
  const check = make("validators.pattern", { field: "email", pattern: "^[^@\\s]+@[^@\\s]+$" });

  it("passes a matching string", () => {
    expect(check({ email: "bob@example.com" }, CTX)).toBe(true);
  });

  it("reports a string that does not match, quoting it", () => {
    expect(check({ email: "bob at example" }, CTX)).toEqual([
      false,
      'email: Value "bob at example" does not match pattern /^[^@\\s]+@[^@\\s]+$/',
    ]);
  });

  it("searches anywhere in the string unless the pattern is anchored", () => {
    expect(run("validators.pattern", { field: "code", pattern: "[0-9]+" }, { code: "ab12" })).toBe(true);
    expect(run("validators.pattern", { field: "code", pattern: "^[0-9]+$" }, { code: "ab12" })).toEqual([
      false,
      'code: Value "ab12" does not match pattern /^[0-9]+$/',
    ]);
  });

  it("gives the same answer on every call (no regex state between records)", () => {
    const digits = make("validators.pattern", { field: "x", pattern: "\\d" });
    for (let i = 0; i < 3; i++) expect(digits({ x: "a1" }, CTX)).toBe(true);
  });

  it("cuts a long value in the message", () => {
    const result = check({ email: "x".repeat(500) }, CTX) as [false, string];
    expect(result[1].length).toBeLessThan(160);
    expect(result[1]).toContain("…");
  });

  it("passes a record without the field and rejects a non-string", () => {
    expect(check({}, CTX)).toBe(true);
    expect(check({ email: 42 }, CTX)).toEqual([false, "email: Expected string value, got number"]);
    expect(check({ email: null }, CTX)).toEqual([false, "email: Expected string value, got null"]);
  });

  it("rejects an invalid regular expression, keeping the SyntaxError as cause", () => {
    const error = thrown(() => builtin("validators.pattern", { field: "x", pattern: "([a-z" }));
    expect(error).toMatchObject({ code: "FSMR0011", param: "pattern" });
    expect((error as Error).message).toMatch(
      /^Built-in function `validators.pattern`: param `pattern` is not a valid regular expression: /,
    );
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it("requires `field` and `pattern`", () => {
    expect(thrown(() => builtin("validators.pattern", { pattern: "x" }))).toMatchObject({ param: "field" });
    expect(thrown(() => builtin("validators.pattern", { field: "x", pattern: "" }))).toMatchObject({ param: "pattern" });
  });
});

describe("validators.length", () => {
  const check = make("validators.length", { field: "name", min: 2, max: 4 });

  it("measures strings and arrays, bounds included", () => {
    expect(check({ name: "ab" }, CTX)).toBe(true);
    expect(check({ name: "abcd" }, CTX)).toBe(true);
    expect(check({ name: [1, 2, 3] }, CTX)).toBe(true);
  });

  it("reports a length below or above the bounds", () => {
    expect(check({ name: "a" }, CTX)).toEqual([false, "name: Length 1 is below minimum 2"]);
    expect(check({ name: [1, 2, 3, 4, 5] }, CTX)).toEqual([false, "name: Length 5 is above maximum 4"]);
    expect(check({ name: "" }, CTX)).toEqual([false, "name: Length 0 is below minimum 2"]);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(run("validators.length", { field: "s", max: 2 }, { s: "é😀" })).toBe(true);
    expect(run("validators.length", { field: "s", max: 1 }, { s: "😀😀" })).toEqual([false, "s: Length 2 is above maximum 1"]);
    // A lone surrogate counts as one character.
    expect(run("validators.length", { field: "s", max: 2 }, { s: "\ud83da" })).toBe(true);
  });

  it("passes a record without the field and rejects a value without a length", () => {
    expect(check({}, CTX)).toBe(true);
    expect(check({ name: 1234 }, CTX)).toEqual([false, "name: Expected string or array, got number"]);
    expect(check({ name: { length: 3 } }, CTX)).toEqual([false, "name: Expected string or array, got object"]);
  });

  it("works with one bound only", () => {
    expect(run("validators.length", { field: "s", min: 1 }, { s: "x".repeat(1000) })).toBe(true);
    expect(run("validators.length", { field: "s", max: 0 }, { s: "" })).toBe(true);
  });

  it("needs whole, non-negative bounds, at least one, min not above max", () => {
    expect(thrown(() => builtin("validators.length", { field: "s", min: 1.5 }))).toMatchObject({
      param: "min",
      message: "Built-in function `validators.length`: param `min` must be a whole number of 0 or more, got 1.5",
    });
    expect(thrown(() => builtin("validators.length", { field: "s", max: -1 }))).toMatchObject({ param: "max" });
    expect(thrown(() => builtin("validators.length", { field: "s" }))).toMatchObject({ param: null });
    expect(thrown(() => builtin("validators.length", { field: "s", min: 3, max: 2 }))).toMatchObject({ param: "max" });
  });
});

describe("validators as conditions and pre-validators", () => {
  it("return exactly `true` or a `[false, string]` pair", () => {
    const results = [
      run("validators.required_fields", { fields: ["a"] }, {}),
      run("validators.type_check", { types: { a: "string" } }, { a: 1 }),
      run("validators.range", { field: "a", max: 0 }, { a: 1 }),
      run("validators.pattern", { field: "a", pattern: "^b" }, { a: "a" }),
      run("validators.length", { field: "a", max: 0 }, { a: "a" }),
    ];
    for (const result of results) {
      expect(result).toEqual([false, expect.any(String)]);
      expect(result).toHaveLength(2);
    }
  });

  it("never change the record", () => {
    const record = { a: "x", b: [1] };
    run("validators.length", { field: "b", min: 1 }, record);
    run("validators.type_check", { types: { a: "string" } }, record);
    expect(record).toEqual({ a: "x", b: [1] });
  });
});
