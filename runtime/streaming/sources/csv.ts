/**
 * CSV (and TSV): with a header (default) each row is an object keyed by the header's names,
 * otherwise by `col_0`, `col_1` …; values are strings unless `columns` types them. A row papaparse
 * finds broken, a row with another field count than the header, and a value that does not convert
 * to its column's type are malformed items. Blank lines are skipped (still counted in lines).
 */
import type { SourceItem } from "../types.js";
import type { ByteInput, InputFile } from "./bytes.js";
import { CsvRows, isBlankRow, rowRaw, type CsvRow } from "./csv-rows.js";
import { SourceReadError } from "./errors.js";
import { malformedItem, recordItem, textPosition, setField, type ReadStart } from "./source.js";

/** The type a CSV column converts to. */
export type ColumnType = "string" | "number" | "integer" | "boolean";

/** The column types a `columns` option may give. */
export const COLUMN_TYPES: readonly ColumnType[] = ["string", "number", "integer", "boolean"];

/** How CSV rows become records. */
export interface CsvSettings {
  readonly header: boolean;
  readonly delimiter: string;
  /** Typed columns, by header name (or `col_N` without a header). */
  readonly columns: Readonly<Record<string, ColumnType>>;
}

/** The header of a file, read before a resume seeks past it. */
export interface CsvHeader {
  readonly names: readonly string[];
  /** Offset in the content bytes just past the header row. */
  readonly end: number;
}

/** A converted value, or why the text does not convert (`expected` completes "… is not <expected>"). */
type Converted = { readonly value: unknown } | { readonly expected: string };
type Converter = (text: string) => Converted;

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, false: false, "1": true, "0": false, yes: true, no: false };

/** The conversions; an empty (or blank) field is null for every type but `string`. */
const CONVERTERS: Readonly<Record<Exclude<ColumnType, "string">, Converter>> = {
  number: (text) => {
    const trimmed = text.trim();
    if (trimmed === "") return { value: null };
    return DECIMAL.test(trimmed) ? { value: Number(trimmed) } : { expected: "a number" };
  },
  integer: (text) => {
    const trimmed = text.trim();
    if (trimmed === "") return { value: null };
    const value = Number(trimmed);
    return INTEGER.test(trimmed) && Number.isSafeInteger(value) ? { value } : { expected: "an integer" };
  },
  boolean: (text) => {
    const trimmed = text.trim().toLowerCase();
    if (trimmed === "") return { value: null };
    const value = BOOLEANS[trimmed];
    return value === undefined ? { expected: "a boolean (true/false, 1/0, yes/no)" } : { value };
  },
};

/** Keys and converters of the columns, by position. */
interface Layout {
  readonly keys: string[];
  readonly converters: (Converter | undefined)[];
  /** Without a header: rows may have any number of fields; keys grow as `col_N`. */
  readonly open: boolean;
}

/** The items of a CSV input; `header` when a resume read it before seeking past it. */
export async function* csvItems(
  input: ByteInput,
  start: ReadStart,
  settings: CsvSettings,
  description: string,
  header?: CsvHeader,
): AsyncGenerator<SourceItem, void, undefined> {
  const { count } = start;
  const rows = new CsvRows(settings.delimiter, start.line);
  let layout: Layout | undefined = header !== undefined ? headerLayout(header.names, settings, description) : settings.header ? undefined : openLayout(settings);
  const itemOf = (row: CsvRow): SourceItem | undefined => {
    if (isBlankRow(row)) return undefined;
    if (layout === undefined) {
      layout = headerLayout(headerNames(row, description), settings, description);
      return undefined;
    }
    const index = count.next++;
    if (index < count.skip) return undefined;
    return rowItem(row, index, layout, input.offset);
  };
  try {
    for await (const chunk of input.chunks) {
      for (const row of rows.push(chunk)) {
        const item = itemOf(row);
        if (item !== undefined) yield item;
      }
    }
    for (const row of rows.end()) {
      const item = itemOf(row);
      if (item !== undefined) yield item;
    }
  } finally {
    await input.stop();
  }
}

