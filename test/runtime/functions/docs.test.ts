import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { check } from "../../../compiler/check/index.js";
import { lowerDsl, parseDsl } from "../../../compiler/syntax/dsl/index.js";
import { BUILTIN_NAMES, builtin } from "../../../runtime/functions/registry.js";

// docs/builtins.md is the user reference: every name it shows must exist, and every example must build.
const doc = readFileSync(new URL("../../../docs/builtins.md", import.meta.url), "utf8");

/** The fenced code blocks of the doc, with their language tag ("" when untagged). */
function fencedBlocks(text: string): { lang: string; body: string }[] {
  const blocks: { lang: string; body: string }[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of text.split("\n")) {
    const fence = /^```(\w*)\s*$/.exec(line);
    if (open === undefined) {
      if (fence) open = { lang: fence[1] ?? "", lines: [] };
    } else if (fence && fence[1] === "") {
      blocks.push({ lang: open.lang, body: open.lines.join("\n") });
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  return blocks;
}

/** The `fsm` code blocks, each a whole machine or a fragment (a state, or items of a state). */
const dslBlocks = fencedBlocks(doc)
  .filter((b) => b.lang === "fsm")
  .map((b) => b.body);

/** A fragment wrapped into a machine, as docs/dsl.md's test does; a whole machine as it is. */
function wrap(block: string): string {
  const first = block.trimStart();
  if (/^fsm\b/.test(first)) return block;
  if (/^(start|end|state)\b/.test(first)) return `fsm m {\n network main {\n start state s { -> route }\n${block}\n }\n}`;
  return `fsm m {\n network main {\n  start state s {\n${block}\n  }\n }\n}`;
}

/** Check codes about builtins: unknown name, wrong slot, bad params, bad pattern. */
const BUILTIN_CHECK_CODES = new Set(["FSM0214", "FSM0308", "FSM0309", "FSM0313"]);

describe("docs/builtins.md", () => {
  it("lists every builtin in its table", () => {
    for (const name of BUILTIN_NAMES) expect(doc, name).toContain(`| [\`${name}\`]`);
  });

  it("mentions only builtins that exist", () => {
    const mentioned = new Set(doc.match(/\b(?:validators|transformers)\.[A-Za-z_]+/g) ?? []);
    const unknown = [...mentioned].filter((name) => !BUILTIN_NAMES.includes(name) && name !== "validators.does_not_exist");
    expect(unknown).toEqual([]);
  });

  it("has YAML examples that build", () => {
    const references = doc.match(/\{type: builtin, name: [^,}]+(?:, params: \{.*\})?\}/g) ?? [];
    expect(references.length).toBeGreaterThanOrEqual(6);
    for (const text of references) {
      const reference = parse(text) as { name: string; params?: Record<string, unknown> };
      expect(() => builtin(reference.name, reference.params), text).not.toThrow();
    }
  });

  it("has DSL examples that build", () => {
    const uses = [...doc.matchAll(/\bbuiltin ((?:validators|transformers)\.\w+) (\{.*\})$/gm)];
    expect(uses.length).toBeGreaterThanOrEqual(6);
    for (const [text, name, params] of uses) {
      // DSL params are an object literal with bare keys; quoting the keys gives JSON.
      const json = (params ?? "").replace(/([{,]\s*)(\w+):/g, '$1"$2":');
      expect(() => builtin(name ?? "", JSON.parse(json) as Record<string, unknown>), text).not.toThrow();
    }
  });

  it("has DSL examples in fsm blocks, and no DSL example outside one", () => {
    expect(dslBlocks.length).toBeGreaterThanOrEqual(6);
    const untagged = fencedBlocks(doc).filter((b) => b.lang === "" && /\b(?:validators|transformers)\.\w+\s*\{/.test(b.body));
    expect(untagged).toEqual([]);
  });

  it.each(dslBlocks.map((block, i) => [i + 1, block] as const))("DSL example %i parses, lowers and uses its builtins correctly", (_i, block) => {
    const parsed = parseDsl({ path: "builtins.md.fsm", text: wrap(block) });
    expect(parsed.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    if (parsed.value === undefined) throw new Error("no syntax tree although parsing reported no error");
    const lowered = lowerDsl(parsed.value);
    expect(lowered.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    // Fragments name states they do not define (`-> adult`); only the builtin checks apply to them.
    const checked = check(lowered.value ?? []);
    const complete = /^fsm\b/.test(block.trimStart());
    const relevant = checked.diagnostics.filter((d) => complete || BUILTIN_CHECK_CODES.has(d.code));
    expect(relevant.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });
});
