/**
 * What a file sink keeps of an existing file, and how it continues it: after `append: true` the
 * whole file, after `resumeAt: n` its first n bytes (cut off before writing). JSONL and CSV
 * continue after the last line end (a missing final newline is added on append; on resume it
 * means `resumeAt` is not a position the sink reported). CSV takes its header from the file, so
 * the header is never written twice and the columns keep their order. A JSON array continues
 * before its closing `]` (append) or after its last item (resume), with the separator when items
 * precede. Reads go through the open descriptor, synchronously, once, when the sink opens.
 */
import { readSync } from "node:fs";
import { parseFirstRecord } from "./csv.js";
import type { SinkFormat } from "./encoders.js";
import { SinkConfigError } from "./errors.js";

/** How the sink goes on from a kept prefix. */
export interface Continuation {
  /** Where writing starts: the bytes kept. */
  readonly keep: number;
  /** Text to write first (a missing final newline). */
  readonly prefix: string;
  /** JSON: the array is open; whether items precede. */
  readonly json: { readonly items: boolean } | null;
  /** CSV: the header the file holds. */
  readonly header: readonly string[] | null;
}

const CHUNK = 64 * 1024;
/** The longest CSV header the sink reads when it continues a file. */
const MAX_HEADER_BYTES = 1024 * 1024;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function byteAt(fd: number, position: number): number {
  const buffer = Buffer.alloc(1);
  readSync(fd, buffer, 0, 1, position);
  return buffer[0] as number;
}

/** The last byte before `end` that is not JSON whitespace, with its position; null when there is none. */
function lastNonSpace(fd: number, end: number): { readonly at: number; readonly byte: number } | null {
  const buffer = Buffer.alloc(CHUNK);
  let to = end;
  while (to > 0) {
    const from = Math.max(0, to - CHUNK);
    const read = readSync(fd, buffer, 0, to - from, from);
    for (let i = read - 1; i >= 0; i--) {
      const byte = buffer[i] as number;
      if (!isSpace(byte)) return { at: from + i, byte };
    }
    to = from;
  }
  return null;
}

/** The first byte at or after 0 that is not JSON whitespace, before `end`. */
function firstNonSpace(fd: number, end: number): { readonly at: number; readonly byte: number } | null {
  const buffer = Buffer.alloc(CHUNK);
  for (let from = 0; from < end; from += CHUNK) {
    const read = readSync(fd, buffer, 0, Math.min(CHUNK, end - from), from);
    for (let i = 0; i < read; i++) {
      const byte = buffer[i] as number;
      if (!isSpace(byte)) return { at: from + i, byte };
    }
    if (read === 0) break;
  }
  return null;
}

/** The header record of the first `size` bytes of a CSV file. */
function csvHeader(sink: string, fd: number, size: number, delimiter: string): string[] {
  const length = Math.min(size, MAX_HEADER_BYTES);
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, 0);
  const text = buffer.subarray(0, read).toString("utf8");
  const record = parseFirstRecord(text, delimiter);
  if (record === null) {
    throw new SinkConfigError(sink, `the existing file has no complete header line in its first ${length} bytes, so the sink cannot continue it`);
  }
  return record;
}

/** What an existing file of `size` bytes gives a sink that appends to it. */
export function continueAppend(sink: string, fd: number, size: number, format: SinkFormat, csv: { readonly delimiter: string; readonly lineEnding: string }): Continuation {
  if (size === 0) return { keep: 0, prefix: "", json: null, header: null };
  if (format === "json") {
    const last = lastNonSpace(fd, size);
    const first = firstNonSpace(fd, size);
    if (last === null || first === null) return { keep: 0, prefix: "", json: null, header: null };
    if (first.byte !== 0x5b || last.byte !== 0x5d || last.at === first.at) {
      throw new SinkConfigError(sink, "the existing file is not a JSON array (`[` … `]`), so items cannot be appended to it: write a new file, or use JSONL");
    }
    const before = lastNonSpace(fd, last.at);
    return { keep: last.at, prefix: "", json: { items: before !== null && before.at !== first.at }, header: null };
  }
  const endsWithNewline = byteAt(fd, size - 1) === 0x0a;
  if (format === "jsonl") return { keep: size, prefix: endsWithNewline ? "" : "\n", json: null, header: null };
  return { keep: size, prefix: endsWithNewline ? "" : csv.lineEnding, json: null, header: csvHeader(sink, fd, size, csv.delimiter) };
}

/** What the first `at` bytes of an existing file of `size` bytes give a sink that resumes after them. */
export function continueResume(sink: string, fd: number, size: number, at: number, format: SinkFormat, delimiter: string): Continuation {
  if (size < at) {
    throw new SinkConfigError(sink, `cannot resume at byte ${at}: the file has only ${size} bytes, so it is not the output the checkpoint recorded`);
  }
  if (at === 0) return { keep: 0, prefix: "", json: null, header: null };
  if (format === "json") {
    const first = firstNonSpace(fd, at);
    const last = lastNonSpace(fd, at);
    if (first === null || last === null || first.byte !== 0x5b || last.byte === 0x2c) {
      throw new SinkConfigError(sink, `cannot resume at byte ${at}: the file does not hold an open JSON array up to there (resume only at a position a flush of this sink reported)`);
    }
    return { keep: at, prefix: "", json: { items: last.at !== first.at }, header: null };
  }
  if (byteAt(fd, at - 1) !== 0x0a) {
    throw new SinkConfigError(sink, `cannot resume at byte ${at}: it is not the end of a line (resume only at a position a flush of this sink reported)`);
  }
  if (format === "jsonl") return { keep: at, prefix: "", json: null, header: null };
  return { keep: at, prefix: "", json: null, header: csvHeader(sink, fd, at, delimiter) };
}
