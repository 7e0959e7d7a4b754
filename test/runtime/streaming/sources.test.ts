/** Streaming sources over files, streams and iterables (docs/streaming.md, "Sources"; decision Q23). */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { openSource, SourceOptionsError, SourceReadError, type SourceOptions } from "../../../runtime/streaming/sources/index.js";
import { CHUNK_BYTES } from "../../../runtime/streaming/sources/bytes.js";
import { MAX_RAW_CHARS, type ResumePoint, type Source, type SourceItem } from "../../../runtime/streaming/types.js";

const dir = mkdtempSync(join(tmpdir(), "fsmc-sources-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes `content` to a new file named `name` in the temp folder; its path. */
function file(name: string, content: string | Buffer): string {
  const path = join(dir, `${++files}-${name}`);
  writeFileSync(path, content);
  return path;
}

async function collect(source: Source): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of source) items.push(item);
  return items;
}

async function read(input: Parameters<typeof openSource>[0], options?: SourceOptions): Promise<SourceItem[]> {
  return collect(await openSource(input, options));
}

const records = (items: readonly SourceItem[]): unknown[] => items.map((item) => (item.kind === "record" ? item.record : { malformed: item.error }));
const bytes = (text: string): number => Buffer.byteLength(text);

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a rejection");
}

