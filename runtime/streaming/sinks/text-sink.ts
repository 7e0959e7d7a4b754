/**
 * What the file and stream sinks share: their text options (format and the CSV settings, checked
 * so that no option is accepted and ignored), the encoder they imply, and the sink over an
 * encoder and a `StreamWriter` (write, flush to a position, idempotent close).
 */
import type { Sink, SinkPosition } from "../types.js";
import { checkColumns, checkDelimiter, csvEncoder } from "./csv.js";
import { type Encoder, jsonArrayEncoder, jsonlEncoder, type SinkFormat } from "./encoders.js";
import { SinkClosedError, SinkConfigError } from "./errors.js";
import type { StreamWriter } from "./writer.js";

/** The CSV options of the text sinks. */
export interface CsvSinkOptions {
  /** CSV only: one character (default `,`; a tab for a `.tsv` file). */
  readonly delimiter?: string;
  /** CSV only: the header (default the first item's keys, or the header of a file continued). */
  readonly columns?: readonly string[];
  /** CSV only: the record terminator (default CRLF, as RFC 4180 says). */
  readonly lineEnding?: "\n" | "\r\n";
}

/** Checked text settings. */
export interface TextSettings {
  readonly format: SinkFormat;
  readonly delimiter: string;
  readonly lineEnding: "\n" | "\r\n";
  readonly columns?: readonly string[];
}

/** Checks the CSV options against the format: a CSV option on another format is an error, not ignored. */
export function textSettings(sink: string, format: SinkFormat, options: CsvSinkOptions, defaultDelimiter = ","): TextSettings {
  if (format !== "csv") {
    for (const key of ["delimiter", "columns", "lineEnding"] as const) {
      if (options[key] !== undefined) throw new SinkConfigError(sink, `\`${key}\` applies to CSV output only, and this sink writes ${format}`);
    }
  }
  const delimiter = options.delimiter ?? defaultDelimiter;
  if (format === "csv") checkDelimiter(sink, delimiter);
  if (options.columns !== undefined) checkColumns(sink, options.columns);
  const lineEnding = options.lineEnding ?? "\r\n";
  if (lineEnding !== "\n" && lineEnding !== "\r\n") throw new SinkConfigError(sink, `\`lineEnding\` must be "\\n" or "\\r\\n", got ${JSON.stringify(lineEnding)}`);
  return { format, delimiter, lineEnding, ...(options.columns !== undefined ? { columns: options.columns } : {}) };
}

/**
 * The encoder of the settings. `json` says a JSON array is already open (and whether items
 * precede); `header` is the header a continued CSV file already holds.
 */
export function encoderOf(sink: string, settings: TextSettings, json: { readonly items: boolean } | null, header: readonly string[] | null): Encoder {
  switch (settings.format) {
    case "jsonl":
      return jsonlEncoder(sink);
    case "json":
      return jsonArrayEncoder(sink, json);
    case "csv": {
      const columns = header ?? settings.columns;
      return csvEncoder(sink, { delimiter: settings.delimiter, lineEnding: settings.lineEnding, ...(columns !== undefined ? { columns } : {}) }, header !== null);
    }
  }
}

/** How a text sink finishes: `end` closes a stream it owns (a file), `detach` leaves the caller's stream open. */
export interface TextSinkEnd {
  readonly kind: "end" | "detach";
  /** Whether positions carry the byte count (a file) or null (a stream). */
  readonly reportsBytes: boolean;
  /** Makes flushed data durable (fsync), when asked. */
  readonly sync?: () => Promise<void>;
}

/** A sink that encodes items and hands the text to a `StreamWriter`. */
export class TextSink implements Sink {
  #items = 0;
  #closing: Promise<void> | null = null;

  /** @param opening text written first (a kept file's missing newline, `[`, a header known up front) */
  constructor(
    readonly description: string,
    private readonly encoder: Encoder,
    protected readonly writer: StreamWriter,
    private readonly ending: TextSinkEnd,
    opening: string,
  ) {
    // A long CSV header may fill the buffer; nobody waits for it. A failure of this write is not
    // lost: the writer keeps it, and the next write, flush or close rejects with it.
    writer.write(opening)?.catch(() => undefined);
  }

  write(item: unknown): void | Promise<void> {
    if (this.#closing !== null) throw new SinkClosedError(this.description);
    const failure = this.writer.failure;
    if (failure !== null) return Promise.reject(failure);
    const text = this.encoder.encode(item, this.#items);
    this.#items++;
    return this.writer.write(text);
  }

  flush(): Promise<SinkPosition> {
    if (this.#closing !== null) return Promise.reject(new SinkClosedError(this.description));
    return this.#flush();
  }

  /** Writes the closing text (a JSON array's `]`), flushes, and ends or detaches the stream; rejects when not everything was written. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #flush(): Promise<SinkPosition> {
    const position: SinkPosition = { items: this.#items, bytes: this.ending.reportsBytes ? this.writer.bytes : null };
    await this.writer.settled();
    if (this.ending.sync !== undefined) await this.ending.sync();
    return position;
  }

  async #close(): Promise<void> {
    try {
      if (this.writer.failure === null) await this.writer.write(this.encoder.close());
      await this.#flush();
    } finally {
      if (this.ending.kind === "end") await this.writer.end();
      else this.writer.detach();
    }
    const failure = this.writer.failure;
    if (failure !== null) throw failure;
  }
}
