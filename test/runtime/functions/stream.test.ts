/**
 * The stream builtins called directly (docs/builtins.md "Streaming functions"), on real files in
 * a temporary folder: the chunk reader looping over a file and resuming from a serialized
 * record, the parser's formats and the positions of its errors, the writer's exact bytes and its
 * behaviour under concurrent calls, and the aggregator's values and bound.
 * test/integration/stream-builtins.test.ts runs them through compiled machines and `fsmc run`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AggregateLimitError, BuiltinInputError, BuiltinParamsError, StreamFunctionError } from "../../../runtime/functions/errors.js";
import { tempDir } from "../../support/cli.js";
import { CTX, deepFreeze, make, thrown } from "./support.js";

type Row = Record<string, unknown>;

let dir = "";
let cleanup = () => {};
beforeAll(() => {
  ({ dir, cleanup } = tempDir("fsmc-stream-fn-"));
});
afterAll(() => cleanup());

let files = 0;
/** A fresh path in the temp folder, with the given extension. */
function fresh(extension: string): string {
  files++;
  return join(dir, `f${files}${extension}`);
}

/** Writes `text` to a fresh file; its path. */
function file(extension: string, text: string | Buffer): string {
  const path = fresh(extension);
  writeFileSync(path, text);
  return path;
}

/** The rejection of `promise` (fails the test when it resolves). */
async function rejection(promise: unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, got none");
}

/** Calls the async builtin `fn` until `has_more` is false; every record it returned. */
async function readAll(fn: (data: unknown, ctx?: unknown) => unknown, first: Row = {}): Promise<Row[]> {
  const out: Row[] = [];
  let record = first;
  for (;;) {
    record = (await fn(record, CTX)) as Row;
    out.push(record);
    if (record["has_more"] !== true) return out;
    if (out.length > 100) throw new Error("the reader does not stop");
  }
}

