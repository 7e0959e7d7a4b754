/**
 * `$include` and `$import` (SEMANTICS §1.3). `$include: path` merges the included mapping's keys
 * where the enclosing mapping lacks them (at the place of the `$include` key); `$import: {file,
 * path}` replaces the enclosing mapping with the value at the dotted `path` of `file`. Paths are
 * relative to the file holding the reference, env-substituted, and must stay inside the project
 * root; a file being resolved that is referenced again down the chain is a cycle. Resolved files
 * are cached per load, so a fragment used twice is read and reported once. Reports FSM0110–FSM0114.
 */
import type { Diagnostic } from "../../diagnostics/types.js";
import {
  importDiscardsKeys,
  includeCycle,
  includeNotFound,
  includePathEscape,
  invalidInclude,
} from "../../diagnostics/factories/yaml.js";
import type { Span } from "../../source/index.js";
import { substituteScalar, type Env } from "./env.js";
import { resolveProjectPath, type YamlHost } from "./host.js";
import { parseYamlText } from "./parse.js";
import { describeNode, entryOf, type YEntry, type YMap, type YNode, type YScalar } from "./tree.js";

const INCLUDE = "$include";
const IMPORT = "$import";
const READABLE = /\.(ya?ml|json)$/i;

/** Resolves every file reference of a tree; remembers the files it read. */
export class ReferenceResolver {
  readonly #host: YamlHost;
  readonly #diagnostics: Diagnostic[];
  readonly #cache = new Map<string, YNode | undefined>();
  readonly #files: string[] = [];

  constructor(host: YamlHost, diagnostics: Diagnostic[]) {
    this.#host = host;
    this.#diagnostics = diagnostics;
  }

  /** Every file read so far (the entry file first), in reading order. */
  get files(): readonly string[] {
    return this.#files;
  }

  /** Resolves the references of the entry file's tree. */
  resolveEntry(path: string, tree: YNode): YNode {
    this.#files.push(path);
    const resolved = this.#resolveNode(tree, [path]);
    this.#cache.set(path, resolved);
    return resolved;
  }

