import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BUILTIN_NAMES, builtin } from "../../../runtime/functions/registry.js";

// docs/builtins.md is the user reference: every name it shows must exist, and every example must build.
const doc = readFileSync(new URL("../../../docs/builtins.md", import.meta.url), "utf8");

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
});