/** Reads the header row of a plain file from its start (a resume that seeks needs it); undefined when the file has no row. */
export async function readCsvHeader(file: InputFile, settings: CsvSettings): Promise<CsvHeader | undefined> {
  const rows = new CsvRows(settings.delimiter, 1);
  const first = (found: readonly CsvRow[]): CsvHeader | undefined => {
    const row = found.find((candidate) => !isBlankRow(candidate));
    if (row === undefined) return undefined;
    const names = headerNames(row, file.path);
    headerLayout(names, settings, file.path);
    return { names, end: row.end };
  };
  for await (const chunk of file.chunksFrom(file.contentStart, false)) {
    const header = first(rows.push(chunk));
    if (header !== undefined) return header;
  }
  return first(rows.end());
}

/** One data row's item. */
function rowItem(row: CsvRow, index: number, layout: Layout, base: number | null): SourceItem {
  const position = textPosition(index, row.line, base === null ? null : base + row.end, row.nextLine);
  const where = `row ${index + 1} (line ${row.line})`;
  if (row.problems.length > 0) return malformedItem(rowRaw(row), `${where}: invalid CSV: ${row.problems.join("; ")}`, position);
  const { fields } = row;
  if (!layout.open && fields.length !== layout.keys.length) {
    return malformedItem(rowRaw(row), `${where}: ${fields.length} ${fields.length === 1 ? "field" : "fields"}, the header has ${layout.keys.length}`, position);
  }
  const record: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const text = fields[i] ?? "";
    const key = layout.keys[i] ?? extendKeys(layout, i);
    const convert = layout.converters[i];
    if (convert === undefined) {
      setField(record, key, text);
      continue;
    }
    const converted = convert(text);
    if ("expected" in converted) {
      return malformedItem(rowRaw(row), `${where}, column \`${key}\`: ${JSON.stringify(text)} is not ${converted.expected}`, position);
    }
    setField(record, key, converted.value);
  }
  return recordItem(record, position);
}

/** The names of a header row; a broken row or a repeated name cannot make a header. */
function headerNames(row: CsvRow, description: string): readonly string[] {
  if (row.problems.length > 0) throw new SourceReadError(`${description}: the header row (line ${row.line}) cannot be read: ${row.problems.join("; ")}`);
  const seen = new Map<string, number>();
  row.fields.forEach((name, i) => {
    const before = seen.get(name);
    if (before !== undefined) {
      throw new SourceReadError(`${description}: column \`${name}\` appears twice in the header (columns ${before + 1} and ${i + 1}, line ${row.line})`);
    }
    seen.set(name, i);
  });
  return row.fields;
}

/** The layout of a file with a header; every typed column must be in it. */
function headerLayout(names: readonly string[], settings: CsvSettings, description: string): Layout {
  for (const name of Object.keys(settings.columns)) {
    if (!names.includes(name)) {
      throw new SourceReadError(`${description}: \`columns\` names \`${name}\`, which is not in the header (${names.join(", ")})`);
    }
  }
  return { keys: [...names], converters: names.map((name) => converterOf(settings.columns[name])), open: false };
}

/** The layout of a file without a header: `col_0`, `col_1` …, as many as a row has. */
function openLayout(settings: CsvSettings): Layout {
  const converters: (Converter | undefined)[] = [];
  for (const [name, type] of Object.entries(settings.columns)) converters[Number(name.slice("col_".length))] = converterOf(type);
  return { keys: [], converters, open: true };
}

/** Adds `col_N` keys up to `index` to an open layout; the key at `index`. */
function extendKeys(layout: Layout, index: number): string {
  for (let i = layout.keys.length; i <= index; i++) layout.keys.push(`col_${i}`);
  return layout.keys[index] ?? `col_${index}`;
}

function converterOf(type: ColumnType | undefined): Converter | undefined {
  return type === undefined || type === "string" ? undefined : CONVERTERS[type];
}
