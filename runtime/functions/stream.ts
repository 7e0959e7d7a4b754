/**
 * Builtin stream functions (`stream.*`, SEMANTICS §10.4; docs/builtins.md "Streaming
 * functions"): a chunk reader for looping arcs, a parser of text fields, a file appender and a
 * bounded aggregator. Reads and writes go through the streaming core (`openSource`, `fileSink`),
 * so formats, malformed lines and resume points behave as in `fsmc stream`. The chunk reader and
 * the writer answer with a promise (a machine that uses them is asynchronous); the parser and the
 * aggregator answer synchronously.
 */
import { isAbsolute } from "node:path";
import type { Data } from "../machine/definition.js";
import { SourceOptionsError, SourceReadError } from "../streaming/sources/errors.js";
import { fileFormat } from "../streaming/sources/options.js";
import type { ResumePoint, StreamFormat } from "../streaming/types.js";
import type { SinkFormat } from "../streaming/sinks/encoders.js";
import { positiveCount } from "./database.js";
import { defineBuiltin, type BuiltinDatabaseTransformer, type BuiltinEntry, type BuiltinTransformer } from "./entry.js";
import { BuiltinInputError, BuiltinParamsError, StreamFunctionError } from "./errors.js";
import type { ParamSpecs, ParamValues } from "./params.js";
import { Aggregator, readAggregations } from "./stream-aggregate.js";
import { AppendFailure, appendRows, readChunk } from "./stream-files.js";
import { PARSE_FORMATS, type ParseFormat, ParseProblem, parseText } from "./stream-parse.js";
import { expectRecord, isPlainObject, isPresent, isRecordObject, typeName, withField } from "./values.js";

type Row = Record<string, unknown>;


/** ` (relative to the working directory …)` for a relative path: where the file was looked for. */
function whereRelative(path: string): string {
  return isAbsolute(path) ? "" : ` (relative to the working directory \`${process.cwd()}\`)`;
}

// ——— stream.chunk_reader ———

const READ_FORMATS = ["csv", "json", "jsonl", "text"];

/** The record field that carries the reader's cursor. */
const CURSOR_FIELD = "_chunk_state";

const CHUNK_READER_PARAMS = {
  path: { kind: "string", required: true, description: "the file to read, relative to the working directory of the process" },
  chunk_size: { kind: "number", required: false, default: 1000, description: "items per call (records and unreadable lines), a whole number > 0" },
  format: { kind: "string", required: false, values: READ_FORMATS, description: "`jsonl`, `csv`, `json` or `text`; default from the file's extension" },
} as const satisfies ParamSpecs;

/** The cursor a record carries: absent at the start, else a resume point, checked so a hand-made one fails clearly. */
function cursorOf(name: string, record: Row): ResumePoint | undefined {
  const value = record[CURSOR_FIELD];
  if (value === undefined || value === null) return undefined;
  const bad = (detail: string): BuiltinInputError => new BuiltinInputError(name, `\`${CURSOR_FIELD}\` ${detail}`);
  if (!isPlainObject(value)) throw bad(`must be an object {index, offset?, line?}, got ${typeName(value)}`);
  for (const key of Object.keys(value)) {
    if (key !== "index" && key !== "offset" && key !== "line") throw bad(`has the unknown key \`${key}\` (it holds index, offset and line)`);
  }
  const { index, offset, line } = value;
  const count = (v: unknown, min: number): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= min;
  if (!count(index, 0)) throw bad(`\`index\` must be a whole number >= 0, got ${JSON.stringify(index) ?? typeName(index)}`);
  if (offset !== undefined && !count(offset, 0)) throw bad(`\`offset\` must be a whole number >= 0, got ${JSON.stringify(offset) ?? typeName(offset)}`);
  if (line !== undefined && !count(line, 1)) throw bad(`\`line\` must be a whole number >= 1, got ${JSON.stringify(line) ?? typeName(line)}`);
  return { index: index as number, ...(offset !== undefined ? { offset: offset as number } : {}), ...(line !== undefined ? { line: line as number } : {}) };
}

/**
 * Reads the next `chunk_size` items of the file after the cursor the record carries, and adds
 * `chunk` (the records), `chunk_errors` (`{index, line, error}` of the lines that could not be
 * read), `has_more` and the new cursor: plain JSON, so the record stays serializable.
 */
