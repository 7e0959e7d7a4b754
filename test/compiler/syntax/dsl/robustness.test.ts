/**
 * Property tests: whatever the text, the DSL front end never throws; it only reports registered
 * diagnostics, each with one primary label, and every span (diagnostics and IR) lies inside the
 * text. Inputs are random edits of the fixtures (delete, insert, swap and duplicate characters
 * and tokens) and random token soup. Runs are bounded; a failure prints its seed.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DSL_CODES } from "../../../../compiler/diagnostics/codes/dsl.js";
import { badSpans, frontEnd } from "./dsl-support.js";

/** Fixed seeds keep CI deterministic; set FSMC_FUZZ_SEED to explore other inputs locally. */
const SEED = Number(process.env["FSMC_FUZZ_SEED"] ?? 20_251_125);

const fixtures = fileURLToPath(new URL("../../../fixtures/dsl/", import.meta.url));
const example = fileURLToPath(new URL("../../../../examples/orders/orders.fsm", import.meta.url));
const texts = [
  ...readdirSync(fixtures)
    .sort()
    .map((d) => join(fixtures, d, "input.fsm"))
    .filter((p) => existsSync(p)),
  ...(existsSync(example) ? [example] : []),
].map((p) => readFileSync(p, "utf8"));

/** Pieces that stress the lexer and the parser's recovery. */
const PIECES = [
  "{", "}", "(", ")", "[", "]", "->", "-", ">", ">=", "<", "..", ".", ",", ":", ";", "=", "|", "?",
  "`", "```", "```ts\n", '"', "\\", "\\u{", "/*", "*/", "//", "///", "\n", " ", "\t", "#", "@", "é", "→", "\u0000",
  "fsm", "network", "state", "start", "end", "push", "await", "builtin", "when", "priority", "do", "pre", "check",
  "uses", "metadata", "on error ->", "run on failure", "data mode", "record", "strict", "matching", "env(", "returns",
  "isolation", "map", "result", "true", "null", "1e999", "-1", "0.5", "100ms", "1..", "x", "_",
];

type Edit =
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "swapChars"; readonly a: number; readonly b: number; readonly length: number }
  | { readonly kind: "duplicate"; readonly at: number; readonly from: number; readonly length: number }
  | { readonly kind: "swapTokens"; readonly a: number; readonly b: number };

const position = fc.nat({ max: 1_000_000 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: position, length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: position, text: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })) }),
  fc.record({ kind: fc.constant("swapChars" as const), a: position, b: position, length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: position, from: position, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("swapTokens" as const), a: position, b: position }),
);

function apply(text: string, e: Edit): string {
  const n = text.length + 1;
  switch (e.kind) {
    case "delete": {
      const at = e.at % n;
      return text.slice(0, at) + text.slice(at + e.length);
    }
    case "insert": {
      const at = e.at % n;
      return text.slice(0, at) + e.text + text.slice(at);
    }
    case "duplicate": {
      const at = e.at % n;
      const from = e.from % n;
      return text.slice(0, at) + text.slice(from, from + e.length) + text.slice(at);
    }
    case "swapChars": {
      const [a, b] = [e.a % n, e.b % n].sort((x, y) => x - y) as [number, number];
      const len = Math.min(e.length, Math.max(0, b - a));
      return text.slice(0, a) + text.slice(b, b + len) + text.slice(a + len, b) + text.slice(a, a + len) + text.slice(b + len);
    }
    case "swapTokens": {
      const parts = text.split(/(\s+)/);
      const words = parts.map((p, i) => ({ p, i })).filter((x) => x.p.trim() !== "");
      if (words.length < 2) return text;
      const a = words[e.a % words.length];
      const b = words[e.b % words.length];
      if (a === undefined || b === undefined) return text;
      parts[a.i] = b.p;
      parts[b.i] = a.p;
      return parts.join("");
    }
  }
}

function checkTotal(text: string): void {
  const result = frontEnd(text);
  expect(badSpans(text, result)).toEqual([]);
  for (const d of result.diagnostics) {
    expect(Object.keys(DSL_CODES)).toContain(d.code);
    expect(d.labels.filter((l) => l.primary)).toHaveLength(1);
    expect(d.message).not.toBe("");
  }
  // Whatever lowering produced must still be plain JSON data.
  expect(JSON.parse(JSON.stringify(result.machines ?? []))).toEqual(result.machines ?? []);
}

describe("DSL front end on arbitrary input", () => {
  it("has fixtures to mutate", () => {
    expect(texts.length).toBeGreaterThan(10);
  });

  it("never throws on random edits of the fixtures, and keeps every span inside the text", () => {
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(edit, { minLength: 1, maxLength: 6 }), (base, edits) => {
        checkTotal(edits.reduce(apply, base));
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  it("never throws on token soup", () => {
    const soup = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 2 })), { maxLength: 120 }).map((parts) => parts.join(" "));
    fc.assert(
      fc.property(soup, (text) => {
        checkTotal(text);
      }),
      { numRuns: 600, seed: SEED + 1 },
    );
  });
});
