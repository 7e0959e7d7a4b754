/**
 * File work of the stream builtins, through the streaming core only (docs/streaming.md):
 * `readChunk` reads the next items of a file with `openSource`, from a resume point and up to a
 * count; `appendRows` adds rows to a file with `fileSink` (append), one caller per file at a
 * time in this process, all of a call's rows or none of them.
 */
import { truncate } from "node:fs/promises";
import { resolve } from "node:path";
import { openSource } from "../streaming/sources/index.js";
import { fileSink } from "../streaming/sinks/file.js";
import { SinkItemError } from "../streaming/sinks/errors.js";
import type { ResumePoint, SourcePosition, StreamFormat } from "../streaming/types.js";
import type { SinkFormat } from "../streaming/sinks/encoders.js";

/** An input line (row, item) that could not be read as a record. */
export interface ChunkError {
  readonly index: number;
  readonly line: number;
  readonly error: string;
}

/** What one read gives: the records, the unreadable items, whether more follow, and where the next read starts. */
export interface Chunk {
  readonly records: unknown[];
  readonly errors: ChunkError[];
  readonly hasMore: boolean;
  readonly next: ResumePoint;
}

/**
 * The next `size` items of the file `path` from `start` (records and unreadable items alike count,
 * so a chunk holds at most `size` of them): a plain JSONL, CSV or text file is entered at the
 * resume point's byte offset; gzip files and JSON documents are read again from the start,
 * skipping the items already done. Whether more follow is known by reading one item further.
 */
export async function readChunk(path: string, format: StreamFormat | undefined, size: number, start: ResumePoint | undefined): Promise<Chunk> {
  const source = await openSource(path, { ...(format !== undefined ? { format } : {}), ...(start !== undefined ? { start } : {}) });
  const records: unknown[] = [];
  const errors: ChunkError[] = [];
  let last: SourcePosition | undefined;
  let hasMore = false;
  try {
    for await (const item of source) {
      if (records.length + errors.length === size) {
        hasMore = true;
        break;
      }
      last = item.position;
      if (item.kind === "record") records.push(item.record);
      else errors.push({ index: item.position.index, line: item.position.line, error: item.error });
    }
  } finally {
    await source.close();
  }
  return { records, errors, hasMore, next: last === undefined ? (start ?? { index: 0 }) : after(last) };
}

/** The resume point just after the item at `position`: its successor's index, and the byte offset and line when the file has them. */
function after(position: SourcePosition): ResumePoint {
  const next = { index: position.index + 1 };
  return position.endOffset === undefined ? next : { ...next, offset: position.endOffset, line: position.endLine ?? 1 };
}

/** The tail of the writes queued per file (absolute path): each waits for the one before. */
const queues = new Map<string, Promise<void>>();

/** Runs `work` once every earlier `serialized` work on the same file has finished. */
function serialized<T>(path: string, work: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const before = queues.get(key) ?? Promise.resolve();
  const result = before.then(work);
  const done = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, done);
  void done.then(() => {
    if (queues.get(key) === done) queues.delete(key);
  });
  return result;
}

/** Why an append failed, and whether the file was left as it was. */
export class AppendFailure extends Error {
  constructor(
    message: string,
    /** True when none of the call's rows stayed in the file. */
    readonly rolledBack: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Adds `rows` to the file `path` as `format` through `fileSink` (the file is created when
 * missing; an existing file is continued: its CSV header kept, its JSON array reopened) and
 * closes the sink, so the rows have reached the OS when the promise resolves. Calls for one file
 * run one after another, so two records never interleave their bytes. `truncateFirst` empties
 * the file before this call's rows. A row the format cannot hold (a CSV row with fields outside
 * the header) undoes the rows of this call written before it; a failing disk may leave part.
 */
export function appendRows(path: string, format: SinkFormat, rows: readonly unknown[], truncateFirst: boolean): Promise<void> {
  return serialized(path, async () => {
    if (truncateFirst) await fileSink(path, { format }).close();
    const sink = fileSink(path, { format, append: true });
    try {
      const start = await sink.flush();
      for (const row of rows) {
        try {
          await sink.write(row);
        } catch (error) {
          if (!(error instanceof SinkItemError)) throw error;
          // Everything written is flushed first, so nothing lands after the cut.
          await sink.flush();
          await truncate(path, start.bytes ?? 0);
          throw new AppendFailure(error.message, true, { cause: error });
        }
      }
    } catch (error) {
      // Closing still ends the file as its format needs (a JSON array's `]`) and releases it.
      const closed = await sink.close().then(
        () => null,
        (closeError: unknown) => closeError,
      );
      if (error instanceof AppendFailure) {
        if (closed === null) throw error;
        throw new AppendFailure(`${error.message}; closing the file failed too: ${(closed as Error).message}`, false, { cause: error });
      }
      throw new AppendFailure((error as Error).message, false, { cause: error });
    }
    await sink.close().catch((error: unknown) => {
      throw new AppendFailure((error as Error).message, false, { cause: error });
    });
  });
}