function chunkReader({ path, chunk_size: chunkSize, format }: ParamValues<typeof CHUNK_READER_PARAMS>, name: string): BuiltinDatabaseTransformer {
  const size = positiveCount(name, "chunk_size", chunkSize, 1000);
  const readAs = format as StreamFormat | undefined;
  if (readAs === undefined) {
    try {
      fileFormat(path, undefined);
    } catch (error) {
      if (!(error instanceof SourceOptionsError)) throw error;
      throw new BuiltinParamsError(name, "format", `is needed: ${error.message}`, { cause: error });
    }
  }
  return async (data) => {
    const record = expectRecord(name, data);
    const start = cursorOf(name, record);
    let chunk;
    try {
      chunk = await readChunk(path, readAs, size, start);
    } catch (error) {
      if (!(error instanceof SourceReadError || error instanceof SourceOptionsError)) throw error;
      throw new StreamFunctionError(name, path, `cannot read \`${path}\`${whereRelative(path)}: ${error.message}`, { cause: error });
    }
    const next: Row = { ...record, chunk: chunk.records, chunk_errors: chunk.errors, has_more: chunk.hasMore };
    next[CURSOR_FIELD] = { ...chunk.next };
    return next;
  };
}

// ——— stream.parse ———

const PARSE_PARAMS = {
  field: { kind: "string", required: false, default: "raw", description: "the field holding the text to parse" },
  output_field: { kind: "string", required: false, default: "parsed", description: "the field the parsed value is written to" },
  format: { kind: "string", required: true, values: [...PARSE_FORMATS], description: "`json` (one value), `jsonl` (an array of values), `csv` (an array of row objects) or `text` (an array of lines)" },
} as const satisfies ParamSpecs;

const FORMAT_NAMES: Readonly<Record<string, string>> = { json: "JSON", jsonl: "JSONL", csv: "CSV", text: "text" };

/** Parses the text in `field` and adds the value as `output_field`; a record without the field is returned as it is. */
function parse({ field = "raw", output_field: outputField = "parsed", format }: ParamValues<typeof PARSE_PARAMS>, name: string): BuiltinTransformer {
  // readParams has checked `format` against the param's values.
  const as = format as ParseFormat;
  return (data) => {
    const record = expectRecord(name, data);
    if (!isPresent(record, field)) return { ...record };
    const text = record[field];
    if (typeof text !== "string") throw new BuiltinInputError(name, `field \`${field}\` must hold the text to parse as ${FORMAT_NAMES[as]}, got ${typeName(text)}`);
    let value: unknown;
    try {
      value = parseText(text, as);
    } catch (error) {
      if (!(error instanceof ParseProblem)) throw error;
      throw new BuiltinInputError(name, `field \`${field}\` is not valid ${FORMAT_NAMES[as]}: ${error.message}`);
    }
    return withField(record, outputField, value);
  };
}

// ——— stream.write ———

const WRITE_FORMATS: readonly SinkFormat[] = ["csv", "json", "jsonl"];

const WRITE_PARAMS = {
  path: { kind: "string", required: true, description: "the file to write, relative to the working directory of the process" },
  format: { kind: "string", required: true, values: WRITE_FORMATS, description: "`jsonl`, `csv` or `json` (one JSON array)" },
  field: { kind: "string", required: false, default: "data", description: "the field holding the row (an object) or rows (an array of objects) to write" },
  append: { kind: "boolean", required: false, default: true, description: "add to the existing file; `false`: the first write of this machine empties it first" },
} as const satisfies ParamSpecs;

/** The rows in `field`: an object is one row, an array of objects is several. */
function rowsOf(name: string, record: Row, field: string): readonly Row[] {
  if (!isPresent(record, field)) throw new BuiltinInputError(name, `the record has no field \`${field}\` to write (\`field\` names it)`);
  const value = record[field];
  if (isRecordObject(value)) return [value];
  if (!Array.isArray(value)) throw new BuiltinInputError(name, `field \`${field}\` must hold an object or an array of objects, got ${typeName(value)}`);
  const items: readonly unknown[] = value;
  items.forEach((item, i) => {
    if (!isRecordObject(item)) throw new BuiltinInputError(name, `field \`${field}\` item ${i} must be an object, got ${typeName(item)}`);
  });
  return items as readonly Row[];
}

