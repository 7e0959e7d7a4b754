import { describe, expect, it } from "vitest";
import {
  chunk,
  columnsOf,
  insertStatement,
  jsonCastParams,
  lastPerKey,
  quoteIdentifier,
  quoteTableName,
  rowsPerStatement,
  rowValues,
  scrubValues,
  SqlShapeError,
  statementFailure,
  statementPreview,
  valueTexts,
} from "../../../../runtime/resources/providers/sql.js";

describe("identifiers", () => {
  it("quotes names and doubles embedded quotes", () => {
    expect(quoteIdentifier("id")).toBe('"id"');
    expect(quoteIdentifier('we"ird name')).toBe('"we""ird name"');
    expect(quoteIdentifier("select")).toBe('"select"');
  });

  it("refuses empty names and NUL characters", () => {
    expect(() => quoteIdentifier("")).toThrow(SqlShapeError);
    expect(() => quoteIdentifier("a\0b")).toThrow(/NUL/);
    expect(() => quoteTableName("")).toThrow(/table name is empty/);
    expect(() => quoteTableName("audit.")).toThrow(/empty/);
  });

  it("splits table names on dots into schema and table", () => {
    expect(quoteTableName("events")).toBe('"events"');
    expect(quoteTableName("audit.events")).toBe('"audit"."events"');
  });
});

describe("columnsOf", () => {
  it("takes the first row's keys and accepts other rows in any key order", () => {
    expect(columnsOf([{ a: 1, b: 2 }, { b: 3, a: 4 }])).toEqual(["a", "b"]);
    expect(columnsOf([])).toEqual([]);
  });

  it("refuses rows whose columns differ, naming the row and column", () => {
    expect(() => columnsOf([{ a: 1, b: 2 }, { a: 1 }])).toThrow("row 1 lacks column `b`");
    expect(() => columnsOf([{ a: 1 }, { a: 1, c: 2 }])).toThrow("row 1 has column `c`, which row 0 lacks");
    expect(() => columnsOf([{ a: 1 }, { c: 2 }])).toThrow("row 1 has column `c`");
    expect(() => columnsOf([{}])).toThrow("row 0 has no columns");
  });
});

describe("insertStatement", () => {
  it("writes one sqlite row with ? placeholders", () => {
    expect(insertStatement("sqlite", "items", ["id", "name"], 1)).toBe('INSERT INTO "items" ("id", "name") VALUES (?, ?)');
  });

  it("numbers postgres placeholders across rows", () => {
    expect(insertStatement("postgres", "s.items", ["id", "name"], 2)).toBe('INSERT INTO "s"."items" ("id", "name") VALUES ($1, $2), ($3, $4)');
  });

  it("updates the non-key columns on conflict", () => {
    expect(insertStatement("sqlite", "items", ["id", "name", "qty"], 1, { key: ["id"], onConflict: "update" })).toBe(
      'INSERT INTO "items" ("id", "name", "qty") VALUES (?, ?, ?) ON CONFLICT ("id") DO UPDATE SET "name" = excluded."name", "qty" = excluded."qty"',
    );
  });

  it("does nothing on conflict when asked, or when only key columns are given", () => {
    expect(insertStatement("postgres", "t", ["a", "b"], 1, { key: ["a"], onConflict: "ignore" })).toBe('INSERT INTO "t" ("a", "b") VALUES ($1, $2) ON CONFLICT ("a") DO NOTHING');
    expect(insertStatement("postgres", "t", ["a", "b"], 1, { key: ["a", "b"], onConflict: "update" })).toBe(
      'INSERT INTO "t" ("a", "b") VALUES ($1, $2) ON CONFLICT ("a", "b") DO NOTHING',
    );
  });

  it("refuses a key that is missing, empty or repeated", () => {
    expect(() => insertStatement("sqlite", "t", ["a"], 1, { key: ["b"], onConflict: "update" })).toThrow("key column `b` is not a column of the rows (a)");
    expect(() => insertStatement("sqlite", "t", ["a"], 1, { key: [], onConflict: "update" })).toThrow(/at least one key column/);
    expect(() => insertStatement("sqlite", "t", ["a"], 1, { key: ["a", "a"], onConflict: "update" })).toThrow(/named twice/);
  });

  it("quotes hostile column names instead of splicing them", () => {
    const sql = insertStatement("sqlite", "t", ['x") VALUES (1); DROP TABLE t; --'], 1);
    expect(sql).toBe('INSERT INTO "t" ("x"") VALUES (1); DROP TABLE t; --") VALUES (?)');
  });
});

describe("row batching", () => {
  it("keeps postgres statements under the parameter limit and 1,000 rows", () => {
    expect(rowsPerStatement(2)).toBe(1_000);
    expect(rowsPerStatement(100)).toBe(655);
    expect(rowsPerStatement(70_000)).toBe(1);
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("flattens rows in column order, undefined as null", () => {
    expect(rowValues([{ a: 1, b: undefined }, { b: "x", a: 2 }], ["a", "b"], (value) => value)).toEqual([1, null, 2, "x"]);
  });

  it("keeps the last row of each key, and every row with a NULL key", () => {
    const rows = [
      { id: 1, v: "a" },
      { id: 2, v: "b" },
      { id: 1, v: "c" },
      { id: null, v: "d" },
      { id: null, v: "e" },
    ];
    expect(lastPerKey(rows, ["id"])).toEqual([
      { id: 2, v: "b" },
      { id: 1, v: "c" },
      { id: null, v: "d" },
      { id: null, v: "e" },
    ]);
    const distinct = [{ id: 1 }, { id: "1" }];
    expect(lastPerKey(distinct, ["id"])).toBe(distinct);
  });
});

describe("error text", () => {
  it("previews a statement in 200 characters, whitespace collapsed", () => {
    expect(statementPreview("select  *\n  from t")).toBe("select * from t");
    const long = `select ${"x, ".repeat(200)}1`;
    expect(statementPreview(long)).toHaveLength(201);
    expect(statementPreview(long).endsWith("…")).toBe(true);
  });

  it("scrubs parameter values from a driver message but keeps names", () => {
    const values = valueTexts(["abc", 42, { nested: "secret-value" }]);
    expect(values).toContain("abc");
    expect(values).toContain("secret-value");
    expect(scrubValues('invalid input syntax for type integer: "abc"', values)).toBe('invalid input syntax for type integer: "***"');
    expect(scrubValues("value secret-value is too long for column name", values)).toBe("value *** is too long for column name");
    expect(scrubValues("line 42 near abc_def", ["42", "abc"])).toBe("line 42 near abc_def");
    expect(scrubValues("value 12345678901 is out of range for type integer", ["12345678901"])).toBe("value *** is out of range for type integer");
    expect(scrubValues("duplicate key value violates unique constraint", ["duplicate"])).toBe("duplicate key value violates unique constraint");
  });

  it("builds a failure message with the code and the statement, never the values", () => {
    const message = statementFailure('invalid input syntax for type integer: "hunter2x"', "22P02", "insert into t values ($1)", ["hunter2x"]);
    expect(message).toBe('invalid input syntax for type integer: "***" (22P02) in `insert into t values ($1)`');
  });
});

describe("jsonCastParams", () => {
  it("finds parameters cast to json or jsonb", () => {
    expect([...jsonCastParams("insert into t (a, b, c) values ($1, $2::jsonb, CAST($3 AS json))")]).toEqual([1, 2]);
    expect([...jsonCastParams("select * from t where id = any($1)")]).toEqual([]);
    expect([...jsonCastParams("select $10 :: JSONB")]).toEqual([9]);
  });
});
