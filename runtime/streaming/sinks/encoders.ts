/**
 * Items as output text, one encoder per format: JSONL (one compact JSON value per line), a JSON
 * array written as it goes (`[`, items separated by `,\n`, `]` and a newline on close: never the
 * whole array in memory), and CSV (csv.ts). An encoder is a small state machine; the sinks write
 * what it returns.
 */
import { extname } from "node:path";
import { SinkConfigError, SinkItemError } from "./errors.js";

/** Output formats of the text sinks. */
export type SinkFormat = "jsonl" | "csv" | "json";

/** Turns items into output text. */
export interface Encoder {
  /** Text that opens the output (a JSON array's `[`, a CSV header known up front); "" for none. */
  open(): string;
  /** The text of one item; throws `SinkItemError` for an item the format cannot hold (the encoder's state is then unchanged). */
  encode(item: unknown, index: number): string;
  /** Text that ends the output (a JSON array's `]`). */
  close(): string;
}

const FORMATS: readonly SinkFormat[] = ["jsonl", "csv", "json"];

/** Refuses a format name that is not one of the sink formats. */
export function checkFormat(sink: string, format: string): SinkFormat {
  if ((FORMATS as readonly string[]).includes(format)) return format as SinkFormat;
  throw new SinkConfigError(sink, `unknown output format \`${format}\`: use jsonl, csv or json`);
}

/** The format a path's extension names (`.tsv` is CSV, with a tab), or an error asking for `format`. */
export function formatOfPath(path: string): SinkFormat {
  const extension = extname(path).toLowerCase();
  switch (extension) {
    case ".jsonl":
    case ".ndjson":
      return "jsonl";
    case ".json":
      return "json";
    case ".csv":
    case ".tsv":
      return "csv";
    default:
      throw new SinkConfigError(
        path,
        `cannot tell the output format from ${extension === "" ? "a path without an extension" : `the extension \`${extension}\``}: ` +
          "give `format` (jsonl, csv or json), or name the file .jsonl, .ndjson, .json, .csv or .tsv",
      );
  }
}

/** Compact JSON of an item, or `SinkItemError` for what JSON cannot hold (undefined, a function, a BigInt, a cycle). */
export function jsonText(sink: string, item: unknown, index: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(item);
  } catch (error) {
    throw new SinkItemError(sink, index, `is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (text === undefined) throw new SinkItemError(sink, index, `is not JSON: a ${typeof item} has no JSON text`);
  return text;
}

/** JSONL: one value per line, LF-terminated. */
export function jsonlEncoder(sink: string): Encoder {
  return {
    open: () => "",
    encode: (item, index) => `${jsonText(sink, item, index)}\n`,
    close: () => "",
  };
}

/**
 * A JSON array. `continued` says the destination already holds `[` (and `items` says whether
 * items follow it: the next one then starts with the separator), as after a resume or an append.
 */
export function jsonArrayEncoder(sink: string, continued: { readonly items: boolean } | null): Encoder {
  let opened = continued !== null;
  let first = continued === null || !continued.items;
  return {
    open() {
      if (opened) return "";
      opened = true;
      return "[";
    },
    encode(item, index) {
      const text = jsonText(sink, item, index);
      const out = first ? text : `,\n${text}`;
      first = false;
      return out;
    },
    close: () => "]\n",
  };
}