/**
 * Appends the row or rows of `field` to the file and adds `appended_count`. The rows are in the
 * file (handed to the OS) when the promise resolves: nothing stays buffered in the instance.
 */
function write({ path, format, field = "data", append = true }: ParamValues<typeof WRITE_PARAMS>, name: string): BuiltinDatabaseTransformer {
  // readParams has checked `format` against the param's values.
  const as = format as SinkFormat;
  // `append: false`: the first write of this instance empties the file, the later ones add to it.
  let emptied = append;
  return async (data) => {
    const record = expectRecord(name, data);
    const rows = rowsOf(name, record, field);
    const truncateFirst = !emptied;
    emptied = true;
    if (rows.length > 0 || truncateFirst) {
      try {
        await appendRows(path, as, rows, truncateFirst);
      } catch (error) {
        const failure = error instanceof AppendFailure ? error : undefined;
        const outcome = failure?.rolledBack === true ? "; none of this record's rows were written" : "";
        throw new StreamFunctionError(name, path, `cannot write to \`${path}\`${whereRelative(path)}: ${(error as Error).message}${outcome}`, { cause: failure?.cause ?? error });
      }
    }
    return withField(record, "appended_count", rows.length);
  };
}

// ——— stream.aggregate ———

const AGGREGATE_PARAMS = {
  aggregations: { kind: "object", required: true, description: "output name → `{function, field}`: `count` (of records, or of values of `field`), `sum`, `avg`, `min` or `max` of a numeric `field`" },
  group_by: { kind: "string[]", required: false, description: "the fields whose values make a group; default: one total over all records" },
  max_groups: { kind: "number", required: false, default: 10000, description: "the most groups held, a whole number > 0; a record starting one more fails" },
} as const satisfies ParamSpecs;

/**
 * Counts each record into running aggregations held by this instance (one per slot of one machine
 * object, per process) and adds them: `aggregation` (an object) without `group_by`, else
 * `aggregations` (one object per group, its group fields first).
 */
function aggregate({ aggregations, group_by: groupBy, max_groups: maxGroups }: ParamValues<typeof AGGREGATE_PARAMS>, name: string): BuiltinTransformer {
  const limit = positiveCount(name, "max_groups", maxGroups, 10000);
  const state = new Aggregator(name, readAggregations(name, aggregations, groupBy ?? []), groupBy === undefined ? undefined : [...groupBy], limit);
  return (data): Data => {
    const record = expectRecord(name, data);
    state.add(record);
    return groupBy === undefined ? withField(record, "aggregation", state.totals()) : withField(record, "aggregations", state.groups());
  };
}

/** The builtin stream functions, in no particular order (the registry sorts them). */
export const STREAM_FUNCTIONS: readonly BuiltinEntry[] = [
  defineBuiltin(
    {
      name: "stream.chunk_reader",
      kind: "transformer",
      summary: "Reads the next `chunk_size` items of a file after the record's `_chunk_state`; adds `chunk`, `chunk_errors`, `has_more` and the new `_chunk_state`.",
      params: CHUNK_READER_PARAMS,
    },
    chunkReader,
  ),
  defineBuiltin(
    {
      name: "stream.parse",
      kind: "transformer",
      summary: "Parses the text of a field as JSON, JSONL, CSV or lines; adds the value as `output_field`.",
      params: PARSE_PARAMS,
    },
    parse,
  ),
  defineBuiltin(
    {
      name: "stream.write",
      kind: "transformer",
      summary: "Appends the row or rows of a field to a JSONL, CSV or JSON file, flushed before it returns; adds `appended_count`.",
      params: WRITE_PARAMS,
    },
    write,
  ),
  defineBuiltin(
    {
      name: "stream.aggregate",
      kind: "transformer",
      summary: "Keeps running counts, sums, averages, minimums and maximums, overall or per group (at most `max_groups`); adds `aggregation` or `aggregations`.",
      params: AGGREGATE_PARAMS,
    },
    aggregate,
  ),
];
