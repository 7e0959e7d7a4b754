/**
 * Golden cases of the YAML front end: one folder per case under test/fixtures/yaml/, with
 * `input.yaml` (or `input.json`), any files it references, an optional `env.json`, and
 * `expected/ir.json` (when it lowers) and `expected/diagnostics.txt` (when it reports anything).
 * Every diagnostic must sit on a line annotated `# ~ FSMxxxx` (or `// ~ FSMxxxx` inside a block of
 * inline JavaScript) in the YAML file it points into,
 * and every annotation must be matched by a diagnostic.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { printStableJson } from "../../../../compiler/ir/index.js";
import { compileYaml, directoryHost, primaryPosition, renderDiagnostics } from "./support.js";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/yaml/", import.meta.url));

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "expected") out.push(...filesUnder(path));
    } else {
      out.push(path);
    }
  }
  return out.sort();
}

/** `file:line:code` for every `# ~ FSMxxxx` annotation of the case's YAML files. */
function annotations(dir: string): string[] {
  const out: string[] = [];
  for (const path of filesUnder(dir)) {
    if (!/\.ya?ml$/.test(path)) continue;
    const rel = relative(dir, path).split("\\").join("/");
    readFileSync(path, "utf8")
      .split("\n")
      .forEach((line, i) => {
        // `# ~ FSM0131` in YAML; `// ~ FSM0141` inside a block of inline JavaScript.
        const m = /(?:#|\/\/)\s*~\s*((?:FSM\d{4}\s*)+)/.exec(line);
        for (const code of m?.[1]?.trim().split(/\s+/) ?? []) out.push(`${rel}:${i + 1}:${code}`);
      });
  }
  return out.sort();
}

/** Every `{file, start, end}` object in a value. */
function spansOf(value: unknown): { file: string; start: number; end: number }[] {
  if (Array.isArray(value)) return value.flatMap(spansOf);
  if (value === null || typeof value !== "object") return [];
  const o = value as Record<string, unknown>;
  const own = typeof o["file"] === "string" && typeof o["start"] === "number" && typeof o["end"] === "number" ? [{ file: o["file"], start: o["start"], end: o["end"] }] : [];
  return [...own, ...Object.values(o).flatMap(spansOf)];
}

const cases = existsSync(FIXTURES)
  ? readdirSync(FIXTURES, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()
  : [];

describe("yaml golden cases", () => {
  test("there are cases", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const name of cases) {
    test(name, async () => {
      const dir = join(FIXTURES, name);
      const entry = existsSync(join(dir, "input.yaml")) ? "input.yaml" : "input.json";
      const envPath = join(dir, "env.json");
      const env = existsSync(envPath) ? (JSON.parse(readFileSync(envPath, "utf8")) as Record<string, string>) : {};
      const host = directoryHost(dir, env);
      const { machines, diagnostics } = compileYaml(entry, readFileSync(join(dir, entry), "utf8"), host);

      const found = diagnostics
        .map((d) => {
          const p = primaryPosition(d, host);
          return `${p.file}:${p.line}:${d.code}`;
        })
        .sort();
      expect(found).toEqual(annotations(dir));

      const produced = new Set<string>();
      if (diagnostics.length > 0) {
        produced.add("diagnostics.txt");
        await expect(renderDiagnostics(diagnostics, host)).toMatchFileSnapshot(join(dir, "expected", "diagnostics.txt"));
      }
      if (machines) {
        produced.add("ir.json");
        expect(JSON.parse(JSON.stringify(machines))).toEqual(machines);
        for (const s of spansOf(machines)) {
          const text = host.readFile(s.file);
          expect(text, `span file ${s.file}`).toBeDefined();
          expect(0 <= s.start && s.start <= s.end && s.end <= (text ?? "").length, `span ${JSON.stringify(s)}`).toBe(true);
        }
        await expect(printStableJson(machines)).toMatchFileSnapshot(join(dir, "expected", "ir.json"));
      }
      const expectedDir = join(dir, "expected");
      const orphans = existsSync(expectedDir) ? readdirSync(expectedDir).filter((f) => !produced.has(f)) : [];
      expect(orphans, "goldens no longer produced by this case").toEqual([]);
    });
  }
});
