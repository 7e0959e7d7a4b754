import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CODE_TABLES, CODES } from "../../../compiler/diagnostics/codes.js";
import { explanationPath } from "../../../compiler/diagnostics/index.js";
import { RUNTIME_CODES } from "../../../compiler/diagnostics/runtime-codes.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const diagnosticsDir = join(root, "compiler/diagnostics");
const explanationsDir = join(diagnosticsDir, "explanations");
const factoriesDir = join(diagnosticsDir, "factories");
const testDir = join(root, "test");
const thisFile = fileURLToPath(import.meta.url);

/** The code range of each table (inclusive), from STYLE.md §4. */
const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  dsl: [1, 99],
  yaml: [100, 199],
  names: [200, 299],
  structure: [300, 399],
  analysis: [400, 499],
  emit: [500, 599],
  cli: [900, 999],
  internal: [9000, 9999],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const registered = CODE_TABLES.flatMap(([, table]) => Object.keys(table));

describe("diagnostic code registry", () => {
  it("has a range for every table", () => {
    expect(CODE_TABLES.map(([name]) => name).sort()).toEqual(Object.keys(RANGES).sort());
  });

  it.each(CODE_TABLES.map(([name, table]) => [name, table] as const))("table %s: codes well-formed, in range and sorted", (name, table) => {
    const codes = Object.keys(table);
    const [low, high] = RANGES[name] ?? [0, -1];
    for (const code of codes) {
      expect(code).toMatch(/^FSM\d{4}$/);
      const n = Number(code.slice(3));
      expect(n, `${code} in ${name}`).toBeGreaterThanOrEqual(low);
      expect(n, `${code} in ${name}`).toBeLessThanOrEqual(high);
    }
    expect(codes).toEqual([...codes].sort());
  });

  it("codes are unique across tables, and so are their names", () => {
    expect(new Set(registered).size).toBe(registered.length);
    const names = Object.values(CODES).map((info) => info.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it("every entry has a severity, a title and a kebab-case name", () => {
    for (const [code, info] of Object.entries(CODES)) {
      expect(["error", "warning"], code).toContain(info.severity);
      expect(info.title.length, code).toBeGreaterThan(0);
      expect(info.name, code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  it("every code has an explanation with the required sections", () => {
    for (const code of registered) {
      const rel = explanationPath(code);
      expect(rel, code).toBe(`explanations/${code}.md`);
      let text = "";
      try {
        text = readFileSync(join(diagnosticsDir, rel ?? ""), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      expect(text, `${code}: explanations/${code}.md is missing`).not.toBe("");
      expect(text.split("\n")[0], code).toMatch(new RegExp(`^# ${code}: \\S`));
      const sections = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
      expect(sections, code).toEqual(["What triggers it", "Example", "How to fix"]);
      for (const section of text.split(/^## .+$/m).slice(1)) expect(section.trim().length, `${code}: empty section`).toBeGreaterThan(0);
    }
  });

  it("every explanation file belongs to a registered code", () => {
    const files = readdirSync(explanationsDir).filter((f) => f.endsWith(".md"));
    const orphans = files.map((f) => f.slice(0, -3)).filter((code) => !(code in CODES) && !(code in RUNTIME_CODES));
    expect(orphans).toEqual([]);
    expect(explanationPath("FSM0000")).toBeUndefined();
  });

  it("every code appears in a factory file", () => {
    const factoryText = filesUnder(factoriesDir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    expect(registered.filter((code) => !factoryText.includes(`"${code}"`))).toEqual([]);
  });

  it("every code is triggered by at least one test (or diagnostics fixture)", () => {
    const testText = filesUnder(testDir)
      .filter((f) => f !== thisFile && /\.(ts|fsm|ya?ml|json|txt)$/.test(f))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    expect(registered.filter((code) => !testText.includes(code))).toEqual([]);
  });
});

describe("runtime error codes (FSMR)", () => {
  const runtimeText = filesUnder(join(root, "runtime"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
  const thrown = [...new Set([...runtimeText.matchAll(/"(FSMR\d{4})"/g)].map((m) => m[1] ?? ""))].sort();

  it("the compiler's list mirrors exactly the codes the runtime throws", () => {
    expect(Object.keys(RUNTIME_CODES).sort()).toEqual(thrown);
  });

  it("every runtime code has an explanation with the required sections", () => {
    for (const code of Object.keys(RUNTIME_CODES)) {
      const text = readFileSync(join(explanationsDir, `${code}.md`), "utf8");
      expect(text.split("\n")[0], code).toMatch(new RegExp(`^# ${code}: \\S`));
      expect([...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]), code).toEqual(["What triggers it", "Example", "How to fix"]);
    }
  });

  it("every runtime code is triggered by a test", () => {
    const testText = filesUnder(testDir)
      .filter((f) => f !== thisFile && f.endsWith(".ts"))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    expect(Object.keys(RUNTIME_CODES).filter((code) => !testText.includes(code))).toEqual([]);
  });
});
