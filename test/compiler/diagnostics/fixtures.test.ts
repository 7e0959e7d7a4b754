/**
 * Diagnostics golden cases: test/fixtures/diagnostics/<case>/input.fsm (or input.yaml) runs
 * through the front end, `check` and `analyze` (stopping after a phase with an error, like the
 * pipeline). A case passes when the (line, code) pairs of its diagnostics equal the inline
 * annotations (`// ~ FSM0204` in `.fsm`, `# ~ FSM0204` in YAML, on the line where the primary
 * span starts; several codes may follow one `~`) and the rendered text equals
 * expected/stderr.txt. Goldens are written only by `npx vitest run -u test/compiler/diagnostics`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyze } from "../../../compiler/analyze/index.js";
import { check } from "../../../compiler/check/index.js";
import { codeInfo } from "../../../compiler/diagnostics/codes.js";
import { DiagnosticLog, phaseResult } from "../../../compiler/diagnostics/log.js";
import { renderText } from "../../../compiler/diagnostics/render-text.js";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import type { Machine } from "../../../compiler/ir/index.js";
import { LineMap, type SourceFile } from "../../../compiler/source/index.js";
import { lowerDsl, parseDsl } from "../../../compiler/syntax/dsl/index.js";
import { lowerYaml, readYaml, type YamlHost } from "../../../compiler/syntax/yaml/index.js";

const fixtures = fileURLToPath(new URL("../../fixtures/diagnostics/", import.meta.url));
const INPUTS = ["input.fsm", "input.yaml"] as const;
const cases = existsSync(fixtures)
  ? readdirSync(fixtures, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : [];

/** Front end, check and analyze over one source; the log keeps what each phase reported. */
function runPhases(source: SourceFile, dir: string): Diagnostic[] {
  const log = new DiagnosticLog();
  let machines: readonly Machine[] | undefined;
  if (source.path.endsWith(".fsm")) {
    const syntax = log.take(parseDsl(source));
    machines = syntax && log.take(lowerDsl(syntax));
  } else {
    const host: YamlHost = {
      readFile: (path) => (existsSync(join(dir, path)) ? readFileSync(join(dir, path), "utf8") : undefined),
      env: {},
      projectRoot: dir.replace(/\\/g, "/"),
    };
    const syntax = log.take(readYaml(source, host));
    machines = syntax && log.take(phaseResult(lowerYaml(syntax).value, lowerYaml(syntax).diagnostics));
  }
  const symbols = machines && log.take(check(machines));
  if (machines && symbols) log.take(analyze(machines, symbols));
  return log.sorted();
}

/** `line:code` for every annotation (`// ~ FSM0204 FSM0306` or `# ~ FSM0204`), in line order. */
function annotations(text: string): string[] {
  const out: string[] = [];
  text.split("\n").forEach((line, i) => {
    const m = /(?:\/\/|#)\s*~\s*((?:FSM\d{4}\s*)+)$/.exec(line);
    if (m?.[1]) for (const code of m[1].trim().split(/\s+/)) out.push(`${i + 1}:${code}`);
  });
  return out.sort();
}

/** `line:code` for every diagnostic, at the line where its primary span starts. */
function reported(text: string, path: string, diagnostics: readonly Diagnostic[]): string[] {
  const lines = new LineMap(text);
  return diagnostics
    .map((d) => {
      const primary = d.labels.find((l) => l.primary);
      const line = primary && primary.span.file === path ? lines.position(primary.span.start).line : 0;
      return `${line}:${d.code}`;
    })
    .sort();
}

describe("diagnostics goldens", () => {
  it("finds the cases", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(fixtures, name);
      const inputs = INPUTS.filter((f) => existsSync(join(dir, f)));
      expect(inputs, `${name} needs exactly one of ${INPUTS.join(", ")}`).toHaveLength(1);
      const path = inputs[0] ?? "input.fsm";
      const text = readFileSync(join(dir, path), "utf8");
      const diagnostics = runPhases({ path, text }, dir);

      for (const d of diagnostics) {
        const info = codeInfo(d.code);
        expect(info, `${d.code} is not registered`).toBeDefined();
        expect(d.severity, `${d.code} severity`).toBe(info?.severity);
        expect(d.labels.filter((l) => l.primary).length, `${d.code}: exactly one primary label`).toBe(d.labels.length === 0 ? 0 : 1);
      }
      expect(reported(text, path, diagnostics), "diagnostics must match the `~` annotations").toEqual(annotations(text));

      await expect(renderText(diagnostics, { [path]: text }, { color: false })).toMatchFileSnapshot(join(dir, "expected", "stderr.txt"));
      const expected = existsSync(join(dir, "expected")) ? readdirSync(join(dir, "expected")) : [];
      expect(expected.filter((f) => f !== "stderr.txt"), "orphaned goldens").toEqual([]);
    });
  }
});
