/**
 * Splits bytes into lines at LF, with the byte length of each (terminator included) so positions
 * are exact in bytes. A line may span any number of chunks: memory is bounded by the longest line.
 */
import type { SourceItem, SourcePosition } from "../types.js";
import type { ByteInput } from "./bytes.js";
import { type ItemChunk, textPosition, type ReadStart } from "./source.js";

/** Called with a line's text (without its CR LF or LF) and its length in bytes, terminator included. */
export type LineHandler = (text: string, bytes: number) => void;

/** Cuts a byte stream into lines; `push` each chunk, then `end`. */
export class LineSplitter {
  /** The bytes of the line under way, when it began in an earlier chunk. */
  #parts: Buffer[] = [];

  /** Calls `onLine` for each line that ends in `chunk`. */
  push(chunk: Buffer, onLine: LineHandler): void {
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    if (newline !== -1 && this.#parts.length > 0) {
      this.#parts.push(chunk.subarray(0, newline + 1));
      const line = Buffer.concat(this.#parts);
      this.#parts = [];
      onLine(lineText(line, 0, line.length), line.length);
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    while (newline !== -1) {
      onLine(lineText(chunk, start, newline + 1), newline + 1 - start);
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) this.#parts.push(start === 0 ? chunk : chunk.subarray(start));
  }

  /** Calls `onLine` for a last line without a final LF. */
  end(onLine: LineHandler): void {
    if (this.#parts.length === 0) return;
    const line = Buffer.concat(this.#parts);
    this.#parts = [];
    onLine(lineText(line, 0, line.length), line.length);
  }
}

/** The text of `bytes[start, end)` without a final LF and the CR before it. */
function lineText(bytes: Buffer, start: number, end: number): string {
  if (end > start && bytes[end - 1] === 0x0a) end--;
  if (end > start && bytes[end - 1] === 0x0d) end--;
  return bytes.toString("utf8", start, end);
}

/** True for an empty line or one of only whitespace. */
export function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  // Most lines start with a visible ASCII character: no need to trim.
  if (first > 0x20 && first < 0x7f) return false;
  return text.trim().length === 0;
}

/**
 * The items of a line format: one per line that `keep` accepts (the others are still counted in
 * line numbers), built by `toItem` unless a resume skips it. Releases the input when it ends.
 */
export async function* lineItems(
  input: ByteInput,
  start: ReadStart,
  keep: (text: string) => boolean,
  toItem: (text: string, position: SourcePosition) => SourceItem,
): AsyncGenerator<ItemChunk, void, undefined> {
  const { count } = start;
  let line = start.line;
  let offset = input.offset;
  let ready: SourceItem[] = [];
  const onLine: LineHandler = (text, bytes) => {
    const number = line++;
    if (offset !== null) offset += bytes;
    if (!keep(text)) return;
    const index = count.next++;
    if (index >= count.skip) ready.push(toItem(text, textPosition(index, number, offset, line)));
  };
  const splitter = new LineSplitter();
  try {
    for await (const chunk of input.chunks) {
      splitter.push(chunk, onLine);
      if (ready.length === 0) continue;
      const items = ready;
      ready = [];
      yield items;
    }
    splitter.end(onLine);
    if (ready.length > 0) yield ready;
  } finally {
    await input.stop();
  }
}
