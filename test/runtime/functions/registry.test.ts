import { describe, expect, it } from "vitest";
import { FsmRuntimeError } from "../../../runtime/errors.js";
import { BuiltinNotFoundError, BuiltinParamsError } from "../../../runtime/functions/errors.js";
import { BUILTIN_CATALOGUE, BUILTIN_NAMES, builtin } from "../../../runtime/functions/registry.js";
import { CTX, deepFreeze, make, run, thrown } from "./support.js";

/** The library as the brief and the compiler's catalogue define it: name → param → required. */
const EXPECTED: Readonly<Record<string, Readonly<Record<string, boolean>>>> = {
  "database.batch_commit": { resource: true, table: true, batch_size: false, atomicity: false, key_columns: false, use_transaction: false },
  "database.transaction": { resource: true, action: true, savepoint: false },
  "database.bulk_insert": { resource: true, table: true, columns: false, chunk_size: false, on_duplicate: false, key_columns: false },
  "database.fetch": { resource: true, query: true, params: false, fetch_one: false },
  "database.query": { resource: true, query_field: false, params_field: false, result_field: false },
  "database.upsert": { resource: true, table: true, key_columns: true, value_columns: false, on_conflict: false },
  "stream.aggregate": { aggregations: true, group_by: false, max_groups: false },
  "stream.chunk_reader": { path: true, chunk_size: false, format: false },
  "stream.parse": { field: false, output_field: false, format: true },
  "stream.write": { path: true, format: true, field: false, append: false },
  "transformers.filter_fields": { fields: true },
  "transformers.flatten": { separator: false },
  "transformers.map_fields": { mapping: true },
  "transformers.normalize": { name: true, fields: false },
  "transformers.rename_fields": { mapping: true },
  "transformers.set_defaults": { defaults: true },
  "validators.RequiredFieldsValidator": { fields: true },
  "validators.length": { field: true, min: false, max: false },
  "validators.pattern": { field: true, pattern: true },
  "validators.range": { field: true, min: false, max: false },
  "validators.required_fields": { fields: true },
  "validators.type_check": { types: true },
};

/** Valid params for each builtin, used to check what every builtin shares. */
const SAMPLE_PARAMS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  "database.batch_commit": { resource: "db", table: "items" },
  "database.transaction": { resource: "db", action: "begin" },
  "database.bulk_insert": { resource: "db", table: "items" },
  "database.fetch": { resource: "db", query: "select 1" },
  "database.query": { resource: "db" },
  "database.upsert": { resource: "db", table: "items", key_columns: ["id"] },
  "stream.aggregate": { aggregations: { n: { function: "count" } } },
  "stream.chunk_reader": { path: "records.jsonl" },
  "stream.parse": { format: "json" },
  "stream.write": { path: "out.jsonl", format: "jsonl" },
  "transformers.filter_fields": { fields: ["id", "name"] },
  "transformers.flatten": {},
  "transformers.map_fields": { mapping: { id: "record_id" } },
  "transformers.normalize": { name: "uppercase" },
  "transformers.rename_fields": { mapping: { id: "record_id" } },
  "transformers.set_defaults": { defaults: { tags: ["new"], owner: { name: "nobody" } } },
  "validators.RequiredFieldsValidator": { fields: ["id"] },
  "validators.length": { field: "name", max: 10 },
  "validators.pattern": { field: "name", pattern: "^[a-z]+$" },
  "validators.range": { field: "id", min: 0 },
  "validators.required_fields": { fields: ["id"] },
  "validators.type_check": { types: { id: "integer" } },
};

describe("BUILTIN_NAMES", () => {
  it("lists exactly the library, sorted by code point", () => {
    const expected = Object.keys(EXPECTED).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(BUILTIN_NAMES).toEqual(expected);
  });

  it("is frozen", () => {
    expect(Object.isFrozen(BUILTIN_NAMES)).toBe(true);
  });
});

describe("BUILTIN_CATALOGUE", () => {
  it("has one entry per name, in the same order", () => {
    expect(BUILTIN_CATALOGUE.map((entry) => entry.name)).toEqual(BUILTIN_NAMES);
  });

  it("declares exactly the expected params, with the expected required flags", () => {
    for (const entry of BUILTIN_CATALOGUE) {
      const required = Object.fromEntries(Object.entries(entry.params).map(([param, spec]) => [param, spec.required]));
      expect(required, entry.name).toEqual(EXPECTED[entry.name]);
    }
  });

  it("gives validators.* the validator kind and transformers.* the transformer kind", () => {
    for (const entry of BUILTIN_CATALOGUE) {
      expect(entry.kind, entry.name).toBe(entry.name.startsWith("validators.") ? "validator" : "transformer");
      expect(entry.summary, entry.name).toMatch(/^[A-Z].*\.$/);
      for (const spec of Object.values(entry.params)) expect(spec.description.length).toBeGreaterThan(0);
    }
  });

  it("lists the normalizations and the flatten default", () => {
    const normalize = BUILTIN_CATALOGUE.find((entry) => entry.name === "transformers.normalize");
    expect(normalize?.params["name"]?.values).toEqual(["lowercase", "strip", "trim", "uppercase"]);
    const flatten = BUILTIN_CATALOGUE.find((entry) => entry.name === "transformers.flatten");
    expect(flatten?.params["separator"]?.default).toBe(".");
  });
});

