/**
 * CSV rows from bytes with papaparse's parser, fed the text chunk by chunk as its own streamer
 * does (the unfinished row carried over), with what positions need: the line a row starts on and
 * the exact byte offset just past it. Offsets come from the LF bytes themselves (the k-th LF of
 * the text is the k-th LF byte), so they stay exact whatever the encoding holds.
 */
import { StringDecoder } from "node:string_decoder";
import Papa from "papaparse";

/** One parsed row. */
export interface CsvRow {
  /** The fields; a CR LF line end is removed from the last one. */
  readonly fields: string[];
  /** What papaparse found wrong in the row (quotes), empty when nothing. */
  readonly problems: readonly string[];
  /** Line where the row starts. */
  readonly line: number;
  /** Line after the row (a quoted field may hold line ends). */
  readonly nextLine: number;
  /** Offset in the content bytes just past the row (its line end included). */
  readonly end: number;
  /** The row's text, line end included. */
  readonly text: string;
}

/** What the raw parser's `step` receives (typed loosely by @types/papaparse). */
interface StepResult {
  readonly data: string[][];
  readonly errors: readonly { readonly message: string }[];
  readonly meta: { readonly cursor: number };
}

/**
 * Below this many characters, an unfinished row is parsed again whenever a chunk brings a line
 * end; above it, only once it has doubled, so a huge quoted field costs linear time.
 */
const REPARSE_FLOOR = 1 << 20;

/** Cuts CSV bytes into rows; `push` each chunk, then `end`. */
export class CsvRows {
  readonly #parser: Papa.Parser;
  readonly #decoder = new StringDecoder("utf8");
  /** Text after the last complete row. */
  #pending = "";
  #reparseAt = 0;
  #line: number;
  /** Content bytes pushed so far. */
  #bytes = 0;
  /** Offsets just past each LF byte not yet part of a returned row; `#newlineHead` of them are used. */
  #newlineEnds: number[] = [];
  #newlineHead = 0;
  /** The text being parsed, where its next row starts, and the rows found. */
  #text = "";
  #rowStart = 0;
  #final = false;
  #rows: CsvRow[] = [];

  constructor(delimiter: string, firstLine: number) {
    this.#line = firstLine;
    this.#parser = new Papa.Parser({
      delimiter,
      newline: "\n", // a CR before it is removed from the row's last field (#row)
      quoteChar: '"',
      step: (result) => this.#row(result as unknown as StepResult),
    });
  }

  /** The rows that end in `chunk`. */
  push(chunk: Buffer): CsvRow[] {
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) this.#newlineEnds.push(this.#bytes + at + 1);
    this.#bytes += chunk.length;
    const text = this.#decoder.write(chunk);
    this.#pending += text;
    // A row only ends at a line end: without a new one, nothing can have ended.
    if (!text.includes("\n") || this.#pending.length < this.#reparseAt) return [];
    return this.#parse();
  }

  /** The last rows, at the end of the input. */
  end(): CsvRow[] {
    this.#pending += this.#decoder.end();
    this.#final = true;
    return this.#parse();
  }

  #parse(): CsvRow[] {
    this.#text = this.#pending;
    this.#rowStart = 0;
    this.#parser.parse(this.#text, 0, !this.#final);
    this.#pending = this.#text.slice(this.#rowStart);
    this.#text = "";
    const rows = this.#rows;
    this.#rows = [];
    this.#reparseAt = rows.length === 0 && this.#pending.length >= REPARSE_FLOOR ? this.#pending.length * 2 : 0;
    if (this.#newlineHead > 0) {
      this.#newlineEnds = this.#newlineEnds.slice(this.#newlineHead);
      this.#newlineHead = 0;
    }
    return rows;
  }

  /** papaparse's step: one row, ending at `meta.cursor` in the text parsed. */
  #row(result: StepResult): void {
    const rowEnd = result.meta.cursor;
    const text = this.#text.slice(this.#rowStart, rowEnd);
    this.#rowStart = rowEnd;
    let newlines = 0;
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) newlines++;
    const line = this.#line;
    this.#line += newlines;
    this.#newlineHead += newlines;
    const endsLine = text.endsWith("\n");
    // Only the last row of the input can end without a line end; it ends where the input does.
    const end = endsLine ? (this.#newlineEnds[this.#newlineHead - 1] ?? this.#bytes) : this.#bytes;
    const fields = result.data[0] ?? [];
    const last = fields.length - 1;
    if ((endsLine ? text.endsWith("\r\n") : text.endsWith("\r")) && last >= 0 && fields[last]?.endsWith("\r") === true) {
      fields[last] = fields[last].slice(0, -1);
    }
    this.#rows.push({ fields, problems: result.errors.map((error) => error.message), line, nextLine: this.#line, end, text });
  }
}

/** True for a row that is an empty line. */
export function isBlankRow(row: CsvRow): boolean {
  return row.fields.length === 1 && row.fields[0] === "" && row.problems.length === 0;
}

/** A row's text without its line end (what a malformed item keeps). */
export function rowRaw(row: CsvRow): string {
  return row.text.replace(/\r?\n$/, "");
}
