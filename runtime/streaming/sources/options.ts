/**
 * The options of `openSource`, checked once: each option belongs to one format and is refused for
 * another (a setting never goes silently unused), and the format comes from `format` or the file
 * name, never from a guess.
 */
import { basename } from "node:path";
import type { ResumePoint, StreamFormat } from "../types.js";
import { COLUMN_TYPES, type ColumnType, type CsvSettings } from "./csv.js";
import { SourceOptionsError } from "./errors.js";
import type { JsonSettings } from "./json.js";
import { parseJsonPath } from "./json-tree.js";
import { checkIndex } from "./query.js";
import type { TextSettings } from "./text.js";

/** Options of `openSource`. */
export interface SourceOptions {
  /** The input's format; default from the file name (after any `.gz`); stdin and streams default to `jsonl`. */
  readonly format?: StreamFormat;
  /** Where to resume (a checkpoint's position of the next item). */
  readonly start?: ResumePoint;
  /** CSV: the first row names the columns (default true); else keys are `col_0`, `col_1` …. */
  readonly header?: boolean;
  /** CSV: the field separator (default `,`; a tab for `.tsv` files). */
  readonly delimiter?: string;
  /** CSV: columns to convert (by header name, or `col_N`); the others stay strings. */
  readonly columns?: Readonly<Record<string, ColumnType>>;
  /** JSON: where the array of items is (`$.items`; default `$`, the top level). */
  readonly path?: string;
  /** Text: the record field that holds the line (default `text`). */
  readonly textField?: string;
  /** Text: keep blank lines as records (default false: skipped). */
  readonly keepEmpty?: boolean;
}

/** The options of one format, checked. */
export type FormatSettings =
  | { readonly format: "jsonl" }
  | ({ readonly format: "csv" } & CsvSettings)
  | ({ readonly format: "json" } & JsonSettings)
  | ({ readonly format: "text" } & TextSettings);

const FORMATS: readonly StreamFormat[] = ["jsonl", "csv", "json", "text"];

/** Which format each format-specific option belongs to. */
const OPTION_FORMAT: Readonly<Record<string, StreamFormat>> = {
  header: "csv",
  delimiter: "csv",
  columns: "csv",
  path: "json",
  textField: "text",
  keepEmpty: "text",
};

const EXTENSIONS: Readonly<Record<string, StreamFormat>> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "json",
  ".csv": "csv",
  ".tsv": "csv",
  ".txt": "text",
  ".text": "text",
  ".log": "text",
};

/** The file name without a compression suffix (`.gz`, `.gzip`), lower-cased. */
export function nameWithoutGzip(path: string): string {
  return basename(path).toLowerCase().replace(/\.(gz|gzip)$/, "");
}

/** The format of a file: `format` when given, else from its extension (after any `.gz`). */
export function fileFormat(path: string, format: StreamFormat | undefined): StreamFormat {
  if (format !== undefined) return format;
  const name = nameWithoutGzip(path);
  const dot = name.lastIndexOf(".");
  const found = dot > 0 ? EXTENSIONS[name.slice(dot)] : undefined;
  if (found === undefined) {
    throw new SourceOptionsError(
      `cannot tell the format of \`${path}\` from its name: give \`format\` (jsonl, csv, json or text); known extensions: ${Object.keys(EXTENSIONS).join(", ")} (also with .gz)`,
    );
  }
  return found;
}

