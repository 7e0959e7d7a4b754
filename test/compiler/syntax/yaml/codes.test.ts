/** Every YAML code (FSM0100–FSM0199) has one factory, an explanation and a golden case that triggers it. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { YAML_CODES } from "../../../../compiler/diagnostics/codes/yaml.js";

const root = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const codes = Object.keys(YAML_CODES);

describe("YAML diagnostic codes", () => {
  test("are in range and sorted", () => {
    for (const code of codes) expect(Number(code.slice(3))).toBeGreaterThanOrEqual(100);
    for (const code of codes) expect(Number(code.slice(3))).toBeLessThanOrEqual(199);
    expect([...codes].sort()).toEqual(codes);
  });

  test("each has exactly one factory", () => {
    const factories = readFileSync(root("compiler/diagnostics/factories/yaml.ts"), "utf8");
    for (const code of codes) expect(factories.split(`make("${code}"`).length - 1, code).toBe(1);
  });

  test.each(codes)("%s has an explanation", (code) => {
    const path = root(`compiler/diagnostics/explanations/${code}.md`);
    expect(existsSync(path)).toBe(true);
    const text = readFileSync(path, "utf8");
    expect(text.startsWith(`# ${code}: ${YAML_CODES[code]?.title ?? ""}\n`)).toBe(true);
    for (const section of ["## What triggers it", "## Example", "## How to fix"]) expect(text).toContain(section);
  });

  test("each is triggered by a golden case", () => {
    const fixtures = root("test/fixtures/yaml");
    const triggered = new Set<string>();
    for (const name of readdirSync(fixtures)) {
      const path = join(fixtures, name, "expected", "diagnostics.txt");
      if (!existsSync(path)) continue;
      for (const m of readFileSync(path, "utf8").matchAll(/\[(FSM\d{4})\]/g)) if (m[1]) triggered.add(m[1]);
    }
    expect(codes.filter((c) => !triggered.has(c))).toEqual([]);
  });
});
