/**
 * Front-end equivalence: "`.fsm` and `.yaml` give the same IR, spans aside". Each case under
 * test/fixtures/ir/<case>/ holds an `input.fsm` and an `input.yaml` describing the same machine
 * (and optionally an `env.json`, the environment both are loaded with). Both are lowered through
 * the pipeline (`parse`, `lower`, the CLI's `nodeHost`) and must give equal IR once positions are
 * removed and the few inherently front-end-specific details below are normalised. No goldens:
 * the two front ends are each other's expectation.
 *
 * Normalisations (everything else must be equal as produced):
 * 1. Positions: every `span`, every `*Span` field (`nameSpan`, `typeSpan`, `targetSpan`,
 *    `returnSpan`, `mainNetworkSpan`, `codeSpan`), `ResourceDecl.configSpans` and
 *    `Machine.sourceFile` are removed: offsets into two different texts cannot be equal. (The
 *    keys of `configSpans`, the JSON pointers, are compared: both front ends place every key.)
 * 2. `InlineCode.language` is removed: DSL inline code is TypeScript (`ts`) and YAML inline code
 *    is JavaScript (`js`) by definition (DESIGN §2).
 * 3. `InlineCode.code` of several lines is compared dedented (the common indentation of its lines
 *    after the first is removed): a DSL ```` ``` ```` block keeps the `.fsm` file's indentation so
 *    that its `codeSpan` maps onto the source, while a YAML block scalar strips its block indent.
 *    The text itself, and relative indentation, must still be equal.
 * 4. `RecordType.jsonSchema` and `RecordType.synthetic` are removed: a YAML record type comes
 *    from a state's inline JSON Schema, which it keeps as written and marks as derived from the
 *    state; a DSL `record` is declared. The fixtures name their DSL records like the YAML front
 *    end names derived types (`<State>Data`), so names are compared unchanged.
 *
 * Not normalised, because the difference is in what the fixtures write, not in the front ends:
 * YAML registered references are async unless `async: false` (decision E9), so a YAML bare name
 * pairs with a DSL `await name`, and `{type: registered, …, async: false}` with a plain name.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { Machine } from "../../../compiler/ir/index.js";
import { REPO_ROOT, lowerSource } from "./support.js";

const CASES_DIR = join(REPO_ROOT, "test", "fixtures", "ir");
const cases = readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** Removes the common indentation of the lines after the first (normalisation 3). */
function dedentTail(code: string): string {
  const [first = "", ...rest] = code.split("\n");
  const indents = rest.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return [first, ...rest.map((l) => l.slice(Math.min(common, l.length - l.trimStart().length)))].join("\n");
}

/** The IR with positions removed and front-end-specific details normalised (see the module comment). */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== "object") return value;
  const node = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(node)) {
    if (key === "span" || key.endsWith("Span") || key === "sourceFile") continue;
    if (node["kind"] === "ResourceDecl" && key === "configSpans") {
      out[key] = Object.keys(v as Record<string, unknown>).sort();
      continue;
    }
    if (node["kind"] === "InlineCode" && key === "language") continue;
    if (node["kind"] === "RecordType" && (key === "jsonSchema" || key === "synthetic")) continue;
    out[key] = node["kind"] === "InlineCode" && key === "code" && typeof v === "string" ? dedentTail(v) : comparable(v);
  }
  return out;
}

/** Lowers one input of a case; fails the test on any diagnostic (the fixtures are clean). */
function lowerCase(name: string, file: "input.fsm" | "input.yaml"): readonly Machine[] {
  const dir = join(CASES_DIR, name);
  const envFile = join(dir, "env.json");
  const env = existsSync(envFile) ? (JSON.parse(readFileSync(envFile, "utf8")) as Record<string, string>) : {};
  const { machines, diagnostics } = lowerSource(dir, file, env);
  expect(diagnostics.map((d) => `${d.severity}[${d.code}] ${d.message}`), `${name}/${file}`).toEqual([]);
  if (machines === undefined) throw new Error(`${name}/${file} did not lower`);
  return machines;
}

/** What the IR of a case must hold, in both front ends, where the correct value is not obvious from equality alone. */
const PINNED: Readonly<Record<string, readonly (readonly [pointer: string, value: unknown])[]>> = {
  // `isAsync` is "the code awaits": not an `await` in a nested function, a comment or a string.
  "inline-code-await": [
    ["/0/networks/0/states/0/transforms/0/isAsync", false],
    ["/0/networks/0/states/0/transforms/1/isAsync", false],
    ["/0/networks/0/states/0/arcs/0/condition/isAsync", true],
  ],
  // Decision E10: resource configs keep environment references; every other string is substituted.
  "env-outside-resources": [
    ["/0/metadata/owner", "platform"],
    ["/0/metadata/region", "us"],
    ["/0/resources/0/config/path", "${FSMC_IR_DB:-app.db}"],
    ["/0/networks/0/states/0/transforms/0/params/defaults/region", "us"],
  ],
  "resources-roles": [
    ["/0/resources/0/config/path", "${ORDERS_DB:-orders.db}"],
    ["/0/resources/2/config/base_url", "${LLM_URL}"],
  ],
  "settings": [
    ["/0/settings/timeoutSeconds", 90],
    ["/0/settings/retry/maxDelayMs", 5000],
    ["/0/networks/0/states/0/dataMode", "copy"],
  ],
  // YAML `rollback_on_error: true` (dataknobs) is DSL `rollback batch`; `strategy` is `mode`.
  "transaction": [
    ["/0/settings/transaction/mode", "batch"],
    ["/0/settings/transaction/batchSize/value", 250],
    ["/0/settings/transaction/rollbackOnError/value", "batch"],
  ],
};

/** The value at a JSON pointer (`/0/networks/0/name`). */
function at(value: unknown, pointer: string): unknown {
  let current = value;
  for (const part of pointer.split("/").slice(1)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

describe("front-end equivalence: .fsm and .yaml give the same IR, spans aside", () => {
  test("there are at least 6 cases, each with both inputs", () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
    for (const name of cases) {
      expect(existsSync(join(CASES_DIR, name, "input.fsm")), `${name}/input.fsm`).toBe(true);
      expect(existsSync(join(CASES_DIR, name, "input.yaml")), `${name}/input.yaml`).toBe(true);
    }
    for (const name of Object.keys(PINNED)) expect(cases).toContain(name);
  });

  test("normalisation keeps the IR's content", () => {
    const machines = lowerCase("linear-inline-code", "input.fsm");
    const normalised = comparable(machines) as Record<string, unknown>[];
    expect(at(normalised, "/0/name")).toBe("linear");
    expect(at(normalised, "/0/networks/0/states/1/transforms/0/code")).toBe('const name = String(data.name ?? "").trim();\nreturn { ...data, name };');
    expect(at(normalised, "/0/networks/0/states/1/transforms/0/form")).toBe("body");
    expect(JSON.stringify(normalised)).not.toMatch(/"(span|nameSpan|codeSpan|sourceFile|language)"/);
  });

  for (const name of cases) {
    test(name, () => {
      const dsl = lowerCase(name, "input.fsm");
      const yaml = lowerCase(name, "input.yaml");
      // Soft: a failing case reports the whole difference and every pinned value, not the first only.
      expect.soft(comparable(yaml)).toEqual(comparable(dsl));
      for (const [pointer, value] of PINNED[name] ?? []) {
        expect.soft(at(dsl, pointer), `DSL ${pointer}`).toEqual(value);
        expect.soft(at(yaml, pointer), `YAML ${pointer}`).toEqual(value);
      }
    });
  }
});
