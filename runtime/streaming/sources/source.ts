/**
 * What every source shares: the `Source` object around an item generator (single pass, close on
 * early exit), item and position builders, and the running count of items a resume skips.
 */
import { MAX_RAW_CHARS, type Source, type SourceItem, type SourcePosition } from "../types.js";
import { SourceReadError } from "./errors.js";

/** Where the next item goes and how many items a resume skips (items with a smaller index are read, not yielded). */
export interface ItemCount {
  /** Index of the next item. */
  next: number;
  /** Items before this index are skipped (a resume by re-reading). */
  readonly skip: number;
}

/** What a format reader is given about where its reading starts. */
export interface ReadStart {
  readonly count: ItemCount;
  /** Line number of the first byte read. */
  readonly line: number;
}

/**
 * The position of an item of a text input: where it starts, and when the input is a plain file,
 * the offset just past it with the line there (what a resume seeks to).
 */
export function textPosition(index: number, line: number, endOffset: number | null, endLine: number): SourcePosition {
  return endOffset === null ? { index, line } : { index, line, endOffset, endLine };
}

/** The position of a row of a query or a value of an iterable: line `index + 1`, and the row's key when there is one. */
export function rowPosition(index: number, cursor: unknown): SourcePosition {
  return cursor === undefined ? { index, line: index + 1 } : { index, line: index + 1, cursor };
}

/** A record item. */
export function recordItem(record: unknown, position: SourcePosition): SourceItem {
  return { kind: "record", record, position };
}

/** A malformed item; `raw` is cut to `MAX_RAW_CHARS`. */
export function malformedItem(raw: string, error: string, position: SourcePosition): SourceItem {
  return { kind: "malformed", raw: cutRaw(raw), error, position };
}

/** The input kept by a malformed item: at most `MAX_RAW_CHARS` characters, never a lone half of a surrogate pair. */
export function cutRaw(raw: string): string {
  if (raw.length <= MAX_RAW_CHARS) return raw;
  const code = raw.charCodeAt(MAX_RAW_CHARS - 1);
  return raw.slice(0, code >= 0xd800 && code <= 0xdbff ? MAX_RAW_CHARS - 1 : MAX_RAW_CHARS);
}

/** How a message names the type of a value: `null`, `array`, or its `typeof`. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** True for what a record must be: a plain JSON object (not null, not an array). */
export function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets `key` as an own property, also for `__proto__` (which plain assignment would take as the prototype). */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** What a format reader yields: one item, or the items of one chunk of input. */
export type ItemChunk = SourceItem | readonly SourceItem[];

/** How a generated source is built. */
export interface GeneratedSourceParts {
  readonly description: string;
  readonly totalBytes: number | null;
  /** The items; its `finally` releases what it holds when it ends or is returned. */
  readonly items: AsyncGenerator<ItemChunk, void, undefined>;
  readonly bytesRead: () => number;
  /**
   * Stops the underlying input at once (destroys a stream, closes a file), so a read in flight
   * ends; must be idempotent. The generator's own `finally` does the orderly release.
   */
  readonly stop?: () => void | Promise<void>;
}

function isChunk(value: ItemChunk): value is readonly SourceItem[] {
  return Array.isArray(value);
}

/** A `Source` over an item generator: iterated once; `close()` (also `break` in `for await`) releases it. */
export class GeneratedSource implements Source {
  readonly description: string;
  readonly totalBytes: number | null;
  readonly #items: AsyncGenerator<ItemChunk, void, undefined>;
  readonly #bytesRead: () => number;
  readonly #stop: (() => void | Promise<void>) | undefined;
  #iterated = false;
  #closing: Promise<void> | undefined;

  constructor(parts: GeneratedSourceParts) {
    this.description = parts.description;
    this.totalBytes = parts.totalBytes;
    this.#items = parts.items;
    this.#bytesRead = parts.bytesRead;
    this.#stop = parts.stop;
  }

  bytesRead(): number {
    return this.#bytesRead();
  }

  [Symbol.asyncIterator](): AsyncIterator<SourceItem> {
    this.#claim();
    let chunk: readonly SourceItem[] = [];
    let at = 0;
    const next = async (): Promise<IteratorResult<SourceItem, undefined>> => {
      while (at >= chunk.length) {
        if (this.#closing !== undefined) return { done: true, value: undefined };
        const got = await this.#items.next();
        if (got.done === true) return { done: true, value: undefined };
        chunk = isChunk(got.value) ? got.value : [got.value];
        at = 0;
      }
      return { done: false, value: chunk[at++] as SourceItem };
    };
    return {
      next,
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** The items in the groups the reader produced them (a chunk of lines); the source is read once, this way or the other. */
  batches(): AsyncIterable<readonly SourceItem[]> {
    this.#claim();
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<readonly SourceItem[], undefined>> => {
          if (this.#closing !== undefined) return { done: true, value: undefined };
          const got = await this.#items.next();
          if (got.done === true) return { done: true, value: undefined };
          return { done: false, value: isChunk(got.value) ? got.value : [got.value] };
        },
        return: async () => {
          await this.close();
          return { done: true, value: undefined };
        },
      }),
    };
  }

  #claim(): void {
    if (this.#iterated) throw new SourceReadError(`${this.description}: a source is read once; open it again to read it again`);
    this.#iterated = true;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.#stop?.();
    } finally {
      // Runs the generator's `finally` when it is paused at a `yield`; a generator that never
      // started has nothing of its own to release (`stop` released the input).
      await this.#items.return(undefined);
    }
  }
}
