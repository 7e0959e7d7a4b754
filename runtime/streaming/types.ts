/**
 * The streaming core's shapes (docs/streaming.md, SEMANTICS §6 with decision Q23): sources yield
 * records with their position in the input, or the inputs they could not read; sinks write
 * results with backpressure and report how far they got, so a checkpoint can resume both ends.
 */

/** Where an item is in its input: what a dead-letter entry names and what a checkpoint resumes from. */
export interface SourcePosition {
  /** 0-based index of the item among everything the source yielded (records and malformed inputs). */
  readonly index: number;
  /** 1-based line where the item starts (text formats: JSONL, CSV, text; JSON arrays: the line of the item's first character). */
  readonly line: number;
  /**
   * Byte offset, in the input as stored (before decompression), just past this item, when the
   * source can seek back to it (plain files); absent otherwise (gzip, stdin, iterables, cursors).
   */
  readonly endOffset?: number;
  /** With `endOffset`: the 1-based line number at that offset (where the next item's text starts). */
  readonly endLine?: number;
  /** Database sources: the key of the row (keyset pagination resumes after it). */
  readonly cursor?: unknown;
}

/** One item a source yields. */
export type SourceItem =
  | { readonly kind: "record"; readonly record: unknown; readonly position: SourcePosition }
  | {
      readonly kind: "malformed";
      readonly position: SourcePosition;
      /** The input as read, cut to `MAX_RAW_CHARS`. */
      readonly raw: string;
      /** Why it could not be read (`invalid JSON: Unexpected token …`). */
      readonly error: string;
    };

/** The longest raw text a malformed item (and its dead-letter entry) keeps. */
export const MAX_RAW_CHARS = 4096;

/** Where a resumed source starts: after `index` items (and, when known, at byte `offset`). */
export interface ResumePoint {
  /** Items already done (the next item yielded has this index). */
  readonly index: number;
  /** Byte offset of the next item in the stored input, when the checkpoint knew it. */
  readonly offset?: number;
  /** Line number at `offset`: the last item done's `endLine` (so positions stay right after a seek). */
  readonly line?: number;
  /** Database sources: the last key done. */
  readonly cursor?: unknown;
}

/** A source of records: an async iterable of items plus what progress needs. */
export interface Source extends AsyncIterable<SourceItem> {
  /** For messages: the file path, `stdin`, `sqlite query`, `iterable`. */
  readonly description: string;
  /** Size in bytes of the stored input when known (a file): progress percentage and ETA. */
  readonly totalBytes: number | null;
  /** Bytes of the stored input consumed so far (compressed bytes for gzip). */
  bytesRead(): number;
  /** Stops reading and releases the file, cursor or connection (idempotent). */
  close(): Promise<void>;
  /**
   * The same items in the groups the source reads them (a chunk of lines), for consumers that go
   * faster on groups; iterate either this or the source itself, once.
   */
  batches?(): AsyncIterable<readonly SourceItem[]>;
}

/** Input formats. */
export type StreamFormat = "jsonl" | "csv" | "json" | "text";

/** How far a sink got: bytes of its file, for resume (truncate back to it), and items written. */
export interface SinkPosition {
  readonly items: number;
  /** Bytes written to the file so far, after the last flush; null for sinks without a file. */
  readonly bytes: number | null;
}

/** A destination of results. */
export interface Sink {
  readonly description: string;
  /**
   * Writes one item. Answers a promise while the destination cannot take more (backpressure: the
   * caller waits before writing again), else undefined.
   */
  write(item: unknown): void | Promise<void>;
  /** Makes everything written so far durable (file: flushed; database: committed); resolves to the position reached. */
  flush(): Promise<SinkPosition>;
  /** Flushes and releases the file or connection (idempotent). */
  close(): Promise<void>;
}
