/**
 * Parses one YAML (or JSON) text with the `yaml` library and converts the document into a
 * plain `YNode` tree with spans. Anchors and aliases are expanded, `<<` merge keys are applied
 * (explicit keys win), scalar keys are stringified. Reports FSM0101–FSM0104.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node as YamlNode,
  type Pair,
  type Scalar,
} from "yaml";
import type { Diagnostic } from "../../diagnostics/types.js";
import {
  multipleDocuments,
  unsupportedYamlConstruct,
  yamlSyntaxError,
  yamlWarning,
} from "../../diagnostics/factories/yaml.js";
import type { SourceFile, Span } from "../../source/index.js";
import type { YEntry, YMap, YNode, YScalar } from "./tree.js";

/** Expanded aliases may not multiply a document beyond this many nodes ("billion laughs"). */
const MAX_EXPANDED_NODES = 200_000;

/** Parses `file` into a tree; the tree is absent when the text has errors. */
export function parseYamlText(file: SourceFile): { tree: YNode | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const doc = parseDocument(file.text, { merge: true, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
  // The yaml library may report an end one past the text (an unterminated scalar at EOF): clamp.
  const clamp = (n: number) => Math.max(0, Math.min(n, file.text.length));
  const at = (pos: readonly [number, number]): Span => ({ file: file.path, start: clamp(pos[0]), end: clamp(Math.max(pos[0], pos[1])) });
  for (const error of doc.errors) {
    if (error.code === "MULTIPLE_DOCS") diagnostics.push(multipleDocuments(secondDocumentSpan(file, error.pos)));
    else diagnostics.push(yamlSyntaxError(error.message, error.code, at(error.pos)));
  }
  for (const warning of doc.warnings) diagnostics.push(yamlWarning(warning.message, warning.code, at(warning.pos)));
  if (diagnostics.some((d) => d.severity === "error")) return { tree: undefined, diagnostics };
  const converter = new Converter(file, doc, diagnostics);
  const tree = converter.convert(doc.contents, { file: file.path, start: 0, end: 0 });
  return { tree: diagnostics.some((d) => d.severity === "error") ? undefined : tree, diagnostics };
}

/** The `---` that starts the second document (the library reports the whole extra range). */
function secondDocumentSpan(file: SourceFile, pos: readonly [number, number]): Span {
  const match = /^---/m.exec(file.text.slice(pos[0]));
  const start = match ? pos[0] + match.index : pos[0];
  const end = match ? start + 3 : Math.max(start, pos[1]);
  return { file: file.path, start: Math.min(start, file.text.length), end: Math.min(end, file.text.length) };
}

class Converter {
  readonly #file: SourceFile;
  readonly #doc: Document;
  readonly #diagnostics: Diagnostic[];
  readonly #memo = new Map<YamlNode, { node: YNode; size: number }>();
  readonly #active = new Set<YamlNode>();
  #expanded = 0;
  #tooLarge = false;

  constructor(file: SourceFile, doc: Document, diagnostics: Diagnostic[]) {
    this.#file = file;
    this.#doc = doc;
    this.#diagnostics = diagnostics;
  }

  /** Converts a node; `fallback` is the span used for an empty value (`key:` with nothing after it). */
  convert(node: unknown, fallback: Span): YNode {
    return this.#convert(node, fallback).node;
  }

  #span(node: { range?: readonly [number, number, number] | null | undefined }, fallback: Span): Span {
    const range = node.range;
    if (!range) return fallback;
    return { file: this.#file.path, start: range[0], end: Math.max(range[0], range[1]) };
  }

  #convert(node: unknown, fallback: Span): { node: YNode; size: number } {
    if (node === null || node === undefined) return { node: { kind: "scalar", value: null, span: fallback }, size: 1 };
    if (isAlias(node)) {
      const target = node.resolve(this.#doc);
      if (!target) {
        this.#diagnostics.push(unsupportedYamlConstruct(`unknown alias \`*${node.source}\``, this.#span(node, fallback)));
        return { node: { kind: "scalar", value: null, span: this.#span(node, fallback) }, size: 1 };
      }
      if (this.#active.has(target)) {
        this.#diagnostics.push(unsupportedYamlConstruct(`alias \`*${node.source}\` refers to a node that contains it`, this.#span(node, fallback)));
        return { node: { kind: "scalar", value: null, span: this.#span(node, fallback) }, size: 1 };
      }
      const converted = this.#convert(target, this.#span(node, fallback));
      this.#count(converted.size, node, fallback);
      return converted;
    }
    if (typeof node !== "object") return { node: { kind: "scalar", value: null, span: fallback }, size: 1 };
    const yamlNode = node as YamlNode;
    const memo = this.#memo.get(yamlNode);
    if (memo) return memo;
    this.#active.add(yamlNode);
    const result = this.#convertNew(yamlNode, fallback);
    this.#active.delete(yamlNode);
    this.#memo.set(yamlNode, result);
    return result;
  }

  #count(size: number, node: YamlNode, fallback: Span): void {
    this.#expanded += size;
    if (this.#expanded > MAX_EXPANDED_NODES && !this.#tooLarge) {
      this.#tooLarge = true;
      this.#diagnostics.push(
        unsupportedYamlConstruct(
          `aliases expand the document beyond ${MAX_EXPANDED_NODES} nodes`,
          this.#span(node, fallback),
          "use fewer nested aliases",
        ),
      );
    }
  }

  #convertNew(node: YamlNode, fallback: Span): { node: YNode; size: number } {
    const span = this.#span(node, fallback);
    if (isMap(node)) {
      const entries: YEntry[] = [];
      const merged: YEntry[][] = [];
      let size = 1;
      for (const pair of node.items) {
        const keyNode = pair.key;
        if (isScalar(keyNode) && typeof keyNode.value === "symbol") {
          const sources = this.#mergeSources(pair, span);
          merged.push(sources.flatMap((m) => m.entries));
          continue;
        }
        const key = this.#key(pair, span);
        if (key === undefined) continue;
        const valueFallback = { file: this.#file.path, start: key.span.end, end: key.span.end };
        const value = this.#convert(pair.value, valueFallback);
        size += value.size;
        entries.push({ key: key.name, keySpan: key.span, value: value.node });
      }
      // YAML merge keys: explicit keys win, then earlier merged mappings win over later ones.
      for (const group of merged) {
        for (const e of group) if (!entries.some((x) => x.key === e.key)) entries.push(e);
      }
      return { node: { kind: "map", entries, span }, size };
    }
    if (isSeq(node)) {
      let size = 1;
      const items = node.items.map((item) => {
        const converted = this.#convert(item, { file: this.#file.path, start: span.end, end: span.end });
        size += converted.size;
        return converted.node;
      });
      return { node: { kind: "seq", items, span }, size };
    }
    if (isScalar(node)) return { node: this.#scalar(node, span), size: 1 };
    this.#diagnostics.push(unsupportedYamlConstruct("unsupported YAML node", span));
    return { node: { kind: "scalar", value: null, span }, size: 1 };
  }

  #mergeSources(pair: Pair, fallback: Span): YMap[] {
    const value = pair.value;
    const sources = isSeq(value) ? value.items : [value];
    const maps: YMap[] = [];
    for (const source of sources) {
      const converted = this.#convert(source, fallback).node;
      if (converted.kind === "map") maps.push(converted);
      else this.#diagnostics.push(unsupportedYamlConstruct("a `<<` merge key needs a mapping or a list of mappings", converted.span));
    }
    return maps;
  }

  #key(pair: Pair, fallback: Span): { name: string; span: Span } | undefined {
    const keyNode = pair.key;
    if (isScalar(keyNode)) {
      const span = this.#span(keyNode, fallback);
      const v = keyNode.value;
      if (typeof v === "string") return { name: v, span };
      if (typeof v === "number" || typeof v === "boolean" || v === null) return { name: String(v), span };
      this.#diagnostics.push(unsupportedYamlConstruct("unsupported mapping key", span));
      return undefined;
    }
    if (keyNode === null || keyNode === undefined) {
      return { name: "null", span: fallback };
    }
    const span = typeof keyNode === "object" && keyNode !== null && "range" in keyNode ? this.#span(keyNode as YamlNode, fallback) : fallback;
    this.#diagnostics.push(
      unsupportedYamlConstruct("a mapping key must be a scalar", span, "use a string key; complex keys (`? [a, b]`) have no JSON equivalent"),
    );
    return undefined;
  }

  #scalar(node: Scalar, span: Span): YScalar {
    const v: unknown = node.value;
    if (typeof v === "string") {
      const textMap = this.#textMap(node, v, span);
      return textMap ? { kind: "scalar", value: v, span, textMap } : { kind: "scalar", value: v, span };
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) {
        this.#diagnostics.push(unsupportedYamlConstruct(`the number \`${node.source ?? String(v)}\` has no JSON equivalent`, span, "use a finite number"));
        return { kind: "scalar", value: null, span };
      }
      return { kind: "scalar", value: v, span };
    }
    if (typeof v === "boolean" || v === null) return { kind: "scalar", value: v, span };
    this.#diagnostics.push(unsupportedYamlConstruct(`unsupported scalar value \`${String(node.source ?? v)}\``, span));
    return { kind: "scalar", value: null, span };
  }

  /** Exact character positions of a string value, when the source spells it out one to one. */
  #textMap(node: Scalar, value: string, span: Span): (readonly [number, number])[] | undefined {
    const text = this.#file.text;
    const raw = text.slice(span.start, span.end);
    switch (node.type) {
      case "PLAIN":
        return raw === value ? [[0, span.start]] : undefined;
      case "QUOTE_SINGLE":
      case "QUOTE_DOUBLE":
        return raw.length >= 2 && raw.slice(1, -1) === value ? [[0, span.start + 1]] : undefined;
      case "BLOCK_LITERAL":
        return literalBlockMap(text, span, value);
      default:
        return undefined;
    }
  }
}

/** Maps each line of a literal block scalar's value to where that line's text starts in the source. */
function literalBlockMap(text: string, span: Span, value: string): (readonly [number, number])[] | undefined {
  const headerEnd = text.indexOf("\n", span.start);
  if (headerEnd < 0 || headerEnd >= span.end) return undefined;
  const segments: (readonly [number, number])[] = [];
  let sourceLine = headerEnd + 1;
  let valueOffset = 0;
  const lines = value.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const line of lines) {
    if (sourceLine > text.length) return undefined;
    let lineEnd = text.indexOf("\n", sourceLine);
    if (lineEnd < 0) lineEnd = text.length;
    const source = text.slice(sourceLine, lineEnd).replace(/\r$/, "");
    if (line.length > 0) {
      if (!source.endsWith(line) || !/^[ ]*$/.test(source.slice(0, source.length - line.length))) return undefined;
      segments.push([valueOffset, sourceLine + source.length - line.length]);
    }
    valueOffset += line.length + 1;
    sourceLine = lineEnd + 1;
  }
  return segments.length > 0 ? segments : undefined;
}
