/**
 * A plain, span-carrying tree of one YAML document after parsing: mappings, sequences and
 * scalars. It replaces the `yaml` library's nodes right after parsing, so includes, env
 * substitution, shape checks and lowering work on plain data whose spans may point into
 * several files (content pulled in by `$include` keeps the span of the file it came from).
 */
import type { Span } from "../../source/index.js";
import type { ConfigSpan, JsonObject, JsonValue } from "../../ir/index.js";

/** A YAML node. */
export type YNode = YMap | YSeq | YScalar;

/** A mapping; keys are strings (scalar keys are stringified), in source order. */
export interface YMap {
  readonly kind: "map";
  readonly entries: readonly YEntry[];
  readonly span: Span;
}

/** One `key: value` pair of a mapping. */
export interface YEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: YNode;
}

/** A sequence. */
export interface YSeq {
  readonly kind: "seq";
  readonly items: readonly YNode[];
  readonly span: Span;
}

/** A scalar value. */
export interface YScalar {
  readonly kind: "scalar";
  readonly value: string | number | boolean | null;
  readonly span: Span;
  /**
   * Where the characters of a string value sit in the source, as `[value offset, source offset]`
   * segment starts; present only when every character maps one to one (plain or quoted scalars
   * without escapes, literal block scalars), so sub-spans of the value are exact.
   */
  readonly textMap?: readonly (readonly [number, number])[];
  /** Set when environment substitution changed the value (such strings may be coerced to numbers). */
  readonly fromEnv?: true;
}

/** The entry for `key`, if the mapping has it. */
export function entryOf(map: YMap, key: string): YEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** The value for `key`, if the mapping has it. */
export function valueOf(map: YMap, key: string): YNode | undefined {
  return entryOf(map, key)?.value;
}

/** Human name of a node's type for messages: "a mapping", "a list", "string `x`", "number 3". */
export function describeNode(node: YNode): string {
  switch (node.kind) {
    case "map":
      return "a mapping";
    case "seq":
      return "a list";
    case "scalar": {
      const v = node.value;
      if (v === null) return "null";
      if (typeof v === "string") return v.length > 40 ? "a string" : `string \`${v}\``;
      return `${typeof v} \`${String(v)}\``;
    }
  }
}

/** The plain JSON value of a node. */
export function toJson(node: YNode): JsonValue {
  switch (node.kind) {
    case "map": {
      const out: Record<string, JsonValue> = {};
      for (const e of node.entries) out[e.key] = toJson(e.value);
      return out;
    }
    case "seq":
      return node.items.map(toJson);
    case "scalar":
      return node.value;
  }
}

/** The plain JSON object of a mapping node. */
export function toJsonObject(node: YMap): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const e of node.entries) out[e.key] = toJson(e.value);
  return out;
}

/** One segment of a JSON pointer (`~` → `~0`, `/` → `~1`). */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Where each key and value under a mapping was written, by JSON pointer (`/pool/max`; list items by index). */
export function configSpansOf(map: YMap): Record<string, ConfigSpan> {
  const out: Record<string, ConfigSpan> = {};
  const visit = (node: YNode, pointer: string): void => {
    if (node.kind === "map") {
      for (const e of node.entries) {
        const at = `${pointer}/${pointerSegment(e.key)}`;
        // A repeated key: the last one's value is kept (toJson), so its place wins.
        out[at] = { key: e.keySpan, value: e.value.span };
        visit(e.value, at);
      }
    } else if (node.kind === "seq") {
      node.items.forEach((item, i) => {
        out[`${pointer}/${i}`] = { key: item.span, value: item.span };
        visit(item, `${pointer}/${i}`);
      });
    }
  };
  visit(map, "");
  return out;
}

/** The node at a JSON pointer (`/networks/0/states`), plus the entry holding it when it is a mapping value. */
export function nodeAtPointer(root: YNode, pointer: string): { node: YNode; entry?: YEntry } | undefined {
  if (pointer === "") return { node: root };
  let node: YNode = root;
  let entry: YEntry | undefined;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node.kind === "map") {
      entry = entryOf(node, segment);
      if (!entry) return undefined;
      node = entry.value;
    } else if (node.kind === "seq") {
      const item: YNode | undefined = node.items[Number(segment)];
      if (item === undefined || !/^\d+$/.test(segment)) return undefined;
      node = item;
      entry = undefined;
    } else {
      return undefined;
    }
  }
  return entry ? { node, entry } : { node };
}

/** Span of characters `[from, to)` of a string scalar's value; the whole scalar when not mappable. */
export function valueSubSpan(scalar: YScalar, from: number, to: number): Span {
  const map = scalar.textMap;
  if (!map || map.length === 0 || typeof scalar.value !== "string") return scalar.span;
  const at = (offset: number): number => {
    let segment = map[0] ?? [0, scalar.span.start];
    for (const s of map) if (s[0] <= offset) segment = s;
    return segment[1] + (offset - segment[0]);
  };
  const start = at(Math.max(0, Math.min(from, scalar.value.length)));
  const end = to <= from ? start : at(Math.max(0, Math.min(to, scalar.value.length) - 1)) + 1;
  return { file: scalar.span.file, start, end: Math.max(start, end) };
}

/** Span of a string scalar's text itself (from its first character); the whole scalar when not mappable. */
export function valueTextSpan(scalar: YScalar): Span {
  if (typeof scalar.value !== "string" || scalar.value.length === 0) return scalar.span;
  return valueSubSpan(scalar, 0, scalar.value.length);
}

/** The smallest span that points at a node: a mapping points at its first key. */
export function headSpan(node: YNode): Span {
  if (node.kind === "map") {
    const first = node.entries[0];
    if (first && first.keySpan.file === node.span.file && first.keySpan.start >= node.span.start) {
      return { file: node.span.file, start: node.span.start, end: first.keySpan.end };
    }
  }
  return node.span;
}
