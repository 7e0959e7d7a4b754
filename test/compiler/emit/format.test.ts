/**
 * The fast formatter (indentation by brackets) against TypeScript's formatter: the same output
 * for every draft the emitters write (goldens, the orders example, a large machine), and a
 * fallback to TypeScript's formatter for what brackets alone cannot indent.
 */
import { describe, expect, it, vi } from "vitest";
import { emit } from "../../../compiler/emit/index.js";
import { formatTypeScript, formatWithLanguageService, indentByBrackets } from "../../../compiler/emit/format.js";
import { compileToIr } from "../../../compiler/pipeline.js";
import { caseInput, caseOptions, emitCases } from "./fixtures.js";

const drafts = vi.hoisted(() => [] as string[]);

vi.mock("../../../compiler/emit/format.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../compiler/emit/format.js")>();
  return {
    ...original,
    formatTypeScript: (text: string): string => {
      drafts.push(text);
      return original.formatTypeScript(text);
    },
  };
});

/** A machine of `n` states in a few networks, with records, inline code, registered functions and pushes. */
function largeMachine(n: number): string {
  const networks = 4;
  const per = Math.floor(n / networks);
  const lines = ["fsm big {", '  functions from "./big.functions.ts"', "  record Item { id: integer, n: number >= 0, name: string, tags?: string[], score?: number }"];
  for (let k = 0; k < networks; k++) {
    lines.push(`  network net${k} {`);
    for (let i = 0; i < per; i++) {
      const name = `s${k}_${i}`;
      if (i === per - 1) {
        lines.push(`    end state ${name}`);
        continue;
      }
      lines.push(i === 0 ? `    start state ${name}: Item {` : `    state ${name} {`);
      if (i % 5 === 1) lines.push(`      do \`({ ...data, score: (data.score ?? 0) + ${i} })\``);
      if (i % 7 === 2) lines.push(`      do step${i % 4}`);
      if (i % 11 === 3) lines.push(`      pre check${i % 3}`);
      if (k === 0 && i % 10 === 4) lines.push(`      -> push net${1 + (i % (networks - 1))} returns s${k}_${i + 1} when \`data.n > ${i}\` priority 2`);
      lines.push(`      -> s${k}_${Math.min(i + 2, per - 1)} when \`data.n % ${(i % 9) + 2} === 0\` priority 1`, `      -> s${k}_${i + 1}`, "    }");
    }
    lines.push("  }");
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

describe("formatTypeScript", () => {
  it("indents every draft of the emit goldens and a large machine exactly as TypeScript's formatter does", () => {
    drafts.length = 0;
    for (const name of emitCases()) {
      const { machines, symbols, report } = caseInput(name);
      emit(machines, symbols, report, caseOptions(name, machines));
    }
    const host = { readFile: () => undefined, env: {}, projectRoot: "/project" };
    const { machines, symbols, report } = compileToIr([{ path: "big.fsm", text: largeMachine(120) }], host);
    expect(machines && symbols && report).toBeTruthy();
    if (machines && symbols && report) emit(machines, symbols, report, {});
    expect(drafts.length).toBeGreaterThan(emitCases().length);
    for (const draft of drafts) {
      const fast = indentByBrackets(draft);
      expect(fast, "the bracket indenter handles every emitted draft").toBeDefined();
      expect(fast).toBe(formatWithLanguageService(draft));
    }
  });

  it("reads regular expressions, template literals and comments as tokens", () => {
    const draft = [
      "function f(key: string, at: string): string[] {",
      "// a comment with { and (",
      "const escaped = key.replace(/~/g, \"~0\").replace(/\\//g, \"~1\"); // trailing {",
      "const t = `${at}/${escaped}/{`;",
      "return [",
      "`${at}${{ a: 1 }.a}`,",
      "escaped.split(/[{(]/).join(\"}\"),",
      "];",
      "}",
      "",
    ].join("\n");
    expect(indentByBrackets(draft)).toBe(formatWithLanguageService(draft));
  });

  it("keeps a top-level multi-line doc comment as is", () => {
    const draft = "/**\n * A doc.\n *\n * More.\n */\nexport interface A {\n/** One line. */\na: string;\n}\n";
    expect(indentByBrackets(draft)).toBe(formatWithLanguageService(draft));
  });

  it("puts several brackets opened on one line at one level", () => {
    const draft = "const x = f({\na: [{\nb: 1,\n}, {\nb: 2,\n}],\n}, [\n1,\n]);\n";
    expect(indentByBrackets(draft)).toBe(formatWithLanguageService(draft));
  });

  it.each([
    ["a continuation line", "const x =\n1 + 2;\n"],
    ["an unbraced statement", "if (x)\nf();\n"],
    ["a chained call on its own line", "const y = a\n.b();\n"],
    ["case clauses", "switch (x) {\ncase 1:\nf();\nbreak;\ndefault:\ng();\n}\n"],
    ["a nested multi-line comment", "function f() {\n/**\n * doc\n */\nreturn 1;\n}\n"],
    ["code after a multi-line comment", "/**\n * doc\n */ export const a = 1;\n"],
    ["a multi-line template literal", "const s = `a\n  b`;\n"],
    ["unbalanced brackets", "const a = [1, 2;\n"],
  ])("leaves %s to TypeScript's formatter", (_what, draft) => {
    expect(indentByBrackets(draft)).toBeUndefined();
    expect(formatTypeScript(draft)).toBe(formatWithLanguageService(draft));
  });
});