describe("builtin: unknown names", () => {
  it("throws FSMR0010 `Built-in function not found: <name>` (SEMANTICS C20)", () => {
    const error = thrown(() => builtin("validators.does_not_exist"));
    expect(error).toBeInstanceOf(BuiltinNotFoundError);
    expect(error).toBeInstanceOf(FsmRuntimeError);
    expect(error).toMatchObject({
      code: "FSMR0010",
      name: "BuiltinNotFoundError",
      functionName: "validators.does_not_exist",
      message: "Built-in function not found: validators.does_not_exist",
    });
  });

  it.each(["toString", "constructor", "__proto__", "", "normalize", "Validators.range", "database.transactions"])(
    "does not find %j",
    (name) => {
      expect(thrown(() => builtin(name))).toMatchObject({ code: "FSMR0010", message: `Built-in function not found: ${name}` });
    },
  );
});

describe("builtin: params", () => {
  it("rejects params that are not an object", () => {
    for (const params of [[], "fields", 3, new Map()]) {
      const error = thrown(() => builtin("validators.required_fields", params as unknown as Record<string, unknown>));
      expect(error).toBeInstanceOf(BuiltinParamsError);
      expect(error).toMatchObject({ code: "FSMR0011", param: null, functionName: "validators.required_fields" });
      expect((error as Error).message).toMatch(/^Built-in function `validators.required_fields`: params must be an object, got /);
    }
  });

  it("treats null params (YAML `params:` left empty) like no params", () => {
    const nothing = null as unknown as Record<string, unknown>;
    expect(() => builtin("transformers.flatten", nothing)).not.toThrow();
    expect(thrown(() => builtin("validators.required_fields", nothing))).toMatchObject({ param: "fields" });
  });

  it("names a missing required param", () => {
    expect(thrown(() => builtin("validators.required_fields"))).toMatchObject({
      code: "FSMR0011",
      param: "fields",
      message: "Built-in function `validators.required_fields`: param `fields` is required",
    });
    expect(thrown(() => builtin("validators.pattern", { field: "x" }))).toMatchObject({ param: "pattern" });
  });

  it("names an unknown param and lists the known ones", () => {
    expect(thrown(() => builtin("validators.range", { field: "age", minimum: 3 }))).toMatchObject({
      code: "FSMR0011",
      param: "minimum",
      message: "Built-in function `validators.range`: param `minimum` is not a param of this function (known params: field, min, max)",
    });
  });

  it("treats a `__proto__` key in JSON params as an unknown param", () => {
    const params = JSON.parse('{"__proto__": {"fields": ["x"]}, "fields": ["id"]}') as Record<string, unknown>;
    expect(thrown(() => builtin("validators.required_fields", params))).toMatchObject({ param: "__proto__" });
  });

  it("checks string params", () => {
    expect(thrown(() => builtin("validators.range", { field: 3, min: 0 }))).toMatchObject({
      param: "field",
      message: "Built-in function `validators.range`: param `field` must be a string, got number",
    });
    expect(thrown(() => builtin("validators.range", { field: "", min: 0 }))).toMatchObject({
      param: "field",
      message: "Built-in function `validators.range`: param `field` must not be empty",
    });
    expect(thrown(() => builtin("transformers.normalize", { name: "title" }))).toMatchObject({
      param: "name",
      message:
        'Built-in function `transformers.normalize`: param `name` must be one of "lowercase", "strip", "trim", "uppercase", got "title"',
    });
  });

  it("checks number params", () => {
    for (const bad of ["3", Number.NaN, Number.POSITIVE_INFINITY, true, null]) {
      expect(thrown(() => builtin("validators.range", { field: "x", min: bad }))).toMatchObject({ code: "FSMR0011", param: "min" });
    }
    expect((thrown(() => builtin("validators.range", { field: "x", min: "3" })) as Error).message).toBe(
      "Built-in function `validators.range`: param `min` must be a finite number, got string",
    );
  });

  it("checks string-array params", () => {
    const message = (value: unknown) => (thrown(() => builtin("validators.required_fields", { fields: value })) as Error).message;
    expect(message("id")).toBe("Built-in function `validators.required_fields`: param `fields` must be an array of strings, got string");
    expect(message([])).toBe("Built-in function `validators.required_fields`: param `fields` must not be empty");
    expect(message(["id", 3])).toBe(
      "Built-in function `validators.required_fields`: param `fields` must contain only strings, item 1 is number",
    );
    expect(message(["id", ""])).toBe(
      "Built-in function `validators.required_fields`: param `fields` must contain only non-empty strings, item 1 is empty",
    );
  });

  it("checks object params", () => {
    const message = (value: unknown) => (thrown(() => builtin("transformers.map_fields", { mapping: value })) as Error).message;
    expect(message(["a", "b"])).toBe("Built-in function `transformers.map_fields`: param `mapping` must be an object, got array");
    expect(message(null)).toBe("Built-in function `transformers.map_fields`: param `mapping` must be an object, got null");
    expect(message(new Date(0))).toBe("Built-in function `transformers.map_fields`: param `mapping` must be an object, got object");
    expect(message({})).toBe("Built-in function `transformers.map_fields`: param `mapping` must not be empty");
  });

  it("treats an undefined param like a missing one", () => {
    expect(() => builtin("transformers.flatten", { separator: undefined })).not.toThrow();
    expect(thrown(() => builtin("validators.required_fields", { fields: undefined }))).toMatchObject({ param: "fields" });
  });

  it("does not keep a reference to the caller's params", () => {
    const fields = ["id"];
    const check = make("validators.required_fields", { fields });
    fields.push("name");
    expect(check({ id: 1 })).toBe(true);
  });
});

