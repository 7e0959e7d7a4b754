import { describe, expect, it } from "vitest";
import { lowerDsl, parseDsl } from "../../../../compiler/syntax/dsl/index.js";

const source = (body: string) => ({ path: "m.fsm", text: `fsm m {\n${body}\n  network main { start end state s }\n}\n` });

function lower(body: string, env: Record<string, string> = {}) {
  const parsed = parseDsl(source(body));
  if (!parsed.value) throw new Error("parse failed");
  return lowerDsl(parsed.value, { env });
}

describe("env(…) in the DSL", () => {
  it("is replaced at compile time outside resource configs, with the FSM_ fallback and defaults", () => {
    const r = lower('  metadata { a: env("A"), b: env("B"), c: env("C", "dflt") }', { A: "1", FSM_B: "2" });
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.[0]?.metadata).toEqual({ a: "1", b: "2", c: "dflt" });
  });

  it("stays a reference inside resource configs (decision E10)", () => {
    const r = lower('  resource db: sqlite { path: env("DB", "x.db"), token: env("TOKEN") }', { DB: "real.db", TOKEN: "secret" });
    expect(r.value?.[0]?.resources[0]?.config).toEqual({ path: "${DB:-x.db}", token: "${TOKEN}" });
  });

  it("reports FSM0023 for an unset variable without a default, at the variable", () => {
    const r = lower('  metadata { region: env("REGION") }');
    expect(r.diagnostics.map((d) => d.code)).toEqual(["FSM0023"]);
    const span = r.diagnostics[0]?.labels[0]?.span;
    expect(source("").text.length).toBeGreaterThan(0);
    expect(source('  metadata { region: env("REGION") }').text.slice(span?.start, span?.end)).toBe('"REGION"');
  });
});