/** Checks the options that do not depend on the input: known keys, types, the resume point. */
export function checkOptions(options: SourceOptions, what: string): void {
  for (const key of Object.keys(options)) {
    if (key !== "format" && key !== "start" && !(key in OPTION_FORMAT)) {
      throw new SourceOptionsError(`${what}: unknown source option \`${key}\` (known: format, start, ${Object.keys(OPTION_FORMAT).join(", ")})`);
    }
  }
  if (options.format !== undefined && !FORMATS.includes(options.format)) {
    throw new SourceOptionsError(`${what}: \`format\` must be one of ${FORMATS.join(", ")}, got ${JSON.stringify(options.format)}`);
  }
  const start = options.start;
  if (start !== undefined) {
    checkIndex(start.index, what);
    if (start.offset !== undefined && (!Number.isSafeInteger(start.offset) || start.offset < 0)) {
      throw new SourceOptionsError(`${what}: the resume point's \`offset\` must be a non-negative integer, got ${String(start.offset)}`);
    }
    if (start.line !== undefined && (!Number.isSafeInteger(start.line) || start.line < 1)) {
      throw new SourceOptionsError(`${what}: the resume point's \`line\` must be a positive integer, got ${String(start.line)}`);
    }
    if (start.cursor !== undefined) throw new SourceOptionsError(`${what}: a resume point with a \`cursor\` is for database sources`);
  }
}

/**
 * The settings of `format`; options of another format are refused. `tsv` says the file name
 * ends in `.tsv` (a tab is then the default delimiter).
 */
export function formatSettings(format: StreamFormat, options: SourceOptions, what: string, tsv = false): FormatSettings {
  for (const [key, owner] of Object.entries(OPTION_FORMAT)) {
    if (owner !== format && (options as Record<string, unknown>)[key] !== undefined) {
      throw new SourceOptionsError(`${what}: \`${key}\` is an option of ${owner} sources, and this one reads ${format}`);
    }
  }
  switch (format) {
    case "jsonl":
      return { format };
    case "csv":
      return { format, ...csvSettings(options, what, tsv) };
    case "json":
      return { format, ...jsonSettings(options, what) };
    case "text":
      return { format, ...textSettings(options, what) };
  }
}

function csvSettings(options: SourceOptions, what: string, tsv: boolean): CsvSettings {
  const header = options.header ?? true;
  if (typeof header !== "boolean") throw new SourceOptionsError(`${what}: \`header\` must be true or false, got ${JSON.stringify(header)}`);
  const delimiter = options.delimiter ?? (tsv ? "\t" : ",");
  if (typeof delimiter !== "string" || delimiter === "" || /[\r\n"\uFEFF]/.test(delimiter)) {
    throw new SourceOptionsError(`${what}: \`delimiter\` must be a non-empty string without a quote, a line end or a BOM, got ${JSON.stringify(delimiter)}`);
  }
  const columns = options.columns ?? {};
  if (typeof columns !== "object" || columns === null || Array.isArray(columns)) throw new SourceOptionsError(`${what}: \`columns\` must be an object of column name → type`);
  for (const [name, type] of Object.entries(columns)) {
    if (!COLUMN_TYPES.includes(type)) {
      throw new SourceOptionsError(`${what}: column \`${name}\` has type ${JSON.stringify(type)}; the types are ${COLUMN_TYPES.join(", ")}`);
    }
    if (!header && !/^col_(0|[1-9]\d*)$/.test(name)) {
      throw new SourceOptionsError(`${what}: without a header the columns are named \`col_0\`, \`col_1\` …, so \`columns\` cannot name \`${name}\``);
    }
  }
  return { header, delimiter, columns };
}

function jsonSettings(options: SourceOptions, what: string): JsonSettings {
  const pathText = options.path ?? "$";
  const path = typeof pathText === "string" ? parseJsonPath(pathText) : undefined;
  if (path === undefined) {
    throw new SourceOptionsError(`${what}: \`path\` ${JSON.stringify(pathText)} is not a JSON path; write \`$\`, \`$.items\`, \`$.data.rows\`, \`$.*.items\` or \`$['a key']\``);
  }
  return { path, pathText };
}

function textSettings(options: SourceOptions, what: string): TextSettings {
  const textField = options.textField ?? "text";
  if (typeof textField !== "string" || textField === "") throw new SourceOptionsError(`${what}: \`textField\` must be a non-empty string`);
  const keepEmpty = options.keepEmpty ?? false;
  if (typeof keepEmpty !== "boolean") throw new SourceOptionsError(`${what}: \`keepEmpty\` must be true or false`);
  return { textField, keepEmpty };
}