describe("stream.chunk_reader", () => {
  const jsonl = (n: number): string => Array.from({ length: n }, (_, i) => JSON.stringify({ id: i })).join("\n") + "\n";

  it("reads 2,500 JSONL records in chunks of 1000: three calls, then has_more is false", async () => {
    const path = file(".jsonl", jsonl(2500));
    const reader = make("stream.chunk_reader", { path, chunk_size: 1000 });
    const calls = await readAll(reader, { job: "a" });
    expect(calls.map((r) => (r["chunk"] as Row[]).length)).toEqual([1000, 1000, 500]);
    expect(calls.map((r) => r["has_more"])).toEqual([true, true, false]);
    expect(calls.flatMap((r) => r["chunk"] as Row[])).toEqual(Array.from({ length: 2500 }, (_, id) => ({ id })));
    expect(calls[0]).toMatchObject({ job: "a", chunk_errors: [] });
    // The cursor is a resume point: index, and the byte offset and line of a plain file.
    const first = jsonl(1000);
    expect(calls[0]?.["_chunk_state"]).toEqual({ index: 1000, offset: Buffer.byteLength(first), line: 1001 });
    expect(calls[2]?.["_chunk_state"]).toEqual({ index: 2500, offset: Buffer.byteLength(jsonl(2500)), line: 2501 });
  });

  it("keeps its cursor in the record as plain JSON: a resumed run (a new instance, a serialized record) continues", async () => {
    const path = file(".jsonl", jsonl(25));
    const first = (await make("stream.chunk_reader", { path, chunk_size: 10 })({}, CTX)) as Row;
    const saved = JSON.parse(JSON.stringify(first)) as Row;
    expect(saved).toEqual(first);
    const rest = await readAll(make("stream.chunk_reader", { path, chunk_size: 10 }), saved);
    expect(rest.flatMap((r) => (r["chunk"] as Row[]).map((x) => x["id"]))).toEqual(Array.from({ length: 15 }, (_, i) => i + 10));
  });

  it("knows the last chunk when it ends exactly at the end of the file; a call after it reads nothing", async () => {
    const path = file(".jsonl", jsonl(20));
    const reader = make("stream.chunk_reader", { path, chunk_size: 10 });
    const calls = await readAll(reader);
    expect(calls.map((r) => [(r["chunk"] as Row[]).length, r["has_more"]])).toEqual([
      [10, true],
      [10, false],
    ]);
    const after = (await reader(calls[1], CTX)) as Row;
    expect(after).toMatchObject({ chunk: [], chunk_errors: [], has_more: false, _chunk_state: calls[1]?.["_chunk_state"] });
  });

  it("puts a malformed line in chunk_errors with its index and line, and counts it in the chunk", async () => {
    const lines = ['{"id":0}', '{"id":1}', "{not json", "", '{"id":3}', "[1,2]", '{"id":5}'];
    const path = file(".jsonl", lines.join("\n") + "\n");
    const calls = await readAll(make("stream.chunk_reader", { path, chunk_size: 3 }));
    expect(calls.map((r) => r["chunk"])).toEqual([[{ id: 0 }, { id: 1 }], [{ id: 3 }, { id: 5 }]]);
    expect(calls[0]?.["chunk_errors"]).toEqual([{ index: 2, line: 3, error: expect.stringMatching(/^invalid JSON on line 3: /) as unknown }]);
    expect(calls[1]?.["chunk_errors"]).toEqual([{ index: 4, line: 6, error: "line 6: a record must be an object, got array" }]);
    // Each call replaces the previous chunk's errors rather than keeping them.
    expect(calls.map((r) => r["has_more"])).toEqual([true, false]);
  });

  it("reads CSV (header kept across seeks), text, JSON arrays and gzip", async () => {
    const csv = file(".csv", "id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n");
    const csvChunks = await readAll(make("stream.chunk_reader", { path: csv, chunk_size: 2 }));
    expect(csvChunks.map((r) => r["chunk"])).toEqual([
      [{ id: "1", name: "a" }, { id: "2", name: "b" }],
      [{ id: "3", name: "c" }, { id: "4", name: "d" }],
      [{ id: "5", name: "e" }],
    ]);
    const text = file(".log", "alpha\nbeta\n\ngamma\n");
    const textChunks = await readAll(make("stream.chunk_reader", { path: text, chunk_size: 2 }));
    expect(textChunks.map((r) => r["chunk"])).toEqual([[{ text: "alpha" }, { text: "beta" }], [{ text: "gamma" }]]);
    const json = file(".json", JSON.stringify(Array.from({ length: 5 }, (_, id) => ({ id }))));
    const jsonChunks = await readAll(make("stream.chunk_reader", { path: json, chunk_size: 2 }));
    expect(jsonChunks.map((r) => (r["chunk"] as Row[]).map((x) => x["id"]))).toEqual([[0, 1], [2, 3], [4]]);
    // A JSON document cannot be entered in the middle: its cursor has no offset, and it is re-read skipping.
    expect(jsonChunks[0]?.["_chunk_state"]).toEqual({ index: 2 });
    const gz = file(".data", gzipSync(jsonl(5)));
    const gzChunks = await readAll(make("stream.chunk_reader", { path: gz, chunk_size: 2, format: "jsonl" }));
    expect(gzChunks.map((r) => (r["chunk"] as Row[]).length)).toEqual([2, 2, 1]);
  });

  it("reads a relative path from the working directory", async () => {
    const path = file(".jsonl", jsonl(3));
    const reader = make("stream.chunk_reader", { path: relative(process.cwd(), path), chunk_size: 10 });
    expect(((await reader({}, CTX)) as Row)["chunk"]).toHaveLength(3);
  });

  it("fails with FSMR0014 for a missing file, naming the path and the working directory", async () => {
    const reader = make("stream.chunk_reader", { path: "no-such-dir/orders.jsonl" });
    const error = await rejection(reader({}, CTX));
    expect(error).toBeInstanceOf(StreamFunctionError);
    expect(error).toMatchObject({ code: "FSMR0014", functionName: "stream.chunk_reader", path: "no-such-dir/orders.jsonl" });
    expect((error as Error).message).toBe(
      `Built-in function \`stream.chunk_reader\`: cannot read \`no-such-dir/orders.jsonl\` (relative to the working directory \`${process.cwd()}\`): ` +
        "cannot open `no-such-dir/orders.jsonl`: ENOENT: no such file or directory, open 'no-such-dir/orders.jsonl'",
    );
  });

  it("fails with FSMR0014 when the cursor does not fit the file any more", async () => {
    const path = file(".jsonl", jsonl(3));
    const error = await rejection(make("stream.chunk_reader", { path })({ _chunk_state: { index: 1, offset: 3, line: 2 } }, CTX));
    expect(error).toMatchObject({ code: "FSMR0014" });
    expect((error as Error).message).toMatch(/the resume offset 3 is not at the start of a line/);
  });

  it("refuses a cursor that is not one (FSMR0012), and a record that is not an object", async () => {
    const reader = make("stream.chunk_reader", { path: file(".jsonl", jsonl(1)) });
    const cases: [unknown, string][] = [
      ["3", "`_chunk_state` must be an object {index, offset?, line?}, got string"],
      [{ index: -1 }, "`_chunk_state` `index` must be a whole number >= 0, got -1"],
      [{ index: 1, line: 0 }, "`_chunk_state` `line` must be a whole number >= 1, got 0"],
      [{ index: 1, cursor: 3 }, "`_chunk_state` has the unknown key `cursor` (it holds index, offset and line)"],
    ];
    for (const [state, message] of cases) {
      const error = await rejection(reader({ _chunk_state: state }, CTX));
      expect(error).toBeInstanceOf(BuiltinInputError);
      expect((error as Error).message).toBe(`Built-in function \`stream.chunk_reader\`: ${message}`);
    }
    expect(await rejection(reader([1], CTX))).toMatchObject({ code: "FSMR0012" });
  });

  it("refuses at build time a name that does not tell the format, a bad format and a bad chunk_size", () => {
    expect(thrown(() => make("stream.chunk_reader", { path: "orders.dat" }))).toMatchObject({ code: "FSMR0011", param: "format" });
    expect((thrown(() => make("stream.chunk_reader", { path: "orders.dat" })) as Error).message).toMatch(/^Built-in function `stream.chunk_reader`: param `format` is needed: cannot tell the format of `orders.dat`/);
    expect(() => make("stream.chunk_reader", { path: "orders.dat", format: "jsonl" })).not.toThrow();
    expect(thrown(() => make("stream.chunk_reader", { path: "a.jsonl", format: "xml" }))).toMatchObject({ code: "FSMR0011", param: "format" });
    for (const bad of [0, -5, 2.5]) {
      expect(thrown(() => make("stream.chunk_reader", { path: "a.jsonl", chunk_size: bad }))).toMatchObject({ code: "FSMR0011", param: "chunk_size" });
    }
  });
});

