/**
 * Plain text: one record `{ [textField]: line }` per line, line ends (LF, CR LF) removed. Blank
 * lines (empty or only whitespace) are skipped, and still counted in line numbers, unless
 * `keepEmpty`.
 */
import type { SourceItem } from "../types.js";
import type { ByteInput } from "./bytes.js";
import { isBlank, lineItems } from "./lines.js";
import { recordItem, setField, type ReadStart, type ItemChunk } from "./source.js";

/** How text lines become records. */
export interface TextSettings {
  readonly textField: string;
  readonly keepEmpty: boolean;
}

/** The items of a text input. */
export function textItems(input: ByteInput, start: ReadStart, settings: TextSettings): AsyncGenerator<ItemChunk, void, undefined> {
  const { textField, keepEmpty } = settings;
  return lineItems(
    input,
    start,
    (text) => keepEmpty || !isBlank(text),
    (text, position) => {
      const record: Record<string, unknown> = {};
      setField(record, textField, text);
      return recordItem(record, position);
    },
  );
}
