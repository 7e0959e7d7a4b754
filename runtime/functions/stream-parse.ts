/**
 * The parsers of `stream.parse` (docs/builtins.md, "Streaming functions"): text held in a record
 * field read as one JSON value, JSONL (a value per line), CSV (rows under a header line, cut by
 * the CSV source's own row reader, so quoting and line ends work as when a file is streamed) or
 * plain lines. A problem is reported with where it is (`line 2, column 7: …`, `row 3 (line 4): …`),
 * as the text a `BuiltinInputError` names.
 */
import { TokenParser, TokenParserError, Tokenizer, TokenizerError } from "@streamparser/json";
import { CsvRows, isBlankRow } from "../streaming/sources/csv-rows.js";
import { put } from "./values.js";

/** The formats `stream.parse` reads. */
export const PARSE_FORMATS = ["csv", "json", "jsonl", "text"] as const;

/** One of `PARSE_FORMATS`. */
export type ParseFormat = (typeof PARSE_FORMATS)[number];

/** Why the text does not parse, and where (`line 2, column 7: Unexpected token 'x'`). */
export class ParseProblem extends Error {}

const BOM = "\uFEFF";

/** `text` parsed as `format`: a JSON value, or an array (of JSONL values, CSV row objects, lines). */
export function parseText(text: string, format: ParseFormat): unknown {
  const body = text.startsWith(BOM) ? text.slice(BOM.length) : text;
  switch (format) {
    case "json":
      return parseJson(body, 1);
    case "jsonl":
      return parseJsonLines(body);
    case "csv":
      return parseCsv(body);
    case "text":
      return linesOf(body);
  }
}

/** The lines of `text` without their line ends (LF or CR LF); a final line end adds no empty line. */
function linesOf(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

/** One JSON value; `firstLine` is the line number of the text's first line (JSONL gives its line's). */
function parseJson(text: string, firstLine: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new ParseProblem(`${whereIn(text, errorOffset(text, error), firstLine)}${plainMessage(error.message)}`);
  }
}

/** Every non-blank line's JSON value. */
function parseJsonLines(text: string): unknown[] {
  const values: unknown[] = [];
  linesOf(text).forEach((line, i) => {
    if (line.trim() !== "") values.push(parseJson(line, i + 1));
  });
  return values;
}

/** V8's message without the part that says where (given as line and column instead) or quotes the text (which may span lines). */
function plainMessage(message: string): string {
  return message.replace(/, ".*" is not valid JSON$/s, "").replace(/ in JSON at position \d+.*$/s, "");
}

/**
 * Where `JSON.parse` stopped in `text` (a UTF-16 offset), when it can be told: V8 names the
 * position of most errors; for the others (an unexpected character or token) the tokenizer and
 * token parser of @streamparser/json (the JSON source's) find it, as a byte offset: where the
 * tokenizer failed, or the start of the token the parser refused.
 */
function errorOffset(text: string, error: SyntaxError): number | undefined {
  const named = / at position (\d+)/.exec(error.message);
  if (named !== null) return Number(named[1]);
  if (error.message.startsWith("Unexpected end of JSON input")) return text.length;
  const tokenizer = new Tokenizer();
  const parser = new TokenParser();
  let tokenAt = 0;
  tokenizer.onToken = (token) => {
    tokenAt = token.offset;
    parser.write(token);
  };
  parser.onValue = () => undefined;
  let bytes: number | undefined;
  try {
    tokenizer.write(text);
    tokenizer.end();
  } catch (found) {
    if (found instanceof TokenParserError) bytes = tokenAt;
    else if (found instanceof TokenizerError) {
      const at = /absolute position "(\d+)"/.exec(found.message);
      if (at !== null) bytes = Number(at[1]);
    } else throw found;
  }
  return bytes === undefined ? undefined : Buffer.from(text).subarray(0, bytes).toString("utf8").length;
}

/** `line L, column C: ` of a UTF-16 offset (both 1-based), or "" when the offset is unknown. */
function whereIn(text: string, offset: number | undefined, firstLine: number): string {
  if (offset === undefined) return text.includes("\n") ? "" : `line ${firstLine}: `;
  let line = firstLine;
  let lineStart = 0;
  for (let at = text.indexOf("\n"); at !== -1 && at < offset; at = text.indexOf("\n", at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}: `;
}

/**
 * CSV with a header line: an array of row objects keyed by the header's names, values as text.
 * Blank lines are skipped; a row with broken quotes or another number of fields than the header,
 * and a header that repeats a name, are problems (the CSV source's rules for a file).
 */
function parseCsv(text: string): Record<string, unknown>[] {
  const reader = new CsvRows(",", 1);
  const rows = [...reader.push(Buffer.from(text, "utf8")), ...reader.end()].filter((row) => !isBlankRow(row));
  const [header, ...data] = rows;
  if (header === undefined) return [];
  if (header.problems.length > 0) throw new ParseProblem(`the header (line ${header.line}): ${header.problems.join("; ")}`);
  const names = header.fields;
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const before = seen.get(name);
    if (before !== undefined) throw new ParseProblem(`the header (line ${header.line}): column \`${name}\` appears twice (columns ${before + 1} and ${i + 1})`);
    seen.set(name, i);
  });
  return data.map((row, i) => {
    const where = `row ${i + 1} (line ${row.line})`;
    if (row.problems.length > 0) throw new ParseProblem(`${where}: ${row.problems.join("; ")}`);
    if (row.fields.length !== names.length) {
      throw new ParseProblem(`${where}: ${row.fields.length} ${row.fields.length === 1 ? "field" : "fields"}, the header has ${names.length}`);
    }
    const record: Record<string, unknown> = {};
    names.forEach((name, k) => put(record, name, row.fields[k] ?? ""));
    return record;
  });
}