describe("stream.parse", () => {
  const parse = (params: Row, data: unknown): unknown => make("stream.parse", params)(data, CTX);
  const message = (params: Row, data: unknown): string => (thrown(() => parse(params, data)) as Error).message;

  it("parses one JSON value into output_field, leaving the rest of the record", () => {
    const input = deepFreeze({ id: 1, raw: '{"a": [1, 2], "b": null}' });
    expect(parse({ format: "json" }, input)).toEqual({ id: 1, raw: '{"a": [1, 2], "b": null}', parsed: { a: [1, 2], b: null } });
    expect(parse({ format: "json", field: "body", output_field: "body" }, { body: "[1]" })).toEqual({ body: [1] });
    expect(parse({ format: "json" }, { raw: "\uFEFF42" })).toEqual({ raw: "\uFEFF42", parsed: 42 });
  });

  it("returns a record without the field unchanged (a fresh copy)", () => {
    const input = deepFreeze({ id: 1 });
    const result = parse({ format: "json" }, input);
    expect(result).toEqual({ id: 1 });
    expect(result).not.toBe(input);
  });

  it("names the field and the position of a JSON error", () => {
    expect(message({ format: "json" }, { raw: '{"a": 1,\n  "b": x}' })).toBe(
      "Built-in function `stream.parse`: field `raw` is not valid JSON: line 2, column 8: Unexpected token 'x'",
    );
    expect(message({ format: "json" }, { raw: '{"a": 1,}' })).toBe(
      "Built-in function `stream.parse`: field `raw` is not valid JSON: line 1, column 9: Expected double-quoted property name",
    );
    expect(message({ format: "json" }, { raw: '{"é": tru }' })).toBe("Built-in function `stream.parse`: field `raw` is not valid JSON: line 1, column 10: Unexpected token ' '");
    expect(message({ format: "json" }, { raw: "" })).toBe("Built-in function `stream.parse`: field `raw` is not valid JSON: line 1, column 1: Unexpected end of JSON input");
    expect(thrown(() => parse({ format: "json" }, { raw: "{" }))).toBeInstanceOf(BuiltinInputError);
  });

  it("parses JSONL into an array of values, skipping blank lines, and names the line of an error", () => {
    expect(parse({ format: "jsonl" }, { raw: '{"a":1}\r\n\n  \n2\n"x"\n' })).toMatchObject({ parsed: [{ a: 1 }, 2, "x"] });
    expect(parse({ format: "jsonl" }, { raw: "" })).toMatchObject({ parsed: [] });
    expect(message({ format: "jsonl" }, { raw: '{"a":1}\n\n{"b":}\n' })).toBe(
      "Built-in function `stream.parse`: field `raw` is not valid JSONL: line 3, column 6: Unexpected token '}'",
    );
  });

  it("parses CSV into row objects under the header line", () => {
    const raw = 'id,name,note\r\n1,Ada,"likes ""quotes"", commas"\r\n\r\n2,Bob,"two\nlines"\r\n';
    expect(parse({ format: "csv" }, { raw })).toMatchObject({
      parsed: [
        { id: "1", name: "Ada", note: 'likes "quotes", commas' },
        { id: "2", name: "Bob", note: "two\nlines" },
      ],
    });
    expect(parse({ format: "csv" }, { raw: "id,name" })).toMatchObject({ parsed: [] });
    expect(parse({ format: "csv" }, { raw: "" })).toMatchObject({ parsed: [] });
    const proto = parse({ format: "csv" }, { raw: "__proto__,b\n1,2\n" }) as Row;
    expect(Object.getPrototypeOf((proto["parsed"] as Row[])[0])).toBe(Object.prototype);
    expect(Object.keys((proto["parsed"] as Row[])[0] ?? {})).toEqual(["__proto__", "b"]);
  });

  it("names the row and line of a CSV error", () => {
    expect(message({ format: "csv" }, { raw: "a,b\n1,2\n3\n" })).toBe("Built-in function `stream.parse`: field `raw` is not valid CSV: row 2 (line 3): 1 field, the header has 2");
    expect(message({ format: "csv" }, { raw: 'a,b\n1,"2\n' })).toBe("Built-in function `stream.parse`: field `raw` is not valid CSV: row 1 (line 2): Quoted field unterminated");
    expect(message({ format: "csv" }, { raw: "a,b,a\n1,2,3\n" })).toBe(
      "Built-in function `stream.parse`: field `raw` is not valid CSV: the header (line 1): column `a` appears twice (columns 1 and 3)",
    );
  });

  it("parses text into its lines", () => {
    expect(parse({ format: "text" }, { raw: "a\r\nb\n\nc" })).toMatchObject({ parsed: ["a", "b", "", "c"] });
    expect(parse({ format: "text" }, { raw: "a\n" })).toMatchObject({ parsed: ["a"] });
    expect(parse({ format: "text" }, { raw: "" })).toMatchObject({ parsed: [] });
  });

  it("refuses a field that does not hold text (FSMR0012)", () => {
    expect(message({ format: "json" }, { raw: 3 })).toBe("Built-in function `stream.parse`: field `raw` must hold the text to parse as JSON, got number");
    expect(message({ format: "csv" }, { raw: null })).toBe("Built-in function `stream.parse`: field `raw` must hold the text to parse as CSV, got null");
  });

  it("refuses the reference's yaml and xml formats when the machine is built", () => {
    for (const format of ["yaml", "xml"]) {
      const error = thrown(() => make("stream.parse", { format }));
      expect(error).toBeInstanceOf(BuiltinParamsError);
      expect((error as Error).message).toBe(`Built-in function \`stream.parse\`: param \`format\` must be one of "csv", "json", "jsonl", "text", got "${format}"`);
    }
    expect(thrown(() => make("stream.parse", {}))).toMatchObject({ code: "FSMR0011", param: "format" });
  });
});

