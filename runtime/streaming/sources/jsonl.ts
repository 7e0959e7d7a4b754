/**
 * JSONL (newline-delimited JSON): one JSON object per non-blank line. A line that is not JSON, or
 * is JSON but not an object, is a malformed item (decision Q23), never skipped.
 */
import type { SourceItem, SourcePosition } from "../types.js";
import type { ByteInput } from "./bytes.js";
import { isBlank, lineItems } from "./lines.js";
import { isRecordObject, type ItemChunk, malformedItem, recordItem, type ReadStart, typeName } from "./source.js";

/** The items of a JSONL input. */
export function jsonlItems(input: ByteInput, start: ReadStart): AsyncGenerator<ItemChunk, void, undefined> {
  return lineItems(input, start, (text) => !isBlank(text), jsonlItem);
}

/** One line's item: its object, or why it is not one. */
function jsonlItem(text: string, position: SourcePosition): SourceItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return malformedItem(text, `invalid JSON on line ${position.line}: ${error.message}`, position);
  }
  if (!isRecordObject(value)) return malformedItem(text, `line ${position.line}: a record must be an object, got ${typeName(value)}`, position);
  return recordItem(value, position);
}
