/**
 * The bytes under every file and stream source: a file read in chunks from any offset (so a
 * resume seeks), gzip found by its magic bytes and inflated as a stream, a leading UTF-8 BOM
 * dropped, and a count of the stored bytes consumed for progress.
 */
import { open, type FileHandle } from "node:fs/promises";
import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { SourceReadError } from "./errors.js";

/** Bytes read from a file at a time. */
export const CHUNK_BYTES = 64 * 1024;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The bytes a format reader parses. */
export interface ByteInput {
  /** The content (inflated, without a BOM); iterated once. */
  readonly chunks: AsyncIterable<Buffer>;
  /** Stored offset of the first byte of `chunks` in a plain file (positions then carry `endOffset`); null otherwise. */
  readonly offset: number | null;
  /** Stored bytes consumed so far, the resume offset included (compressed bytes for gzip). */
  bytesRead(): number;
  /** Stops reading and releases the file or stream (idempotent). */
  stop(): Promise<void>;
}

/** An open input file: its size, whether it is gzip (magic bytes 1f 8b), whether it starts with a BOM. */
export class InputFile {
  readonly #handle: FileHandle;
  #closing: Promise<void> | undefined;
  #read = 0;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    readonly size: number,
    readonly gzip: boolean,
    readonly bom: boolean,
  ) {
    this.#handle = handle;
  }

  /** Opens `path` and reads its first bytes; a missing or unreadable file is a `SourceReadError`. */
  static async open(path: string): Promise<InputFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      throw new SourceReadError(`cannot open \`${path}\`: ${(error as Error).message}`, error);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new SourceReadError(`\`${path}\` is not a file`);
      const head = Buffer.alloc(3);
      const { bytesRead } = await handle.read(head, 0, 3, 0);
      const gzip = bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b;
      const bom = bytesRead === 3 && head.equals(BOM);
      return new InputFile(path, handle, stat.size, gzip, bom);
    } catch (error) {
      await handle.close();
      if (error instanceof SourceReadError) throw error;
      throw new SourceReadError(`cannot read \`${path}\`: ${(error as Error).message}`, error);
    }
  }

  /** Stored offset of the first content byte (after a BOM) of a plain file. */
  get contentStart(): number {
    return this.bom ? BOM.length : 0;
  }

  /** Bytes read by `chunksFrom` so far. */
  get bytesRead(): number {
    return this.#read;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The stored bytes from `position` to the end, in chunks; ends quietly once the file is closed. */
  async *chunksFrom(position: number, counted = true): AsyncGenerator<Buffer, void, undefined> {
    for (;;) {
      if (this.closed) return;
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.#handle.read(buffer, 0, CHUNK_BYTES, position));
      } catch (error) {
        if (this.closed) return; // close() while a read was in flight
        throw new SourceReadError(`cannot read \`${this.path}\`: ${(error as Error).message}`, error);
      }
      if (bytesRead === 0) return;
      position += bytesRead;
      if (counted) this.#read += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  }

  /** The byte at `position`, or undefined past the end. */
  async byteAt(position: number): Promise<number | undefined> {
    const buffer = Buffer.alloc(1);
    const { bytesRead } = await this.#handle.read(buffer, 0, 1, position);
    return bytesRead === 1 ? buffer[0] : undefined;
  }

  /** Closes the file (idempotent); a read in flight finishes first. */
  close(): Promise<void> {
    this.#closing ??= this.#handle.close();
    return this.#closing;
  }
}

/** The content of a file from stored offset `start` (a plain file; the BOM already skipped by the caller's choice of `start`). */
export function plainFileInput(file: InputFile, start: number): ByteInput {
  return {
    chunks: file.chunksFrom(start),
    offset: start,
    bytesRead: () => start + file.bytesRead,
    stop: () => file.close(),
  };
}

/** The inflated content of a gzip file, without a BOM. */
export function gzipFileInput(file: InputFile): ByteInput {
  const inflated = inflate(file.chunksFrom(0), file.path);
  return {
    chunks: withoutBom(inflated.chunks),
    offset: null,
    bytesRead: () => file.bytesRead,
    stop: async () => {
      inflated.stop();
      await file.close();
    },
  };
}

/**
 * The content of a byte stream (stdin, a Readable): gzip when its first two bytes are 1f 8b,
 * without a BOM. Waits for the first bytes (or the end) to tell.
 */
export async function streamInput(readable: Readable, description: string): Promise<ByteInput> {
  let read = 0;
  let stopped = false;
  const iterator = readable[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  const nextChunk = async (): Promise<Buffer | undefined> => {
    let result: IteratorResult<unknown>;
    try {
      result = await iterator.next();
    } catch (error) {
      if (stopped) return undefined;
      throw new SourceReadError(`cannot read ${description}: ${(error as Error).message}`, error);
    }
    if (result.done === true) return undefined;
    const value = result.value;
    const chunk = Buffer.isBuffer(value) ? value : typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value as Uint8Array);
    read += chunk.length;
    return chunk;
  };
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < 2) {
    const chunk = await nextChunk();
    if (chunk === undefined) {
      ended = true;
      break;
    }
    head.push(chunk);
    headBytes += chunk.length;
  }
  const first = Buffer.concat(head);
  async function* raw(): AsyncGenerator<Buffer, void, undefined> {
    try {
      if (first.length > 0) yield first;
      if (ended) return;
      for (let chunk = await nextChunk(); chunk !== undefined; chunk = await nextChunk()) yield chunk;
    } finally {
      await iterator.return?.();
    }
  }
  const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  const inflated = gzip ? inflate(raw(), description) : undefined;
  return {
    chunks: withoutBom(inflated?.chunks ?? raw()),
    offset: null,
    bytesRead: () => read,
    stop: async () => {
      stopped = true;
      inflated?.stop();
      readable.destroy();
    },
  };
}