describe("stream.write", () => {
  const write = (params: Row) => make("stream.write", params);

  it("appends JSONL exactly, one line per row, and adds appended_count", async () => {
    const path = fresh(".jsonl");
    const fn = write({ path, format: "jsonl" });
    const input = deepFreeze({ id: 1, data: { a: 1, b: "x" } });
    expect(await fn(input, CTX)).toEqual({ id: 1, data: { a: 1, b: "x" }, appended_count: 1 });
    expect(await fn({ data: [{ a: 2 }, { a: 3, c: [1] }] }, CTX)).toMatchObject({ appended_count: 2 });
    expect(await fn({ data: [] }, CTX)).toMatchObject({ appended_count: 0 });
    expect(readFileSync(path, "utf8")).toBe('{"a":1,"b":"x"}\n{"a":2}\n{"a":3,"c":[1]}\n');
    // A file that existed before is added to (append defaults to true).
    await write({ path, format: "jsonl", field: "row" })({ row: { a: 4 } }, CTX);
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(5);
  });

  it("appends CSV exactly: the header once, CRLF rows, the file's header kept when continuing it", async () => {
    const path = fresh(".csv");
    const fn = write({ path, format: "csv" });
    await fn({ data: { id: 1, name: "Ada, the first" } }, CTX);
    await fn({ data: [{ id: 2, name: 'say "hi"' }, { id: 3 }] }, CTX);
    await write({ path, format: "csv" })({ data: { name: "Dee", id: 4 } }, CTX);
    expect(readFileSync(path, "utf8")).toBe('id,name\r\n1,"Ada, the first"\r\n2,"say ""hi"""\r\n3,\r\n4,Dee\r\n');
  });

  it("keeps a JSON file one valid array", async () => {
    const path = fresh(".json");
    const fn = write({ path, format: "json" });
    await fn({ data: { a: 1 } }, CTX);
    await fn({ data: [{ a: 2 }, { a: 3 }] }, CTX);
    expect(readFileSync(path, "utf8")).toBe('[{"a":1},\n{"a":2},\n{"a":3}]\n');
  });

  it("with append: false, empties the file at the first write of the instance and adds after that", async () => {
    const path = file(".jsonl", '{"old":true}\n');
    const fn = write({ path, format: "jsonl", append: false });
    await fn({ data: { n: 1 } }, CTX);
    await fn({ data: { n: 2 } }, CTX);
    expect(readFileSync(path, "utf8")).toBe('{"n":1}\n{"n":2}\n');
    await write({ path, format: "jsonl", append: false })({ data: [] }, CTX);
    expect(readFileSync(path, "utf8")).toBe("");
  });

  it("writes none of a record's rows when one cannot be written (FSMR0014), and the file stays usable", async () => {
    const path = fresh(".csv");
    const fn = write({ path, format: "csv" });
    await fn({ data: { id: 1, name: "a" } }, CTX);
    const error = await rejection(fn({ data: [{ id: 2, name: "b" }, { id: 3, extra: "x" }] }, CTX));
    expect(error).toBeInstanceOf(StreamFunctionError);
    expect((error as Error).message).toMatch(/^Built-in function `stream.write`: cannot write to `.*\.csv`: sink `.*\.csv`: item 1 has key `extra` outside the CSV columns \(id, name\); .*; none of this record's rows were written$/);
    expect(readFileSync(path, "utf8")).toBe("id,name\r\n1,a\r\n");
    await fn({ data: { id: 4, name: "d" } }, CTX);
    expect(readFileSync(path, "utf8")).toBe("id,name\r\n1,a\r\n4,d\r\n");
    const json = fresh(".json");
    const jsonFn = write({ path: json, format: "json" });
    await jsonFn({ data: { a: 1 } }, CTX);
    const cyclic: Row = { a: 2 };
    cyclic["self"] = cyclic;
    expect(await rejection(jsonFn({ data: [{ a: 1.5 }, cyclic] }, CTX))).toMatchObject({ code: "FSMR0014" });
    expect(readFileSync(json, "utf8")).toBe('[{"a":1}]\n');
  });

  it("refuses a record without the field, or rows that are not objects (FSMR0012)", async () => {
    const fn = write({ path: fresh(".jsonl"), format: "jsonl" });
    const cases: [Row, string][] = [
      [{ id: 1 }, "the record has no field `data` to write (`field` names it)"],
      [{ data: "x" }, "field `data` must hold an object or an array of objects, got string"],
      [{ data: [{ a: 1 }, 2] }, "field `data` item 1 must be an object, got number"],
    ];
    for (const [record, detail] of cases) {
      const error = await rejection(fn(record, CTX));
      expect(error).toBeInstanceOf(BuiltinInputError);
      expect((error as Error).message).toBe(`Built-in function \`stream.write\`: ${detail}`);
    }
  });

  it("fails with FSMR0014 when the file cannot be opened", async () => {
    const path = join(dir, "missing-dir", "out.jsonl");
    const error = await rejection(write({ path, format: "jsonl" })({ data: { a: 1 } }, CTX));
    expect(error).toMatchObject({ code: "FSMR0014", path });
    expect((error as Error).message).toMatch(/cannot write to `.*out\.jsonl`: sink `.*`: cannot open the file for writing: ENOENT/);
  });

  it("never interleaves the bytes of 50 concurrent calls, across instances on one file", async () => {
    const path = fresh(".jsonl");
    const one = write({ path, format: "jsonl" });
    const other = write({ path, format: "jsonl" });
    // Rows of 20 KiB each, 10 per record: more than a write stream's buffer, so interleaving would show.
    const filler = "x".repeat(20 * 1024);
    const calls = Array.from({ length: 50 }, (_, r) =>
      (r % 2 === 0 ? one : other)({ data: Array.from({ length: 10 }, (_, i) => ({ r, i, filler })) }, CTX),
    );
    const results = (await Promise.all(calls)) as Row[];
    expect(results.every((x) => x["appended_count"] === 10)).toBe(true);
    const rows = readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { r: number; i: number; filler: string });
    expect(rows).toHaveLength(500);
    for (let k = 0; k < rows.length; k += 10) {
      const block = rows.slice(k, k + 10);
      expect(block.map((x) => x.r)).toEqual(Array.from({ length: 10 }, () => block[0]?.r));
      expect(block.map((x) => x.i)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
    expect(new Set(rows.map((x) => x.r)).size).toBe(50);
    // Calls run in the order they were made.
    expect(rows.filter((_, k) => k % 10 === 0).map((x) => x.r)).toEqual(Array.from({ length: 50 }, (_, r) => r));
  });

  it("refuses an unknown format when the machine is built", () => {
    expect(thrown(() => write({ path: "a.jsonl", format: "xml" }))).toMatchObject({ code: "FSMR0011", param: "format" });
    expect(thrown(() => write({ path: "a.jsonl" }))).toMatchObject({ code: "FSMR0011", param: "format" });
  });
});

describe("stream.aggregate", () => {
  const sales: Row[] = [
    { region: "north", amount: 10 },
    { region: "south", amount: 5 },
    { region: "north", amount: 30, note: null },
    { region: "north" },
    { amount: 7 },
  ];
  const all = { n: { function: "count" }, priced: { function: "count", field: "amount" }, total: { function: "sum", field: "amount" }, mean: { function: "avg", field: "amount" }, low: { function: "min", field: "amount" }, high: { function: "max", field: "amount" } };

  it("keeps count, sum, avg, min and max over every record it saw, without group_by", () => {
    const fn = make("stream.aggregate", { aggregations: all });
    const outputs = sales.map((record) => fn(deepFreeze({ ...record }), CTX) as Row);
    expect(outputs[0]).toEqual({ region: "north", amount: 10, aggregation: { n: 1, priced: 1, total: 10, mean: 10, low: 10, high: 10 } });
    expect(outputs[4]?.["aggregation"]).toEqual({ n: 5, priced: 4, total: 52, mean: 13, low: 5, high: 30 });
  });

  it("gives null for avg, min and max before any value, and 0 for sum and count", () => {
    const fn = make("stream.aggregate", { aggregations: all });
    expect((fn({ other: 1 }, CTX) as Row)["aggregation"]).toEqual({ n: 1, priced: 0, total: 0, mean: null, low: null, high: null });
  });

  it("keeps them per group with group_by, groups in the order first seen, an absent group field as null", () => {
    const fn = make("stream.aggregate", { aggregations: { n: all.n, total: all.total, high: all.high }, group_by: ["region"] });
    let last: Row = {};
    for (const record of sales) last = fn(record, CTX) as Row;
    expect(last["aggregations"]).toEqual([
      { region: "north", n: 3, total: 40, high: 30 },
      { region: "south", n: 1, total: 5, high: 5 },
      { region: null, n: 1, total: 7, high: 7 },
    ]);
    expect(last).not.toHaveProperty("aggregation");
  });

  it("groups by several fields", () => {
    const fn = make("stream.aggregate", { aggregations: { n: { function: "count" } }, group_by: ["a", "b"] });
    for (const record of [{ a: 1, b: "x" }, { a: 1, b: "y" }, { a: 1, b: "x" }, { a: "1", b: "x" }]) fn(record, CTX);
    expect((fn({ a: true, b: null }, CTX) as Row)["aggregations"]).toEqual([
      { a: 1, b: "x", n: 2 },
      { a: 1, b: "y", n: 1 },
      { a: "1", b: "x", n: 1 },
      { a: true, b: null, n: 1 },
    ]);
  });

  it("holds at most max_groups groups: a record starting one more fails (FSMR0015) and is not counted", () => {
    const fn = make("stream.aggregate", { aggregations: { n: { function: "count" } }, group_by: ["k"], max_groups: 2 });
    fn({ k: "a" }, CTX);
    fn({ k: "b" }, CTX);
    const error = thrown(() => fn({ k: "c" }, CTX));
    expect(error).toBeInstanceOf(AggregateLimitError);
    expect(error).toMatchObject({ code: "FSMR0015", maxGroups: 2, group: { k: "c" } });
    expect((error as Error).message).toBe(
      'Built-in function `stream.aggregate`: the record starts a new group {"k":"c"}, but max_groups (2) groups are held already; the record is not counted',
    );
    // Records of groups it holds still count.
    expect((fn({ k: "a" }, CTX) as Row)["aggregations"]).toEqual([
      { k: "a", n: 2 },
      { k: "b", n: 1 },
    ]);
  });

  it("refuses a value that is not a number, and a group value that is not a scalar, without counting the record (FSMR0012)", () => {
    const fn = make("stream.aggregate", { aggregations: { n: { function: "count" }, total: { function: "sum", field: "amount" } }, group_by: ["k"] });
    expect((thrown(() => fn({ k: "a", amount: "12" }, CTX)) as Error).message).toBe(
      "Built-in function `stream.aggregate`: field `amount` must hold a number for sum `total`, got string",
    );
    expect((thrown(() => fn({ k: ["a"], amount: 1 }, CTX)) as Error).message).toBe(
      "Built-in function `stream.aggregate`: group field `k` must hold a string, a number, a boolean or null, got array",
    );
    expect((fn({ k: "a", amount: 2 }, CTX) as Row)["aggregations"]).toEqual([{ k: "a", n: 1, total: 2 }]);
  });

  it("keeps its state per instance: two builtins (two slots or two machines) count apart", () => {
    const one = make("stream.aggregate", { aggregations: { n: { function: "count" } } });
    const two = make("stream.aggregate", { aggregations: { n: { function: "count" } } });
    one({}, CTX);
    one({}, CTX);
    expect((two({}, CTX) as Row)["aggregation"]).toEqual({ n: 1 });
  });

  it("refuses bad aggregations when the machine is built (FSMR0011)", () => {
    const cases: [Row, string][] = [
      [{ aggregations: { n: "count" } }, "output `n` must be an object `{function, field}`, got string"],
      [{ aggregations: { n: { function: "median", field: "x" } } }, 'output `n` has function "median"; the functions are avg, count, max, min, sum'],
      [{ aggregations: { n: { field: "x" } } }, "output `n` needs `function` (one of avg, count, max, min, sum)"],
      [{ aggregations: { n: { function: "sum" } } }, "output `n` needs `field`: sum reads a numeric field"],
      [{ aggregations: { n: { function: "sum", field: "x", window: 3 } } }, "output `n` has the unknown key `window` (an aggregation has `function` and `field`)"],
      [{ aggregations: { region: { function: "count" } }, group_by: ["region"] }, "output `region` is also a `group_by` field; the two would share one key of each group's output"],
    ];
    for (const [params, detail] of cases) {
      const error = thrown(() => make("stream.aggregate", params));
      expect(error).toBeInstanceOf(BuiltinParamsError);
      expect((error as Error).message).toBe(`Built-in function \`stream.aggregate\`: param \`aggregations\` ${detail}`);
    }
    expect(thrown(() => make("stream.aggregate", { aggregations: { n: { function: "count" } }, max_groups: 0 }))).toMatchObject({ param: "max_groups" });
  });
});
