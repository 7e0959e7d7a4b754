/**
 * `fileSink`: JSONL, CSV or a JSON array written to a file through a Node WriteStream (decision
 * Q23: the file is truncated unless `append: true`). `resumeAt: n` cuts an existing file back to
 * the n bytes a checkpoint recorded and continues after them, so a resumed run writes the same
 * bytes as an uninterrupted one. `flush()` resolves once everything written has reached the OS
 * (and the disk, with `durable: true`), with the file's length.
 */
import { closeSync, createWriteStream, fstatSync, fsync, ftruncateSync, openSync } from "node:fs";
import { extname } from "node:path";
import type { Sink } from "../types.js";
import { checkFormat, type Encoder, formatOfPath, type SinkFormat } from "./encoders.js";
import { SinkConfigError, SinkWriteError } from "./errors.js";
import { type Continuation, continueAppend, continueResume } from "./existing.js";
import { type CsvSinkOptions, encoderOf, TextSink, type TextSinkEnd, textSettings } from "./text-sink.js";
import { StreamWriter } from "./writer.js";

/** Options of `fileSink`. */
export interface FileSinkOptions extends CsvSinkOptions {
  /** Default: from the extension (`.jsonl`/`.ndjson`, `.json`, `.csv`, `.tsv`). */
  readonly format?: SinkFormat;
  /** Add to the existing file instead of truncating it (a JSON array is continued before its `]`). */
  readonly append?: boolean;
  /** Keep the first `resumeAt` bytes of the existing file (a flush position from a checkpoint) and continue after them. */
  readonly resumeAt?: number;
  /** `flush()` and `close()` also fsync the file (default false: the data reaches the OS, not necessarily the disk). */
  readonly durable?: boolean;
  /** Bytes buffered before `write()` asks the caller to wait (default 64 KiB). */
  readonly highWaterMark?: number;
}

/** A file sink: a `Sink` plus what progress and tests read. */
export interface FileSink extends Sink {
  readonly path: string;
  readonly format: SinkFormat;
  /** Bytes written but still in the stream's buffer (bounded by the high-water mark plus one item). */
  bufferedBytes(): number;
}

const DEFAULT_HIGH_WATER_MARK = 64 * 1024;
const FRESH: Continuation = { keep: 0, prefix: "", json: null, header: null };

/** Opens `path` for writing and answers the sink; a path or options it cannot honour throw at once. */
export function fileSink(path: string, options: FileSinkOptions = {}): FileSink {
  const format = options.format === undefined ? formatOfPath(path) : checkFormat(path, options.format);
  const settings = textSettings(path, format, options, extname(path).toLowerCase() === ".tsv" ? "\t" : ",");
  checkFileOptions(path, options);
  const append = options.append === true;
  const resumeAt = options.resumeAt ?? 0;
  const flags = append ? "a+" : resumeAt > 0 ? "r+" : "w";
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    if (flags === "r+" && (error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new SinkConfigError(path, `cannot resume at byte ${resumeAt}: the file does not exist`, { cause: error });
    }
    throw new SinkWriteError(path, `cannot open the file for writing: ${(error as Error).message}`, { cause: error });
  }
  let continuation = FRESH;
  try {
    const size = fstatSync(fd).size;
    if (append) continuation = continueAppend(path, fd, size, settings.format, settings);
    else if (resumeAt > 0) continuation = continueResume(path, fd, size, resumeAt, settings.format, settings.delimiter);
    const { header } = continuation;
    if (header !== null && options.columns !== undefined && header.join("\0") !== options.columns.join("\0")) {
      throw new SinkConfigError(path, `\`columns\` (${options.columns.join(", ")}) differ from the header of the file continued (${header.join(", ")})`);
    }
    if (continuation.keep < size) ftruncateSync(fd, continuation.keep);
  } catch (error) {
    closeSync(fd);
    throw error instanceof SinkConfigError ? error : new SinkWriteError(path, `cannot prepare the file: ${(error as Error).message}`, { cause: error });
  }
  const encoder = encoderOf(path, settings, continuation.json, continuation.header);
  const stream = createWriteStream(path, {
    fd,
    highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
    // O_APPEND writes at the end whatever the position; the other modes write from the kept prefix on.
    ...(append ? {} : { start: continuation.keep }),
  });
  const writer = new StreamWriter(stream, continuation.keep, (error) => new SinkWriteError(path, `write failed: ${(error as Error).message}`, { cause: error }));
  const sync = (): Promise<void> =>
    new Promise((resolve, reject) =>
      fsync(fd, (error) => (error === null ? resolve() : reject(new SinkWriteError(path, `fsync failed: ${error.message}`, { cause: error })))),
    );
  const ending = { kind: "end" as const, reportsBytes: true, ...(options.durable === true ? { sync } : {}) };
  return new FileSinkImpl(path, settings.format, encoder, writer, ending, continuation.prefix + encoder.open());
}

function checkFileOptions(path: string, options: FileSinkOptions): void {
  if (options.append === true && options.resumeAt !== undefined) {
    throw new SinkConfigError(path, "give `append` or `resumeAt`, not both: resuming already keeps the file up to the checkpoint");
  }
  if (options.resumeAt !== undefined && (!Number.isSafeInteger(options.resumeAt) || options.resumeAt < 0)) {
    throw new SinkConfigError(path, `\`resumeAt\` must be a byte count (a whole number >= 0), got ${options.resumeAt}`);
  }
  if (options.highWaterMark !== undefined && (!Number.isSafeInteger(options.highWaterMark) || options.highWaterMark < 1)) {
    throw new SinkConfigError(path, `\`highWaterMark\` must be a whole number of bytes >= 1, got ${options.highWaterMark}`);
  }
}

class FileSinkImpl extends TextSink implements FileSink {
  constructor(
    readonly path: string,
    readonly format: SinkFormat,
    encoder: Encoder,
    writer: StreamWriter,
    ending: TextSinkEnd,
    opening: string,
  ) {
    super(path, encoder, writer, ending, opening);
  }

  bufferedBytes(): number {
    return this.writer.buffered;
  }
}