/** Gunzip as a stream over `raw`; `stop` ends it (and the reading of `raw`) at once. */
function inflate(raw: AsyncIterable<Buffer>, description: string): { chunks: AsyncIterable<Buffer>; stop(): void } {
  const gunzip = createGunzip();
  let stopped = false;
  // The callback is required; a failure also reaches the iteration below, which reports it.
  pipeline(Readable.from(raw), gunzip, () => undefined);
  async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (error) {
      if (stopped) return;
      if (error instanceof SourceReadError) throw error;
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && code.startsWith("Z_")) {
        throw new SourceReadError(`${description}: the gzip data is corrupt or cut short: ${(error as Error).message}`, error);
      }
      throw new SourceReadError(`cannot read ${description}: ${(error as Error).message}`, error);
    }
  }
  return {
    chunks: chunks(),
    stop: () => {
      stopped = true;
      gunzip.destroy();
    },
  };
}

/** `chunks` without a leading UTF-8 byte order mark (for inputs whose first bytes were not read ahead). */
async function* withoutBom(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const chunk of chunks) {
    if (head === undefined) {
      yield chunk;
      continue;
    }
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    if (head.length < BOM.length && BOM.subarray(0, head.length).equals(head)) continue; // could still be a BOM
    const content: Buffer = head.subarray(0, BOM.length).equals(BOM) ? head.subarray(BOM.length) : head;
    head = undefined;
    if (content.length > 0) yield content;
  }
  if (head !== undefined && head.length > 0) yield head;
}

/** Number of LF bytes in the stored bytes `[from, to)` of a plain file. */
export async function countNewlines(file: InputFile, from: number, to: number): Promise<number> {
  let count = 0;
  let position = from;
  for await (const chunk of file.chunksFrom(from, false)) {
    const end = Math.min(chunk.length, to - position);
    for (let at = chunk.indexOf(0x0a); at !== -1 && at < end; at = chunk.indexOf(0x0a, at + 1)) count++;
    position += chunk.length;
    if (position >= to) break;
  }
  return count;
}
