/**
 * Conformance load cases (C20, C28, C32, C33): definitions that must be refused with given
 * diagnostics, or must load to given IR values: the diagnostics (code, message, line:column)
 * and IR values through the compiler API, the diagnostics and the exit code (1 on errors)
 * through `fsmc check --format json`.
 */
import { describe, expect, type ExpectStatic, it } from "vitest";
import type { JsonDiagnostic } from "../../compiler/diagnostics/render-json.js";
import { fsmc } from "../support/cli.js";
import { readCases, type ExpectedDiagnostic, type LoadCase } from "./support/cases.js";
import { loadDefinition } from "./support/module.js";

const cases = readCases().filter((c) => c.loads.length > 0);

function project(d: JsonDiagnostic): ExpectedDiagnostic {
  return { code: d.code, severity: d.severity, message: d.message, line: d.line ?? -1, column: d.column ?? -1 };
}

/** Every expected diagnostic is reported, and no error that is not expected. */
function expectDiagnostics(expect: ExpectStatic, actual: readonly JsonDiagnostic[], load: LoadCase, where: string): void {
  const got = actual.map(project);
  for (const d of load.diagnostics) expect(got, `${where}: ${d.code} at ${d.line}:${d.column}`).toContainEqual(d);
  const unexpected = got.filter((d) => d.severity === "error" && !load.diagnostics.some((e) => e.code === d.code && e.line === d.line));
  expect(unexpected, `${where}: unexpected errors`).toEqual([]);
}

describe("conformance load cases", () => {
  for (const c of cases) {
    for (const load of c.loads) {
      const env = Object.entries(load.env ?? {}).map(([k, v]) => `${k}=${v}`);
      const name = `${c.id} ${c.title} › ${load.flow}${env.length > 0 ? ` (${env.join(" ")})` : ""}`;
      const hasErrors = load.diagnostics.some((d) => d.severity === "error");

      it(`${name} › compiler API`, () => {
        const { machine, diagnostics } = loadDefinition(c.dir, load.flow, load.env ?? {});
        expectDiagnostics(expect, diagnostics, load, "compileToIr");
        if (load.ir !== undefined) expect(machine).toMatchObject(load.ir);
      });

      it.concurrent(`${name} › fsmc check`, async ({ expect: expectHere }) => {
        const out = await fsmc(["check", "--format", "json", load.flow], { cwd: c.dir, env: { ...load.env } });
        expectHere(out.code, out.stderr).toBe(hasErrors ? 1 : 0);
        expectDiagnostics(expectHere, JSON.parse(out.stderr) as JsonDiagnostic[], load, "fsmc check");
      });
    }
  }
});
