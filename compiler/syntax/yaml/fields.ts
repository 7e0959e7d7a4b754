/**
 * Typed reads of a mapping that already passed the shape check. A value of the wrong type here
 * means the schema and the lowering disagree, which is a bug in fsmc, so it throws.
 */
import type { Diagnostic } from "../../diagnostics/types.js";
import type { JsonObject } from "../../ir/index.js";
import type { Span } from "../../source/index.js";
import { entryOf, toJsonObject, type YEntry, type YMap, type YNode, type YScalar, type YSeq } from "./tree.js";

/** What every lowering function carries: the file and the diagnostics sink. */
export interface LowerContext {
  readonly file: string;
  readonly diagnostics: Diagnostic[];
}

/** A string value with the spans of its key and value. */
export interface Located<T> {
  readonly value: T;
  readonly span: Span;
  readonly keySpan: Span;
  readonly node: YNode;
}

function schemaBug(entry: YEntry, expected: string): never {
  throw new Error(`fsmc bug: \`${entry.key}\` passed the shape check but is not ${expected}`);
}

function scalarOf(entry: YEntry): YScalar {
  return entry.value.kind === "scalar" ? entry.value : schemaBug(entry, "a scalar");
}

/** A string value; absent when the key is missing or null. */
export function stringField(map: YMap, key: string): Located<string> | undefined {
  const entry = entryOf(map, key);
  if (!entry) return undefined;
  const scalar = scalarOf(entry);
  if (scalar.value === null) return undefined;
  if (typeof scalar.value !== "string") return schemaBug(entry, "a string");
  return { value: scalar.value, span: scalar.span, keySpan: entry.keySpan, node: scalar };
}

/** A number value; absent when the key is missing or null. */
export function numberField(map: YMap, key: string): Located<number> | undefined {
  const entry = entryOf(map, key);
  if (!entry) return undefined;
  const scalar = scalarOf(entry);
  if (scalar.value === null) return undefined;
  if (typeof scalar.value !== "number") return schemaBug(entry, "a number");
  return { value: scalar.value, span: scalar.span, keySpan: entry.keySpan, node: scalar };
}

/** A boolean value; absent when the key is missing. */
export function booleanField(map: YMap, key: string): Located<boolean> | undefined {
  const entry = entryOf(map, key);
  if (!entry) return undefined;
  const scalar = scalarOf(entry);
  if (typeof scalar.value !== "boolean") return schemaBug(entry, "a boolean");
  return { value: scalar.value, span: scalar.span, keySpan: entry.keySpan, node: scalar };
}

/** A mapping value; absent when the key is missing or null. */
export function mapField(map: YMap, key: string): Located<YMap> | undefined {
  const entry = entryOf(map, key);
  if (!entry || (entry.value.kind === "scalar" && entry.value.value === null)) return undefined;
  if (entry.value.kind !== "map") return schemaBug(entry, "a mapping");
  return { value: entry.value, span: entry.value.span, keySpan: entry.keySpan, node: entry.value };
}

/** A list value; absent when the key is missing or null. */
export function listField(map: YMap, key: string): Located<YSeq> | undefined {
  const entry = entryOf(map, key);
  if (!entry || (entry.value.kind === "scalar" && entry.value.value === null)) return undefined;
  if (entry.value.kind !== "seq") return schemaBug(entry, "a list");
  return { value: entry.value, span: entry.value.span, keySpan: entry.keySpan, node: entry.value };
}

/** A mapping value as plain JSON (`{}` when absent). */
export function jsonField(map: YMap, key: string): JsonObject {
  const m = mapField(map, key);
  return m ? toJsonObject(m.value) : {};
}

/** The mapping items of a list (the schema guarantees they are mappings). */
export function mapItems(seq: YSeq): YMap[] {
  return seq.items.map((item) => {
    if (item.kind !== "map") throw new Error("fsmc bug: a list item passed the shape check but is not a mapping");
    return item;
  });
}

/** The span of a whole `key: value` entry (the key alone when the value lives in another file). */
export function entrySpan(entry: YEntry): Span {
  const v = entry.value.span;
  if (v.file !== entry.keySpan.file || v.end < entry.keySpan.start) return entry.keySpan;
  return { file: v.file, start: entry.keySpan.start, end: Math.max(entry.keySpan.end, v.end) };
}
