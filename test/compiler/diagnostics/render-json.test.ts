import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { renderJson } from "../../../compiler/diagnostics/render-json.js";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import { analyze } from "../../../compiler/analyze/index.js";
import { check } from "../../../compiler/check/index.js";
import { buildMachine, network, push, state, to } from "../../support/ir-builders.js";

const schema: unknown = JSON.parse(readFileSync(fileURLToPath(new URL("../../../schemas/diagnostics.schema.json", import.meta.url)), "utf8"));
const validate = new Ajv({ allErrors: true }).compile(schema as object);

describe("renderJson", () => {
  const { machine, source } = buildMachine({
    resources: [{ name: "unused" }],
    networks: [
      network("main", [state("a", { start: true, arcs: [to("rejectd"), push("nonet")] }), state("rejected", { final: true }), state("orphan", { arcs: [to("rejected")] })]),
    ],
  });
  const checked = check([machine]);
  const analyzed = checked.value ? analyze([machine], checked.value).diagnostics : [];
  const diagnostics = [...checked.diagnostics, ...analyzed];
  const json = renderJson(diagnostics, { [source.path]: source.text });

  it("produces output valid against schemas/diagnostics.schema.json", () => {
    expect(json.length).toBeGreaterThan(2);
    const ok = validate(JSON.parse(JSON.stringify(json)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("gives 1-based positions of the primary label and every label", () => {
    const unknown = json.find((d) => d.code === "FSM0204");
    const offset = source.text.indexOf("rejectd");
    const before = source.text.slice(0, offset).split("\n");
    expect(unknown).toMatchObject({
      severity: "error",
      name: "unknown-state",
      message: "unknown state `rejectd`",
      file: "test.fsm",
      line: before.length,
      column: (before[before.length - 1]?.length ?? 0) + 1,
      endLine: before.length,
      endColumn: (before[before.length - 1]?.length ?? 0) + 1 + "rejectd".length,
      help: "did you mean `rejected`?",
    });
    expect(unknown?.labels).toEqual([
      {
        file: "test.fsm",
        line: unknown?.line,
        column: unknown?.column,
        endLine: unknown?.endLine,
        endColumn: unknown?.endColumn,
        span: { start: offset, end: offset + 7 },
        message: "no state `rejectd` in network `main`",
        primary: true,
      },
    ]);
  });

  it("sorts by file and offset, like the text renderer", () => {
    const offsets = json.map((d) => d.labels.find((l) => l.primary)?.span.start ?? -1);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });

  it("uses nulls for unknown texts, missing labels and missing help", () => {
    const d: Diagnostic = { code: "FSM0901", severity: "error", message: "cannot read `x.fsm`", labels: [{ span: { file: "x.fsm", start: 0, end: 0 }, primary: true }], notes: ["no such file"] };
    const bare: Diagnostic = { code: "FSM0903", severity: "error", message: "unknown diagnostic code `X`", labels: [], notes: [] };
    const out = renderJson([d, bare], new Map());
    // Diagnostics without labels sort first.
    expect(out[1]).toMatchObject({ file: "x.fsm", line: null, column: null, help: null, name: "unreadable-file" });
    expect(out[0]).toMatchObject({ file: null, line: null, labels: [] });
    expect(validate(JSON.parse(JSON.stringify(out)))).toBe(true);
  });

  it("the schema rejects a malformed entry", () => {
    expect(validate([{ code: "E1", severity: "fatal" }])).toBe(false);
  });
});
