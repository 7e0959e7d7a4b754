/**
 * Property tests: whatever the text, the YAML front end never throws; it only reports registered
 * diagnostics, each with exactly one primary label inside its file. Inputs are random edits of
 * the YAML fixtures (delete, insert, duplicate and swap characters, lines and YAML punctuation).
 * Runs are bounded; a failure prints its seed.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CODES } from "../../../../compiler/diagnostics/codes.js";
import { compileYaml, directoryHost } from "./support.js";

/** Fixed seed keeps CI deterministic; set FSMC_FUZZ_SEED to explore other inputs locally. */
const SEED = Number(process.env["FSMC_FUZZ_SEED"] ?? 20_261_125);

const fixtures = fileURLToPath(new URL("../../../fixtures/yaml/", import.meta.url));
const cases = readdirSync(fixtures)
  .sort()
  .map((d) => join(fixtures, d))
  .filter((d) => existsSync(join(d, "input.yaml")))
  .map((dir) => ({ dir, text: readFileSync(join(dir, "input.yaml"), "utf8") }));

const PIECES = [
  ":", ": ", "- ", "-", "{", "}", "[", "]", ",", "'", '"', "#", "&a ", "*a", "!!str ", "|\n", ">\n", "? ", "---\n", "...\n",
  "\n", "  ", "\t", "$include: x.yaml", "$import: {file: x.yaml}", "${X}", "${X:-d}", "${X:?m}", "lambda data: data", "null",
  "true", "1e999", "-1", "states:", "arcs:", "networks:", "is_start: true", "is_end: true", "target_network: sub", "code: ",
  "type: inline", "type: builtin", "é", "\u0000", "\uFEFF",
];

const editArb = (length: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(length), size: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(length), text: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 4 })) }),
    fc.record({ kind: fc.constant("dupLine" as const), at: fc.nat(length), size: fc.constant(0) }),
    fc.record({ kind: fc.constant("swap" as const), at: fc.nat(length), size: fc.integer({ min: 1, max: 20 }) }),
  );

type Edit = { kind: "delete" | "dupLine" | "swap"; at: number; size: number } | { kind: "insert"; at: number; text: string };

function apply(text: string, edit: Edit): string {
  const at = Math.min(edit.at, text.length);
  switch (edit.kind) {
    case "delete":
      return text.slice(0, at) + text.slice(at + edit.size);
    case "insert":
      return text.slice(0, at) + edit.text + text.slice(at);
    case "dupLine": {
      const start = text.lastIndexOf("\n", at - 1) + 1;
      const end = text.indexOf("\n", at);
      const line = text.slice(start, end === -1 ? text.length : end + 1);
      return text.slice(0, start) + line + text.slice(start);
    }
    case "swap": {
      const b = Math.min(text.length, at + edit.size);
      return text.slice(0, at) + text.slice(b, b + edit.size) + text.slice(at, b) + text.slice(b + edit.size);
    }
  }
}

describe("YAML front end robustness", () => {
  it("has fixtures to mutate", () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  it("never throws on random edits of the fixtures; diagnostics are registered and point inside their file", () => {
    const arb = fc
      .integer({ min: 0, max: cases.length - 1 })
      .chain((i) => fc.tuple(fc.constant(i), fc.array(editArb((cases[i]?.text.length ?? 0) + 1), { minLength: 1, maxLength: 4 })));
    fc.assert(
      fc.property(arb, ([i, edits]) => {
        const c = cases[i];
        if (!c) return;
        const text = edits.reduce((t, e) => apply(t, e as Edit), c.text);
        const host = directoryHost(c.dir);
        const { diagnostics } = compileYaml("input.yaml", text, host);
        for (const d of diagnostics) {
          expect(CODES[d.code], d.code).toBeDefined();
          expect(d.labels.filter((l) => l.primary).length, d.code).toBeLessThanOrEqual(1);
          for (const l of d.labels) {
            const fileText = l.span.file === "input.yaml" ? text : host.readFile(l.span.file);
            if (fileText === undefined) continue;
            expect(l.span.start, d.code).toBeGreaterThanOrEqual(0);
            expect(l.span.end, d.code).toBeLessThanOrEqual(fileText.length);
            expect(l.span.start, d.code).toBeLessThanOrEqual(l.span.end);
          }
        }
      }),
      { seed: SEED, numRuns: 1500 },
    );
  }, 120_000);
});