describe("builtin: every function", () => {
  // The database functions need a resource in ctx, and the file functions of `stream.*` a file:
  // test/runtime/functions/database.test.ts and stream.test.ts run them.
  it.each(BUILTIN_NAMES.filter((name) => !name.startsWith("database.") && name !== "stream.chunk_reader" && name !== "stream.write"))("%s builds from valid params, is named after itself and takes (data, ctx)", (name) => {
    const fn = make(name, SAMPLE_PARAMS[name]);
    expect(fn.name).toBe(name);
    const result = fn({ id: 1, name: "bob" }, CTX);
    if (name.startsWith("validators.")) expect(result).toBe(true);
    else expect(result).toEqual(expect.any(Object));
  });

  it.each(BUILTIN_NAMES)("%s builds a fresh function per call, sharing nothing", (name) => {
    expect(make(name, SAMPLE_PARAMS[name])).not.toBe(make(name, SAMPLE_PARAMS[name]));
  });

  it.each(BUILTIN_NAMES.filter((name) => name.startsWith("transformers.")))(
    "%s returns a fresh object and never writes to its input",
    (name) => {
      const input = deepFreeze({ id: 1, name: " bob ", nested: { a: { b: 2 } }, tags: ["x"] });
      const before = JSON.stringify(input);
      const result = run(name, SAMPLE_PARAMS[name], input);
      expect(result).not.toBe(input);
      expect(JSON.stringify(input)).toBe(before);
    },
  );

  it.each(BUILTIN_NAMES.filter((name) => name.startsWith("validators.")))(
    "%s returns [false, reason] for a record that is not an object",
    (name) => {
      const fn = make(name, SAMPLE_PARAMS[name]);
      expect(fn([1, 2], CTX)).toEqual([false, "Expected object, got array"]);
      expect(fn(null, CTX)).toEqual([false, "Expected object, got null"]);
      expect(fn("bob", CTX)).toEqual([false, "Expected object, got string"]);
    },
  );

  it.each(BUILTIN_NAMES.filter((name) => name.startsWith("transformers.")))(
    "%s throws FSMR0012 for a record that is not an object",
    (name) => {
      const fn = make(name, SAMPLE_PARAMS[name]);
      expect(thrown(() => fn([1, 2], CTX))).toMatchObject({
        code: "FSMR0012",
        name: "BuiltinInputError",
        message: `Built-in function \`${name}\`: expects an object record, got array`,
      });
    },
  );
});

describe("SEMANTICS C20: builtins chained as in the reference case", () => {
  const preValidate = make("validators.RequiredFieldsValidator", { fields: ["id"] });
  const uppercase = make("transformers.normalize", { name: "uppercase" });
  const rename = make("transformers.map_fields", { mapping: { id: "record_id" } });

  it("passes {id: 1, name: 'bob'} and turns it into {record_id: 1, name: 'BOB'}", () => {
    const input = { id: 1, name: "bob" };
    expect(preValidate(input, CTX)).toBe(true);
    const normalized = uppercase(input, CTX);
    expect(normalized).toEqual({ id: 1, name: "BOB" });
    expect(rename(normalized, CTX)).toEqual({ record_id: 1, name: "BOB" });
    expect(input).toEqual({ id: 1, name: "bob" });
  });

  it("refuses {name: 'bob'}", () => {
    expect(preValidate({ name: "bob" }, CTX)).toEqual([false, "Missing required fields: id"]);
  });
});
