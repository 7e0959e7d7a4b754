/**
 * JSON documents: the elements of the top-level array, or of the array at a path
 * (`path: "$.items"`); an object there (or at the top level) is the one item. Streamed with
 * @streamparser/json's Tokenizer and our own structure reader (json-tree.ts), so a huge array
 * never sits in memory. An element that is not an object is a malformed item; a syntax error ends
 * the source with one malformed item, since nothing after it can be read. JSON positions carry no
 * `endOffset`: a resume re-reads the document and skips the items already done.
 */
import { Tokenizer, TokenizerError, type ParsedTokenInfo } from "@streamparser/json";
import type { SourceItem } from "../types.js";
import type { ByteInput } from "./bytes.js";
import { SourceReadError } from "./errors.js";
import { JsonShapeError, JsonTree, type PathStep } from "./json-tree.js";
import { isRecordObject, malformedItem, recordItem, textPosition, type ReadStart, typeName } from "./source.js";

/** Where the items are. */
export interface JsonSettings {
  readonly path: readonly PathStep[];
  /** The path as the user wrote it, for messages. */
  readonly pathText: string;
}

/** Raw text kept before a syntax error, in bytes. */
const ERROR_CONTEXT_BYTES = 256;

/** Line numbers of byte offsets, for offsets that only move forward (token starts). */
class LineCounter {
  #line: number;
  /** Offsets of the LF bytes of the current chunk; `#next` of them are counted. */
  #newlines: number[] = [];
  #next = 0;

  constructor(firstLine: number) {
    this.#line = firstLine;
  }

  /** The next chunk of content, starting at `start`. */
  chunk(chunk: Buffer, start: number): void {
    this.#line += this.#newlines.length - this.#next;
    this.#newlines = [];
    this.#next = 0;
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) this.#newlines.push(start + at);
  }

  /** The line of the byte at `offset` (in the current chunk, or earlier). */
  at(offset: number): number {
    while (this.#next < this.#newlines.length && (this.#newlines[this.#next] ?? Infinity) < offset) {
      this.#line++;
      this.#next++;
    }
    return this.#line;
  }
}

/** The items of a JSON input. */
export async function* jsonItems(input: ByteInput, start: ReadStart, settings: JsonSettings, description: string): AsyncGenerator<SourceItem, void, undefined> {
  const { count } = start;
  const lines = new LineCounter(start.line);
  let ready: SourceItem[] = [];
  let itemLine = start.line;
  const tree = new JsonTree(settings.path, {
    start: (offset) => {
      itemLine = lines.at(offset);
      return count.next >= count.skip;
    },
    item: (value) => {
      const index = count.next++;
      if (index < count.skip) return;
      const position = textPosition(index, itemLine, null, itemLine);
      if (isRecordObject(value)) ready.push(recordItem(value, position));
      else ready.push(malformedItem(jsonText(value), `line ${itemLine}: a record must be an object, got ${typeName(value)}`, position));
    },
    notContainer: (value) => {
      const index = count.next++;
      if (index < count.skip) return;
      const error = `line ${itemLine}: the value at \`${settings.pathText}\` is ${typeName(value)}, not an array or an object`;
      ready.push(malformedItem(jsonText(value), error, textPosition(index, itemLine, null, itemLine)));
    },
  });
  const tokenizer = new Tokenizer();
  tokenizer.onToken = (token: ParsedTokenInfo) => tree.token(token.token, token.value, token.offset);
  let written = 0;
  let last: Buffer = Buffer.alloc(0);
  let failure: { offset: number; detail: string } | undefined;
  try {
    for await (const chunk of input.chunks) {
      lines.chunk(chunk, written);
      last = chunk;
      try {
        tokenizer.write(chunk);
      } catch (error) {
        failure = syntaxFailure(error, written + chunk.length);
      }
      written += chunk.length;
      const items = ready;
      ready = [];
      for (const item of items) yield item;
      if (failure !== undefined) break;
    }
    if (failure === undefined) {
      lines.chunk(Buffer.alloc(0), written);
      try {
        tokenizer.end();
        tree.end(written);
      } catch (error) {
        failure = syntaxFailure(error, written);
      }
      for (const item of ready) yield item;
    }
    if (failure !== undefined) {
      const index = count.next++;
      if (index >= count.skip) {
        const line = lines.at(failure.offset);
        const chunkStart = written - last.length;
        const raw = last.toString("utf8", Math.max(0, failure.offset - ERROR_CONTEXT_BYTES - chunkStart), Math.min(last.length, failure.offset + 1 - chunkStart));
        yield malformedItem(raw, `invalid JSON on line ${line} (byte ${failure.offset}): ${failure.detail}; the rest of the input cannot be read`, textPosition(index, line, null, line));
      }
      return;
    }
    if (settings.path.length > 0 && tree.started && tree.targets === 0) {
      throw new SourceReadError(`${description}: no value at \`${settings.pathText}\``);
    }
  } finally {
    await input.stop();
  }
}

/** Where and why the JSON is broken; rethrows anything else. */
function syntaxFailure(error: unknown, fallbackOffset: number): { offset: number; detail: string } {
  if (error instanceof JsonShapeError) return { offset: error.offset, detail: error.message };
  if (error instanceof TokenizerError) {
    const unexpected = /^Unexpected "([\s\S])" at chunk position "\d+" \(absolute position "(\d+)"\)/.exec(error.message);
    if (unexpected !== null) return { offset: Number(unexpected[2]), detail: `unexpected character ${JSON.stringify(unexpected[1])}` };
    if (error.message.startsWith("Tokenizer ended in the middle of a token")) return { offset: fallbackOffset, detail: "the input ends inside a value" };
    return { offset: fallbackOffset, detail: error.message };
  }
  throw error;
}

/** A value as text for a malformed item (undefined when it was not kept). */
function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
