/**
 * CSV text of the sinks (RFC 4180): a field is quoted when it holds the delimiter, a quote, CR or
 * LF, with its quotes doubled; records end with CRLF (or LF when asked). The header comes from the
 * `columns` option, the existing file (append and resume), or the first item's keys. Later items
 * may lack columns (an empty field) but never carry keys outside the header: that would lose data
 * silently, so it is an error naming the item and the keys.
 */
import { SinkConfigError, SinkItemError } from "./errors.js";
import type { Encoder } from "./encoders.js";

/** Options of the CSV encoder. */
export interface CsvOptions {
  /** One character, not a quote, CR or LF (default `,`). */
  readonly delimiter: string;
  /** The header; default the first item's keys. */
  readonly columns?: readonly string[];
  /** Record terminator (default CRLF, as RFC 4180 says). */
  readonly lineEnding: "\n" | "\r\n";
}

/** Refuses a delimiter CSV cannot quote around. */
export function checkDelimiter(sink: string, delimiter: string): void {
  if ([...delimiter].length !== 1 || delimiter === '"' || delimiter === "\r" || delimiter === "\n") {
    throw new SinkConfigError(sink, `the CSV delimiter must be one character other than a quote, CR or LF, got ${JSON.stringify(delimiter)}`);
  }
}

/** Refuses an empty or repeated column list. */
export function checkColumns(sink: string, columns: readonly string[]): void {
  if (columns.length === 0) throw new SinkConfigError(sink, "`columns` is empty: give at least one column, or leave it out to take the first item's keys");
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column)) throw new SinkConfigError(sink, `column \`${column}\` is named twice in \`columns\``);
    seen.add(column);
  }
}

/** One field quoted as RFC 4180 asks: only when it must be. */
export function quoteField(text: string, delimiter: string): string {
  const mustQuote = text.includes(delimiter) || text.includes('"') || text.includes("\n") || text.includes("\r");
  return mustQuote ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A value as CSV text: nothing for null and undefined, ISO text for dates, JSON for objects and arrays. */
function fieldText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError("JSON.stringify gave nothing");
    return json;
  }
  throw new TypeError(`a ${typeof value} has no CSV text`);
}

/** The fields of the first record of CSV text (quotes honoured: a quoted field may span lines); null when the text ends before the record does. */
export function parseFirstRecord(text: string, delimiter: string): string[] | null {
  const fields: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
    } else if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === delimiter) {
      fields.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      fields.push(field);
      return fields;
    } else {
      field += c;
      i++;
    }
  }
  return null;
}

/**
 * The CSV encoder. `headerWritten` says the destination already holds the header (append to or
 * resume of a file that has one): it is not written again.
 */
export function csvEncoder(sink: string, options: CsvOptions, headerWritten: boolean): Encoder {
  const { delimiter, lineEnding } = options;
  let columns: readonly string[] | undefined = options.columns;
  let known: ReadonlySet<string> = new Set(columns ?? []);
  let headerDone = headerWritten;
  const line = (fields: readonly string[]): string => fields.map((f) => quoteField(f, delimiter)).join(delimiter) + lineEnding;
  const header = (): string => {
    if (headerDone || columns === undefined) return "";
    headerDone = true;
    return line(columns);
  };
  return {
    open: header,
    encode(item, index) {
      if (typeof item !== "object" || item === null || Array.isArray(item)) {
        throw new SinkItemError(sink, index, `is ${item === null ? "null" : Array.isArray(item) ? "an array" : `a ${typeof item}`}, not an object: a CSV row needs named fields`);
      }
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record);
      const names = columns ?? keys;
      if (names.length === 0) throw new SinkItemError(sink, index, "has no fields, so it gives no CSV columns");
      if (columns !== undefined) {
        const extra = keys.filter((key) => !known.has(key) && record[key] !== undefined);
        if (extra.length > 0) {
          throw new SinkItemError(
            sink,
            index,
            `has ${extra.length === 1 ? "key" : "keys"} ${extra.map((k) => `\`${k}\``).join(", ")} outside the CSV columns (${columns.join(", ")}); ` +
              "writing it would drop them: give `columns` with every key, or write JSONL",
          );
        }
      }
      const fields = names.map((column) => {
        try {
          return fieldText(record[column]);
        } catch (error) {
          throw new SinkItemError(sink, index, `field \`${column}\` cannot be written as CSV text: ${(error as Error).message}`, { cause: error });
        }
      });
      let text = line(fields);
      if (columns === undefined) {
        columns = keys;
        known = new Set(keys);
        text = header() + text;
      }
      return text;
    },
    close: () => "",
  };
}
