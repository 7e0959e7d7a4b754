/**
 * Golden cases: test/fixtures/dsl/<case>/input.fsm → expected/ir.json (the lowered IR, when
 * there is no error) and expected/diagnostics.txt (when there is any diagnostic). Goldens are
 * written only by `npx vitest run -u test/compiler/syntax/dsl`; an expected file the case no
 * longer produces fails the run.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { printStableJson, type Machine } from "../../../../compiler/ir/index.js";
import { allSpans, badSpans, frontEnd, renderDiagnostics } from "./dsl-support.js";

const fixtures = fileURLToPath(new URL("../../../fixtures/dsl/", import.meta.url));
const cases = readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(fixtures, d.name, "input.fsm")))
  .map((d) => d.name)
  .sort();

describe("dsl goldens", () => {
  it("finds the cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(fixtures, name);
      const text = readFileSync(join(dir, "input.fsm"), "utf8");
      const result = frontEnd(text, "input.fsm");
      const hasError = result.diagnostics.some((d) => d.severity === "error");
      const produced: string[] = [];

      if (result.diagnostics.length > 0) {
        produced.push("diagnostics.txt");
        await expect(renderDiagnostics(text, result.diagnostics)).toMatchFileSnapshot(join(dir, "expected", "diagnostics.txt"));
      }
      if (!hasError) {
        produced.push("ir.json");
        await expect(printStableJson(result.machines)).toMatchFileSnapshot(join(dir, "expected", "ir.json"));
        checkInvariants(text, result.machines ?? []);
      }
      expect(badSpans(text, result)).toEqual([]);

      const expectedDir = join(dir, "expected");
      const existing = existsSync(expectedDir) ? readdirSync(expectedDir).sort() : [];
      expect(existing.filter((f) => !produced.includes(f)), "orphaned goldens").toEqual([]);
    });
  }
});

/** Spans point at what they name, inline code maps onto the text, and the IR is plain JSON. */
function checkInvariants(text: string, machines: readonly Machine[]): void {
  expect(JSON.parse(JSON.stringify(machines))).toEqual(machines);
  const at = (s: { start: number; end: number }) => text.slice(s.start, s.end);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    const n = node as Record<string, unknown> & { kind?: string };
    const span = (k: string) => n[k] as { start: number; end: number };
    switch (n.kind) {
      case "Machine":
      case "Network":
      case "State":
      case "RecordType":
      case "Field":
      case "ResourceDecl":
        expect(at(span("nameSpan"))).toBe(n["name"]);
        break;
      case "Arc":
        expect(at(span("targetSpan"))).toBe(n["targetName"]);
        break;
      case "PushArc":
        expect(at(span("targetSpan")).startsWith(String(n["targetNetworkName"]))).toBe(true);
        if (n["returnStateName"] !== undefined) expect(at(span("returnSpan"))).toBe(n["returnStateName"]);
        break;
      case "InlineCode":
        expect(at(span("codeSpan"))).toBe(n["code"]);
        break;
    }
    if (n.kind === "State") {
      const onError = n["onError"] as { targetName: string; span: { start: number; end: number } } | undefined;
      if (onError) expect(at(onError.span)).toBe(onError.targetName);
      const recordType = n["recordType"] as { name: string; span: { start: number; end: number } } | undefined;
      if (recordType) expect(at(recordType.span)).toBe(recordType.name);
    }
    for (const [k, v] of Object.entries(n)) if (!k.endsWith("pan")) visit(v);
  };
  visit(machines);
  for (const { span } of allSpans(machines)) expect(span.file).toBe("input.fsm");
}
