/**
 * Streaming sources (docs/streaming.md, "Sources"): `openSource` reads a file (JSONL, CSV, JSON,
 * text; gzip found by its magic bytes), stdin or any Readable, or an iterable of records, as an
 * async iterable of items with their positions; `sqliteQuerySource` and `postgresCursorSource`
 * read query results in batches. Errors: FSMR0050 (options), FSMR0051 (an input that cannot be read).
 */
import { Readable } from "node:stream";
import type { Source, SourceItem, StreamFormat } from "../types.js";
import { countNewlines, gzipFileInput, InputFile, plainFileInput, streamInput, type ByteInput } from "./bytes.js";
import { csvItems, readCsvHeader, type CsvHeader } from "./csv.js";
import { SourceOptionsError, SourceReadError } from "./errors.js";
import { iterableItems } from "./iterable.js";
import { jsonItems } from "./json.js";
import { jsonlItems } from "./jsonl.js";
import { checkOptions, fileFormat, formatSettings, nameWithoutGzip, type FormatSettings, type SourceOptions } from "./options.js";
import { GeneratedSource, type ItemChunk, type ReadStart } from "./source.js";
import { textItems } from "./text.js";

export type { ColumnType } from "./csv.js";
export { SourceOptionsError, SourceReadError } from "./errors.js";
export type { SourceOptions } from "./options.js";
export { postgresCursorSource } from "./postgres.js";
export type { QuerySourceOptions } from "./query.js";
export { sqliteQuerySource } from "./sqlite.js";

/** What `openSource` reads: a file path, `"-"` for stdin, a Readable of bytes, or an iterable of records. */
export type SourceInput = string | Readable | Iterable<unknown> | AsyncIterable<unknown>;

/** The format stdin and other byte streams are read as when `format` is not given. */
export const STREAM_DEFAULT_FORMAT: StreamFormat = "jsonl";

/**
 * Opens a source. A file is opened now (a missing file rejects here) and read as it is iterated;
 * a byte stream is read up to its first two bytes (to tell gzip). Iterate it once, or `close()`
 * it: `break` in `for await` closes it too.
 */
export async function openSource(input: SourceInput, options: SourceOptions = {}): Promise<Source> {
  if (typeof input === "string") return input === "-" ? openStream(process.stdin, "stdin", options) : openFile(input, options);
  if (isReadable(input)) return openStream(input, input === process.stdin ? "stdin" : "stream", options);
  if (typeof input === "object" && input !== null && !ArrayBuffer.isView(input) && (Symbol.iterator in input || Symbol.asyncIterator in input)) {
    return openIterable(input, options);
  }
  throw new SourceOptionsError('openSource: the input must be a file path, "-" (stdin), a Readable of bytes or an iterable of records');
}

async function openFile(path: string, options: SourceOptions): Promise<Source> {
  checkOptions(options, path);
  const settings = formatSettings(fileFormat(path, options.format), options, path, nameWithoutGzip(path).endsWith(".tsv"));
  const file = await InputFile.open(path);
  let plan: { input: ByteInput; start: ReadStart; header?: CsvHeader };
  try {
    plan = await filePlan(file, settings, options);
  } catch (error) {
    await file.close();
    throw error;
  }
  const { input } = plan;
  return new GeneratedSource({
    description: path,
    totalBytes: file.size,
    items: formatItems(input, plan.start, settings, path, plan.header),
    bytesRead: () => input.bytesRead(),
    stop: () => input.stop(),
  });
}

/**
 * Where to read a file from: at the resume offset of a plain file (JSON aside: it cannot start
 * mid-document), after reading a CSV header first; otherwise from the start, skipping the items
 * the resume point says are done.
 */
async function filePlan(file: InputFile, settings: FormatSettings, options: SourceOptions): Promise<{ input: ByteInput; start: ReadStart; header?: CsvHeader }> {
  const resume = options.start;
  const index = resume?.index ?? 0;
  const fromStart = (): { input: ByteInput; start: ReadStart } => ({
    input: file.gzip ? gzipFileInput(file) : plainFileInput(file, file.contentStart),
    start: { count: { next: 0, skip: index }, line: 1 },
  });
  if (file.gzip || resume?.offset === undefined || settings.format === "json") return fromStart();
  const offset = Math.max(resume.offset, file.contentStart);
  if (offset > file.size) {
    throw new SourceReadError(`${file.path}: the resume offset ${offset} is past the end of the file (${file.size} bytes); the file changed since the checkpoint?`);
  }
  if (offset > file.contentStart && offset < file.size && (await file.byteAt(offset - 1)) !== 0x0a) {
    throw new SourceReadError(`${file.path}: the resume offset ${offset} is not at the start of a line; the file changed since the checkpoint?`);
  }
  let header: CsvHeader | undefined;
  if (settings.format === "csv" && settings.header) {
    header = await readCsvHeader(file, settings);
    // A resume point before the end of the header: read from the start.
    if (header === undefined || offset < file.contentStart + header.end) return fromStart();
  }
  const line = resume.line ?? 1 + (await countNewlines(file, 0, offset));
  const start: ReadStart = { count: { next: index, skip: index }, line };
  const input = plainFileInput(file, offset);
  return header === undefined ? { input, start } : { input, start, header };
}

async function openStream(readable: Readable, description: string, options: SourceOptions): Promise<Source> {
  checkOptions(options, description);
  const settings = formatSettings(options.format ?? STREAM_DEFAULT_FORMAT, options, description);
  const input = await streamInput(readable, description);
  const index = options.start?.index ?? 0;
  return new GeneratedSource({
    description,
    totalBytes: null,
    items: formatItems(input, { count: { next: 0, skip: index }, line: 1 }, settings, description),
    bytesRead: () => input.bytesRead(),
    stop: () => input.stop(),
  });
}

function openIterable(values: Iterable<unknown> | AsyncIterable<unknown>, options: SourceOptions): Source {
  const description = "iterable";
  checkOptions(options, description);
  const formatOption = Object.keys(options).find((key) => key !== "start" && (options as Record<string, unknown>)[key] !== undefined);
  if (formatOption !== undefined) {
    throw new SourceOptionsError(`${description}: an iterable yields records, so \`${formatOption}\` does not apply (only \`start\` does)`);
  }
  const index = options.start?.index ?? 0;
  return new GeneratedSource({ description, totalBytes: null, items: iterableItems(values, { next: 0, skip: index }), bytesRead: () => 0 });
}

function formatItems(input: ByteInput, start: ReadStart, settings: FormatSettings, description: string, header?: CsvHeader): AsyncGenerator<ItemChunk, void, undefined> {
  switch (settings.format) {
    case "jsonl":
      return jsonlItems(input, start);
    case "csv":
      return csvItems(input, start, settings, description, header);
    case "json":
      return jsonItems(input, start, settings, description);
    case "text":
      return textItems(input, start, settings);
  }
}

/** A Node Readable (stdin, a file or socket stream, a child process's stdout …). */
function isReadable(input: unknown): input is Readable {
  return input instanceof Readable;
}