  get #env(): Env {
    return this.#host.env;
  }

  #resolveNode(node: YNode, chain: readonly string[]): YNode {
    switch (node.kind) {
      case "scalar":
        return node;
      case "seq":
        return { ...node, items: node.items.map((item) => this.#resolveNode(item, chain)) };
      case "map":
        return this.#resolveMap(node, chain);
    }
  }

  #resolveMap(map: YMap, chain: readonly string[]): YNode {
    const importEntry = entryOf(map, IMPORT);
    if (importEntry) {
      const siblings = map.entries.filter((e) => e.key !== IMPORT);
      if (siblings.length > 0) {
        this.#diagnostics.push(importDiscardsKeys(siblings.map((e) => ({ name: e.key, span: e.keySpan })), importEntry.keySpan));
      }
      return this.#import(importEntry, map, chain);
    }
    const entries: YEntry[] = [];
    const local = new Set(map.entries.map((e) => e.key));
    for (const entry of map.entries) {
      if (entry.key !== INCLUDE) {
        entries.push({ ...entry, value: this.#resolveNode(entry.value, chain) });
        continue;
      }
      const included = this.#include(entry, chain);
      if (!included) continue;
      // Local keys win wherever they are written; included keys take the `$include` position.
      for (const e of included.entries) {
        if (!local.has(e.key) && e.key !== INCLUDE) {
          entries.push(e);
          local.add(e.key);
        }
      }
    }
    return { ...map, entries };
  }

  #include(entry: YEntry, chain: readonly string[]): YMap | undefined {
    const pathNode = entry.value;
    if (pathNode.kind !== "scalar" || typeof pathNode.value !== "string" || pathNode.value === "") {
      this.#diagnostics.push(
        invalidInclude(`\`$include\` needs a file path as a string, got ${describeNode(pathNode)}`, pathNode.span, "write `$include: fragment.yaml`"),
      );
      return undefined;
    }
    const loaded = this.#load(INCLUDE, pathNode, chain);
    if (!loaded) return undefined;
    if (loaded.tree.kind !== "map") {
      this.#diagnostics.push(
        invalidInclude(`\`$include\` needs a file whose content is a mapping; \`${loaded.path}\` holds ${describeNode(loaded.tree)}`, pathNode.span, "use `$import` to insert a value that is not a mapping"),
      );
      return undefined;
    }
    return loaded.tree;
  }

  #import(entry: YEntry, map: YMap, chain: readonly string[]): YNode {
    const spec = entry.value;
    const empty: YMap = { kind: "map", entries: [], span: map.span };
    if (spec.kind !== "map") {
      this.#diagnostics.push(
        invalidInclude(`\`$import\` needs a mapping \`{file, path}\`, got ${describeNode(spec)}`, spec.span, "write `$import: {file: shared.yaml, path: a.b}`"),
      );
      return empty;
    }
    for (const e of spec.entries) {
      if (e.key !== "file" && e.key !== "path") {
        this.#diagnostics.push(invalidInclude(`unknown key \`${e.key}\` in \`$import\``, e.keySpan, "`$import` takes `file` and, optionally, `path`"));
      }
    }
    const file = entryOf(spec, "file");
    if (!file) {
      this.#diagnostics.push(invalidInclude("`$import` needs a `file` key", entry.keySpan, "write `$import: {file: shared.yaml, path: a.b}`"));
      return empty;
    }
    if (file.value.kind !== "scalar" || typeof file.value.value !== "string" || file.value.value === "") {
      this.#diagnostics.push(invalidInclude(`\`$import\` \`file\` must be a path string, got ${describeNode(file.value)}`, file.value.span));
      return empty;
    }
    const loaded = this.#load(IMPORT, file.value, chain);
    if (!loaded) return empty;
    const pathEntry = entryOf(spec, "path");
    if (!pathEntry) return loaded.tree;
    const dotted = pathEntry.value;
    if (dotted.kind !== "scalar" || typeof dotted.value !== "string") {
      this.#diagnostics.push(invalidInclude(`\`$import\` \`path\` must be a dotted string, got ${describeNode(dotted)}`, dotted.span));
      return empty;
    }
    return this.#walkPath(loaded.tree, dotted.value, loaded.path, dotted.span) ?? empty;
  }

  #walkPath(tree: YNode, dotted: string, file: string, span: Span): YNode | undefined {
    let node = tree;
    const segments = dotted === "" ? [] : dotted.split(".");
    for (const [i, segment] of segments.entries()) {
      let next: YNode | undefined;
      if (node.kind === "map") next = entryOf(node, segment)?.value;
      else if (node.kind === "seq" && /^\d+$/.test(segment)) next = node.items[Number(segment)];
      if (next === undefined) {
        const where = segments.slice(0, i).join(".");
        this.#diagnostics.push(
          invalidInclude(
            `\`$import\` path \`${dotted}\` not found in \`${file}\`: no \`${segment}\`${where === "" ? " at the top level" : ` under \`${where}\``}`,
            span,
          ),
        );
        return undefined;
      }
      node = next;
    }
    return node;
  }

  /** Reads, parses and resolves the referenced file (cached); reports path, cycle and read errors. */
  #load(directive: string, pathNode: YScalar, chain: readonly string[]): { path: string; tree: YNode } | undefined {
    const substituted = substituteScalar(pathNode, this.#env, this.#diagnostics);
    const reference = typeof substituted.value === "string" ? substituted.value : "";
    if (reference.includes("${")) return undefined; // an unset variable, already reported
    const from = chain[chain.length - 1] ?? "";
    const path = resolveProjectPath(from, reference, this.#host.projectRoot);
    if (path === undefined) {
      this.#diagnostics.push(includePathEscape(directive, reference, pathNode.span));
      return undefined;
    }
    if (!READABLE.test(path)) {
      this.#diagnostics.push(invalidInclude(`\`${directive}\` can only read \`.yaml\`, \`.yml\` or \`.json\` files, not \`${reference}\``, pathNode.span));
      return undefined;
    }
    if (chain.includes(path)) {
      this.#diagnostics.push(includeCycle(directive, [...chain.slice(chain.indexOf(path)), path], pathNode.span));
      return undefined;
    }
    if (this.#cache.has(path)) {
      const cached = this.#cache.get(path);
      return cached ? { path, tree: cached } : undefined;
    }
    const text = this.#host.readFile(path);
    if (text === undefined) {
      this.#diagnostics.push(includeNotFound(directive, reference, pathNode.span));
      this.#cache.set(path, undefined);
      return undefined;
    }
    this.#files.push(path);
    const parsed = parseYamlText({ path, text });
    this.#diagnostics.push(...parsed.diagnostics);
    const tree = parsed.tree ? this.#resolveNode(parsed.tree, [...chain, path]) : undefined;
    this.#cache.set(path, tree);
    return tree ? { path, tree } : undefined;
  }
}