describe("JSONL", () => {
  it("yields one record per non-blank line with exact lines and byte offsets", async () => {
    const text = '{"a":1}\n\n   \n{"b":"é€😀"}\n{"c":[1,2]}\n';
    const items = await read(file("x.jsonl", text));
    expect(records(items)).toEqual([{ a: 1 }, { b: "é€😀" }, { c: [1, 2] }]);
    expect(items.map((item) => item.position)).toEqual([
      { index: 0, line: 1, endOffset: 8, endLine: 2 },
      { index: 1, line: 4, endOffset: bytes('{"a":1}\n\n   \n{"b":"é€😀"}\n'), endLine: 5 },
      { index: 2, line: 5, endOffset: bytes(text), endLine: 6 },
    ]);
  });

  it("turns a line that is not JSON, or not an object, into a malformed item at its line (never skipped)", async () => {
    const text = '{"ok":1}\n{"broken": \n\n[1,2]\n42\n"text"\nnull\n{"ok":2}\n';
    const items = await read(file("bad.jsonl", text));
    expect(items.map((item) => [item.kind, item.position.index, item.position.line])).toEqual([
      ["record", 0, 1],
      ["malformed", 1, 2],
      ["malformed", 2, 4],
      ["malformed", 3, 5],
      ["malformed", 4, 6],
      ["malformed", 5, 7],
      ["record", 6, 8],
    ]);
    const bad = items.filter((item) => item.kind === "malformed");
    expect(bad.map((item) => item.kind === "malformed" && item.raw)).toEqual(['{"broken": ', "[1,2]", "42", '"text"', "null"]);
    expect(bad.map((item) => item.kind === "malformed" && item.error)).toEqual([
      expect.stringMatching(/^invalid JSON on line 2: /),
      "line 4: a record must be an object, got array",
      "line 5: a record must be an object, got number",
      "line 6: a record must be an object, got string",
      "line 7: a record must be an object, got null",
    ]);
  });

  it("cuts the raw text of a malformed line to MAX_RAW_CHARS", async () => {
    const long = `{"x": ${"9".repeat(MAX_RAW_CHARS * 3)}`;
    const [item] = await read(file("long.jsonl", `${long}\n`));
    expect(item?.kind).toBe("malformed");
    if (item?.kind === "malformed") {
      expect(item.raw).toBe(long.slice(0, MAX_RAW_CHARS));
      expect(item.error).toMatch(/^invalid JSON on line 1: /);
    }
  });

  it("reads lines longer than a read chunk, and lines split across chunks", async () => {
    const big = { payload: "x".repeat(CHUNK_BYTES * 3 + 17), n: 1 };
    const lines = [JSON.stringify({ n: 0 }), JSON.stringify(big), ...Array.from({ length: 5000 }, (_, i) => JSON.stringify({ n: i + 2, s: "ü".repeat(i % 13) }))];
    const text = `${lines.join("\n")}\n`;
    const items = await read(file("big.jsonl", text));
    expect(items).toHaveLength(lines.length);
    expect(items[1]?.kind === "record" && items[1].record).toEqual(big);
    expect(items.at(-1)?.position).toEqual({ index: lines.length - 1, line: lines.length, endOffset: bytes(text), endLine: lines.length + 1 });
    expect(items.every((item, i) => item.kind === "record" && (item.record as { n: number }).n === i)).toBe(true);
  });

  it("handles CRLF, a BOM, an empty file, and one line without a final newline", async () => {
    const crlf = await read(file("crlf.jsonl", '\uFEFF{"a":1}\r\n\r\n{"b":2}\r\n'));
    expect(records(crlf)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(crlf.map((item) => item.position)).toEqual([
      { index: 0, line: 1, endOffset: 3 + 9, endLine: 2 },
      { index: 1, line: 3, endOffset: 3 + 9 + 2 + 9, endLine: 4 },
    ]);
    expect(await read(file("empty.jsonl", ""))).toEqual([]);
    expect(await read(file("blank.jsonl", "\n\n  \n"))).toEqual([]);
    const one = await read(file("one.jsonl", '{"only":true}'));
    expect(one).toEqual([{ kind: "record", record: { only: true }, position: { index: 0, line: 1, endOffset: 13, endLine: 2 } }]);
  });

  it("keeps a `__proto__` key as data", async () => {
    const [item] = await read(file("proto.jsonl", '{"__proto__":{"polluted":true},"a":1}\n'));
    const record = item?.kind === "record" ? (item.record as Record<string, unknown>) : {};
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(["__proto__", "a"]);
  });
});

describe("text", () => {
  it("yields one record per line, blank lines skipped unless keepEmpty", async () => {
    const path = file("notes.txt", "\uFEFFfirst\r\n\r\n  \nsecond\nthird");
    expect(await read(path)).toEqual([
      { kind: "record", record: { text: "first" }, position: { index: 0, line: 1, endOffset: 3 + 7, endLine: 2 } },
      { kind: "record", record: { text: "second" }, position: { index: 1, line: 4, endOffset: 3 + 7 + 2 + 3 + 7, endLine: 5 } },
      { kind: "record", record: { text: "third" }, position: { index: 2, line: 5, endOffset: 3 + 7 + 2 + 3 + 7 + 5, endLine: 6 } },
    ]);
    const kept = await read(path, { keepEmpty: true, textField: "line" });
    expect(records(kept)).toEqual([{ line: "first" }, { line: "" }, { line: "  " }, { line: "second" }, { line: "third" }]);
    expect(kept.map((item) => item.position.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it("reads .log and .text files as text", async () => {
    expect(records(await read(file("app.log", "a\nb\n")))).toEqual([{ text: "a" }, { text: "b" }]);
    expect(records(await read(file("doc.text", "c")))).toEqual([{ text: "c" }]);
  });
});

describe("CSV", () => {
  it("maps rows by the header, with quoted line ends and quotes, lines where rows start and exact offsets", async () => {
    const text = '\uFEFFid,name,note\r\n1,"Ann ""the"" first","line one\r\nline two"\r\n\r\n2,Bob,plain\r\n3,"Cé",\r\n';
    const items = await read(file("people.csv", text));
    expect(records(items)).toEqual([
      { id: "1", name: 'Ann "the" first', note: "line one\r\nline two" },
      { id: "2", name: "Bob", note: "plain" },
      { id: "3", name: "Cé", note: "" },
    ]);
    const row1End = bytes('\uFEFFid,name,note\r\n1,"Ann ""the"" first","line one\r\nline two"\r\n');
    expect(items.map((item) => item.position)).toEqual([
      { index: 0, line: 2, endOffset: row1End, endLine: 4 },
      { index: 1, line: 5, endOffset: row1End + 2 + bytes("2,Bob,plain\r\n"), endLine: 6 },
      { index: 2, line: 6, endOffset: bytes(text), endLine: 7 },
    ]);
  });

  it("converts typed columns, and a value that does not convert is a malformed item naming row and column", async () => {
    const text = "id,price,qty,paid\n1,9.5,3,true\n2,,,\n3,abc,1,no\n4,1e3,2.5,yes\n5,-0.25,7,maybe\n";
    const items = await read(file("orders.csv", text), { columns: { id: "integer", price: "number", qty: "integer", paid: "boolean" } });
    expect(records(items)).toEqual([
      { id: 1, price: 9.5, qty: 3, paid: true },
      { id: 2, price: null, qty: null, paid: null },
      { malformed: 'row 3 (line 4), column `price`: "abc" is not a number' },
      { malformed: 'row 4 (line 5), column `qty`: "2.5" is not an integer' },
      { malformed: 'row 5 (line 6), column `paid`: "maybe" is not a boolean (true/false, 1/0, yes/no)' },
    ]);
    expect(items[2]?.kind === "malformed" && items[2].raw).toBe("3,abc,1,no");
  });

  it("reports a row with another field count than the header, and a broken quote, as malformed", async () => {
    const text = 'a,b\n1,2\n3\n4,5,6\n7,"8\n';
    const items = await read(file("ragged.csv", text));
    expect(records(items)).toEqual([
      { a: "1", b: "2" },
      { malformed: "row 2 (line 3): 1 field, the header has 2" },
      { malformed: "row 3 (line 4): 3 fields, the header has 2" },
      { malformed: "row 4 (line 5): invalid CSV: Quoted field unterminated" },
    ]);
    expect(items[3]?.kind === "malformed" && items[3].raw).toBe('7,"8');
  });

  it("reads without a header (col_0 …), TSV by extension, and a given delimiter", async () => {
    expect(records(await read(file("plain.csv", "x,1\ny,2,extra\n"), { header: false, columns: { col_1: "integer" } }))).toEqual([
      { col_0: "x", col_1: 1 },
      { col_0: "y", col_1: 2, col_2: "extra" },
    ]);
    expect(records(await read(file("t.tsv", "a\tb\n1,5\t2\n")))).toEqual([{ a: "1,5", b: "2" }]);
    expect(records(await read(file("semi.csv", "a;b\n1;2\n"), { delimiter: ";" }))).toEqual([{ a: "1", b: "2" }]);
  });

  it("handles an empty file, a header alone, one row without a final newline, and rows across read chunks", async () => {
    expect(await read(file("empty.csv", ""))).toEqual([]);
    expect(await read(file("head.csv", "a,b\n"))).toEqual([]);
    expect(await read(file("one.csv", "a,b\r\n1,2"))).toEqual([{ kind: "record", record: { a: "1", b: "2" }, position: { index: 0, line: 2, endOffset: 8, endLine: 2 } }]);
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},"multi\nline ${i}",${"é".repeat(i % 7)}`);
    const text = `n,text,pad\n${rows.join("\n")}\n`;
    const items = await read(file("many.csv", text));
    expect(items).toHaveLength(rows.length);
    expect(items.every((item, i) => item.kind === "record" && (item.record as { n: string }).n === String(i))).toBe(true);
    expect(items.at(-1)?.position).toEqual({ index: rows.length - 1, line: 2 + 2 * (rows.length - 1), endOffset: bytes(text), endLine: 2 + 2 * rows.length });
  });

  it("reads a quoted field of megabytes holding many line ends", async () => {
    const field = Array.from({ length: 150_000 }, (_, i) => `line ${i}, "q"`).join("\n");
    const quoted = field.replaceAll('"', '""');
    const text = `a,b\n1,"${quoted}"\n2,x\n`;
    const items = await read(file("huge-field.csv", text));
    expect(records(items)).toEqual([
      { a: "1", b: field },
      { a: "2", b: "x" },
    ]);
    expect(items.map((item) => [item.position.line, item.position.endOffset])).toEqual([
      [2, bytes(`a,b\n1,"${quoted}"\n`)],
      [150_002, bytes(text)],
    ]);
  });

  it("refuses a header that repeats a name, and typed columns the header lacks (FSMR0051)", async () => {
    const twice = await failure(read(file("twice.csv", "a,b,a\n1,2,3\n")));
    expect(twice).toBeInstanceOf(SourceReadError);
    expect(twice.code).toBe("FSMR0051");
    expect(twice.message).toMatch(/column `a` appears twice in the header \(columns 1 and 3, line 1\)/);
    const missing = await failure(read(file("cols.csv", "id,total\n1,2\n"), { columns: { amount: "number" } }));
    expect(missing.message).toMatch(/`columns` names `amount`, which is not in the header \(id, total\)/);
  });

  it("keeps a `__proto__` column as data", async () => {
    const [item] = await read(file("proto.csv", "__proto__,a\nx,1\n"));
    const record = item?.kind === "record" ? (item.record as Record<string, unknown>) : {};
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.entries(record)).toEqual([
      ["__proto__", "x"],
      ["a", "1"],
    ]);
  });
});

describe("JSON", () => {
  it("yields the items of the top-level array with the line of each item's first character", async () => {
    const text = '\uFEFF[\n  {"a": 1},\n  {"b": {"c": [1, 2, {"d": null}]}},\n\n  {"e": "é"}\n]\n';
    const items = await read(file("arr.json", text));
    expect(records(items)).toEqual([{ a: 1 }, { b: { c: [1, 2, { d: null }] } }, { e: "é" }]);
    expect(items.map((item) => item.position)).toEqual([
      { index: 0, line: 2 },
      { index: 1, line: 3 },
      { index: 2, line: 5 },
    ]);
  });

  it("yields the array at a path (also in the library's `.*` spelling), a wildcard step, and a top-level object once", async () => {
    const text = JSON.stringify({ meta: { n: 2 }, items: [{ id: 1 }, { id: 2 }], other: [{ id: 9 }] });
    const path = file("doc.json", text);
    expect(records(await read(path, { path: "$.items" }))).toEqual([{ id: 1 }, { id: 2 }]);
    expect(records(await read(path, { path: "$.items.*" }))).toEqual([{ id: 1 }, { id: 2 }]);
    expect(records(await read(path, { path: "items[*]" }))).toEqual([{ id: 1 }, { id: 2 }]);
    expect(records(await read(path))).toEqual([JSON.parse(text)]);
    const nested = file("nested.json", JSON.stringify({ groups: [{ rows: [{ x: 1 }] }, { rows: [{ x: 2 }, { x: 3 }] }], "a b": [{ y: 1 }] }));
    expect(records(await read(nested, { path: "$.groups.*.rows" }))).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    expect(records(await read(nested, { path: "$.groups[1].rows" }))).toEqual([{ x: 2 }, { x: 3 }]);
    expect(records(await read(nested, { path: "$['a b']" }))).toEqual([{ y: 1 }]);
    expect(records(await read(nested, { path: "$.groups[0]" }))).toEqual([{ rows: [{ x: 1 }] }]);
  });

  it("turns items that are not objects into malformed items", async () => {
    const items = await read(file("mixed.json", '[{"a":1}, 2, "s", [3], null, {"b":2}]'));
    expect(records(items)).toEqual([
      { a: 1 },
      { malformed: "line 1: a record must be an object, got number" },
      { malformed: "line 1: a record must be an object, got string" },
      { malformed: "line 1: a record must be an object, got array" },
      { malformed: "line 1: a record must be an object, got null" },
      { b: 2 },
    ]);
    expect(items.map((item) => item.kind === "malformed" && item.raw)).toEqual([false, "2", '"s"', "[3]", "null", false]);
    expect(records(await read(file("scalar.json", "42")))).toEqual([{ malformed: "line 1: the value at `$` is number, not an array or an object" }]);
  });

  it("ends with one malformed item at a syntax error, after the items before it", async () => {
    const text = '[\n{"a":1},\n{"b":2}\n{"c":3},\n{"d":4}\n]';
    const items = await read(file("broken.json", text));
    expect(records(items)).toEqual([{ a: 1 }, { b: 2 }, { malformed: expect.stringContaining("invalid JSON on line 4") }]);
    const last = items[2];
    expect(last?.kind === "malformed" && last.error).toBe("invalid JSON on line 4 (byte 19): expected `,` or `]`, found `{`; the rest of the input cannot be read");
    expect(last?.kind === "malformed" && last.raw.endsWith('{"b":2}\n{')).toBe(true);
    expect(last?.position).toEqual({ index: 2, line: 4 });
    const badChar = await read(file("char.json", '[{"a":1}, {"b": x}]'));
    expect(badChar.at(-1)?.kind === "malformed" && badChar.at(-1)).toMatchObject({ error: 'invalid JSON on line 1 (byte 16): unexpected character "x"; the rest of the input cannot be read' });
    const cut = await read(file("cut.json", '[{"a":1},\n{"b":'));
    expect(records(cut)).toEqual([{ a: 1 }, { malformed: "invalid JSON on line 2 (byte 15): the input ends inside an object; the rest of the input cannot be read" }]);
    expect(records(await read(file("after.json", "[] []")))).toEqual([{ malformed: expect.stringContaining("unexpected `[` after the end of the JSON value") }]);
  });

  it("counts lines right when items and strings span read chunks", async () => {
    const values = Array.from({ length: 40 }, (_, i) => ({ i, s: "y".repeat(i % 3 === 0 ? CHUNK_BYTES + 11 : 10), list: [i, "ü"] }));
    const parts = values.map((value) => JSON.stringify(value, null, 2));
    const text = `[\n${parts.join(",\n")}\n]\n`;
    const expected = parts.map((_, i) => 2 + parts.slice(0, i).reduce((lines, part) => lines + part.split("\n").length, 0));
    const items = await read(file("spread.json", text));
    expect(records(items)).toEqual(values);
    expect(items.map((item) => item.position.line)).toEqual(expected);
  });

  it("reads an empty file as no items, and reports a path that leads nowhere (FSMR0051)", async () => {
    expect(await read(file("empty.json", " \n"))).toEqual([]);
    expect(await read(file("empty-array.json", "[]"), { path: "$" })).toEqual([]);
    const nowhere = await failure(read(file("obj.json", '{"items": []}'), { path: "$.itemz" }));
    expect(nowhere).toBeInstanceOf(SourceReadError);
    expect(nowhere.message).toMatch(/no value at `\$\.itemz`/);
  });

  it("streams a large array without building it, and keeps `__proto__` keys as data", async () => {
    const many = Array.from({ length: 30_000 }, (_, i) => ({ i, s: "ü".repeat(i % 5), __proto__: null }));
    const text = `[${many.map((m) => JSON.stringify({ i: m.i, s: m.s, ["__proto__"]: { x: 1 } })).join(",\n")}]`;
    const items = await read(file("many.json", text));
    expect(items).toHaveLength(many.length);
    expect(items.at(-1)?.position.line).toBe(many.length);
    const record = items[7]?.kind === "record" ? (items[7].record as Record<string, unknown>) : {};
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(["i", "s", "__proto__"]);
  });
});

describe("gzip", () => {
  it("is found by its magic bytes, whatever the name says; the format comes from the name without .gz", async () => {
    const jsonl = '{"a":1}\nbad\n{"b":2}\n';
    const items = await read(file("data.jsonl.gz", gzipSync(jsonl)));
    expect(records(items)).toEqual([{ a: 1 }, { malformed: expect.stringMatching(/^invalid JSON on line 2/) }, { b: 2 }]);
    expect(items.map((item) => item.position)).toEqual([
      { index: 0, line: 1 },
      { index: 1, line: 2 },
      { index: 2, line: 3 },
    ]);
    // A gzip file named like a plain one, and a plain file named like a gzip one.
    expect(records(await read(file("looks-plain.csv", gzipSync("a,b\n1,2\n"))))).toEqual([{ a: "1", b: "2" }]);
    expect(records(await read(file("not-really.txt.gz", "hello\n")))).toEqual([{ text: "hello" }]);
    expect(records(await read(file("blob.bin", gzipSync('[{"x":1}]')), { format: "json" }))).toEqual([{ x: 1 }]);
    expect(records(await read(file("bom.txt.gz", gzipSync("\uFEFFhi\r\n"))))).toEqual([{ text: "hi" }]);
  });

  it("counts compressed bytes read and knows the file size", async () => {
    const compressed = gzipSync(Array.from({ length: 2000 }, (_, i) => JSON.stringify({ i })).join("\n"));
    const source = await openSource(file("n.ndjson.gz", compressed));
    expect(source.totalBytes).toBe(compressed.length);
    expect(await collect(source)).toHaveLength(2000);
    expect(source.bytesRead()).toBe(compressed.length);
  });

  it("reports corrupt or cut gzip data (FSMR0051)", async () => {
    const whole = gzipSync('{"a":1}\n'.repeat(1000));
    const cut = await failure(read(file("cut.jsonl.gz", whole.subarray(0, whole.length - 40))));
    expect(cut).toBeInstanceOf(SourceReadError);
    expect(cut.message).toMatch(/the gzip data is corrupt or cut short/);
    const garbage = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from("not deflate at all")]);
    expect((await failure(read(file("garbage.jsonl.gz", garbage)))).code).toBe("FSMR0051");
  });
});

describe("options and formats", () => {
  it("refuses a file whose name does not tell its format, instead of guessing (FSMR0050)", async () => {
    const error = await failure(openSource(file("export.dat", "{}\n")));
    expect(error).toBeInstanceOf(SourceOptionsError);
    expect(error.code).toBe("FSMR0050");
    expect(error.message).toMatch(/cannot tell the format of `.*export\.dat` from its name: give `format` \(jsonl, csv, json or text\)/);
    expect(records(await read(file("export2.dat", '{"a":1}\n'), { format: "jsonl" }))).toEqual([{ a: 1 }]);
  });

  it("refuses options of another format, unknown options and bad values", async () => {
    const jsonl = file("o.jsonl", "{}\n");
    expect((await failure(openSource(jsonl, { delimiter: ";" }))).message).toMatch(/`delimiter` is an option of csv sources, and this one reads jsonl/);
    expect((await failure(openSource(jsonl, { path: "$.a" }))).message).toMatch(/`path` is an option of json sources/);
    expect((await failure(openSource(jsonl, { delimitr: ";" } as SourceOptions))).message).toMatch(/unknown source option `delimitr`/);
    const csv = file("o.csv", "a\n1\n");
    expect((await failure(openSource(csv, { delimiter: '"' }))).message).toMatch(/`delimiter` must be a non-empty string without a quote/);
    expect((await failure(openSource(csv, { columns: { a: "float" as "number" } }))).message).toMatch(/column `a` has type "float"/);
    expect((await failure(openSource(csv, { header: false, columns: { a: "number" } }))).message).toMatch(/without a header the columns are named `col_0`/);
    expect((await failure(openSource(file("o.json", "[]"), { path: "$..x" }))).message).toMatch(/`path` "\$\.\.x" is not a JSON path/);
    expect((await failure(openSource([{ a: 1 }], { format: "csv" }))).message).toMatch(/an iterable yields records, so `format` does not apply/);
    expect((await failure(openSource(jsonl, { start: { index: -1 } }))).message).toMatch(/`index` must be a non-negative integer/);
    expect((await failure(openSource(42 as unknown as string))).message).toMatch(/the input must be a file path/);
  });

  it("reports a missing file when opening (FSMR0051)", async () => {
    const error = await failure(openSource(join(dir, "missing.jsonl")));
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error.message).toMatch(/cannot open `.*missing\.jsonl`: ENOENT/);
  });
});

/** A resume point after `items[k - 1]`, as a checkpoint stores it. */
function resumeAfter(items: readonly SourceItem[], k: number): ResumePoint {
  const done = items[k - 1]?.position;
  if (done === undefined) return { index: 0 };
  return {
    index: k,
    ...(done.endOffset === undefined ? {} : { offset: done.endOffset }),
    ...(done.endLine === undefined ? {} : { line: done.endLine }),
  };
}

describe("resume", () => {
  const jsonlText = '\uFEFF{"n":0}\n\nnot json\n{"n":2}\r\n{"n":3}\n\n\n{"n":4}';
  const csvText = 'n,note\r\n0,"a\nb"\n\n1,x\n2\n3,"c\r\nd\r\ne"\n4,y';
  const cases: [string, string | Buffer, SourceOptions][] = [
    ["seek.jsonl", jsonlText, {}],
    ["seek.txt", "\uFEFFa\n\nb\r\n  \nc\nd", {}],
    ["seek.csv", csvText, {}],
    ["seek-noheader.csv", csvText, { header: false }],
    ["seek.json", '[{"n":0},\n2,\n{"n":3},{"n":4}\n]', {}],
    ["seek.jsonl.gz", gzipSync(jsonlText), {}],
    ["seek.csv.gz", gzipSync(csvText), {}],
  ];

  it.each(cases)("%s: resuming after any item equals the tail of a full read", async (name, content, options) => {
    const path = file(name, content);
    const full = await read(path, options);
    expect(full.length).toBeGreaterThanOrEqual(4);
    for (let k = 0; k <= full.length; k++) {
      const start = resumeAfter(full, k);
      expect(await read(path, { ...options, start }), `${name} from ${JSON.stringify(start)}`).toEqual(full.slice(k));
      // Without the line, a seek counts the lines before the offset.
      if (start.line !== undefined) {
        const { line: _line, ...withoutLine } = start;
        expect(await read(path, { ...options, start: withoutLine })).toEqual(full.slice(k));
      }
    }
  });

  it("seeks: a resumed plain file reads from the offset, not from the start", async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ i }));
    const text = `${lines.join("\n")}\n`;
    const path = file("long.jsonl", text);
    const full = await read(path);
    const start = resumeAfter(full, 15_000);
    expect(start.offset).toBeGreaterThan(2 * CHUNK_BYTES);
    // Spoil everything before the offset (same length, same line ends): a seek never sees it.
    writeFileSync(path, text.slice(0, start.offset).replace(/[^\n]/g, "#") + text.slice(start.offset));
    expect((await read(path)).slice(0, 2).map((item) => item.kind)).toEqual(["malformed", "malformed"]);
    const source = await openSource(path, { start });
    expect(await collect(source)).toEqual(full.slice(15_000));
    expect(source.bytesRead()).toBe(source.totalBytes); // the resume offset counts as read, for progress
  });

  it("refuses a resume offset that does not fit the file (it changed since the checkpoint)", async () => {
    const path = file("changed.jsonl", '{"a":1}\n{"b":2}\n');
    expect((await failure(openSource(path, { start: { index: 1, offset: 3 } }))).message).toMatch(/resume offset 3 is not at the start of a line/);
    expect((await failure(openSource(path, { start: { index: 1, offset: 999 } }))).message).toMatch(/resume offset 999 is past the end of the file \(16 bytes\)/);
  });

  it("resumes a CSV at an offset before the end of its header by reading from the start", async () => {
    const path = file("h.csv", "\uFEFFa,b\n1,2\n3,4\n");
    expect(records(await read(path, { start: { index: 0, offset: 0, line: 1 } }))).toEqual([
      { a: "1", b: "2" },
      { a: "3", b: "4" },
    ]);
  });
});

describe("streams and iterables", () => {
  it("reads a Readable (JSONL by default), plain or gzip, without byte offsets", async () => {
    const text = '{"a":1}\n[2]\n{"b":2}';
    const plain = await read(Readable.from([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))]));
    expect(records(plain)).toEqual([{ a: 1 }, { malformed: "line 2: a record must be an object, got array" }, { b: 2 }]);
    expect(plain.map((item) => item.position)).toEqual([
      { index: 0, line: 1 },
      { index: 1, line: 2 },
      { index: 2, line: 3 },
    ]);
    const zipped = gzipSync("x;y\n1;2\n");
    const source = await openSource(Readable.from([zipped.subarray(0, 1), zipped.subarray(1)]), { format: "csv", delimiter: ";" });
    expect(source.description).toBe("stream");
    expect(source.totalBytes).toBeNull();
    expect(records(await collect(source))).toEqual([{ x: "1", y: "2" }]);
    expect(source.bytesRead()).toBe(zipped.length);
    expect(await read(Readable.from([]))).toEqual([]);
    expect(records(await read(Readable.from([Buffer.from([0xef]), Buffer.from([0xbb, 0xbf]), Buffer.from('{"bom":1}')])))).toEqual([{ bom: 1 }]);
  });

  it("reads stdin (`-`) in a child process, gzip included", async () => {
    const script = fileURLToPath(new URL("./support/read-stdin.ts", import.meta.url));
    const run = (input: Buffer, args: string[]): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["pipe", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
        child.stdin.end(input);
      });
    expect(JSON.parse(await run(Buffer.from('{"a":1}\nnope\n'), []))).toEqual({
      description: "stdin",
      items: [
        { kind: "record", record: { a: 1 }, position: { index: 0, line: 1 } },
        { kind: "malformed", raw: "nope", error: expect.stringMatching(/^invalid JSON on line 2/), position: { index: 1, line: 2 } },
      ],
    });
    expect(JSON.parse(await run(gzipSync("one\ntwo\n"), ["text"])).items.map((item: SourceItem) => item.kind === "record" && item.record)).toEqual([{ text: "one" }, { text: "two" }]);
  });

  it("yields the values of sync and async iterables as records, resuming by index", async () => {
    expect(await read([{ a: 1 }, { b: 2 }])).toEqual([
      { kind: "record", record: { a: 1 }, position: { index: 0, line: 1 } },
      { kind: "record", record: { b: 2 }, position: { index: 1, line: 2 } },
    ]);
    async function* generate(): AsyncGenerator<unknown> {
      for (let i = 0; i < 5; i++) yield { i };
    }
    expect(records(await read(generate(), { start: { index: 3 } }))).toEqual([{ i: 3 }, { i: 4 }]);
  });
});

describe("close", () => {
  it("releases a file when iteration stops early, and close() is idempotent", async () => {
    const path = file("stop.jsonl", Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ i })).join("\n"));
    const source = await openSource(path);
    let seen = 0;
    for await (const item of source) {
      expect(item.kind).toBe("record");
      if (++seen === 3) break;
    }
    expect(source.bytesRead()).toBeLessThan(source.totalBytes ?? 0);
    await source.close();
    await source.close();
    const again = await openSource(path);
    await again.close(); // never iterated: the file is released too
    expect(() => source[Symbol.asyncIterator]()).toThrow(/a source is read once/);
  });

  it("stops a stream that is still waiting for data", async () => {
    const input = new PassThrough();
    input.write('{"a":1}\n');
    const source = await openSource(input);
    const iterator = source[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ record: { a: 1 } });
    const pending = iterator.next();
    await source.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(input.destroyed).toBe(true);
  });

  it("closes the underlying iterator of an iterable on break", async () => {
    let closed = false;
    function* values(): Generator<unknown> {
      try {
        for (let i = 0; ; i++) yield { i };
      } finally {
        closed = true;
      }
    }
    for await (const item of await openSource(values())) if (item.position.index === 2) break;
    expect(closed).toBe(true);
  });
});
