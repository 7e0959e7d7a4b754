/** The `fsm` code blocks of docs/dsl.md parse: whole machines as they are, fragments wrapped. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { frontEnd } from "./dsl-support.js";

const doc = readFileSync(fileURLToPath(new URL("../../../../docs/dsl.md", import.meta.url)), "utf8");
const blocks = [...doc.matchAll(/^(`{3,4})fsm\n([\s\S]*?)^\1$/gm)].map((m) => m[2] ?? "");

function wrap(block: string): string {
  const first = block.replace(/^(\s*(\/\/[^\n]*)?\n)*/, "").trimStart();
  if (/^fsm\b/.test(first)) return block;
  if (/^(record|resource)\b/.test(first)) return `fsm m {\n${block}\nnetwork main { start end state s }\n}`;
  if (/^(\/\/\/|start|end|state)\b/.test(first)) return `fsm m {\n network main {\n${block}\n }\n}`;
  return `fsm m {\n network main {\n  start state s {\n${block}\n  }\n }\n}`;
}

describe("docs/dsl.md", () => {
  it("has fsm examples", () => {
    expect(blocks.length).toBeGreaterThan(8);
  });

  blocks.forEach((block, i) => {
    const complete = !block.includes("…");
    it.runIf(complete)(`example ${i + 1} parses and lowers without errors`, () => {
      const r = frontEnd(wrap(block));
      expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
    });
  });
});
