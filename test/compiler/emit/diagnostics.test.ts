/** The emit phase's own diagnostics: what stops a module from being written. */
import { describe, expect, it } from "vitest";
import { emit } from "../../../compiler/emit/index.js";
import { hydrateMachine } from "./hydrate.js";

const NONE = { machines: [] };

function oneState(extra: Record<string, unknown>, state: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "m",
    sourceFile: "src/m.fsm",
    networks: [{ name: "main", states: [{ name: "s", isStart: true, isFinal: true, ...state }] }],
    ...extra,
  };
}

function run(...inputs: Record<string, unknown>[]) {
  return emit(inputs.map(hydrateMachine), NONE, NONE, {});
}

describe("emit diagnostics", () => {
  it("rejects inline code that does not parse, at the error's place (FSM0501)", () => {
    const code = "data.a +* 2";
    const result = run(oneState({}, { transforms: [{ inline: code, codeSpan: { start: 40, end: 40 + code.length } }] }));
    expect(result.value).toBeUndefined();
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]?.code).toBe("FSM0501");
    expect(result.diagnostics[0]?.message).toBe("inline code `main.s.transform.0` does not compile");
    expect(result.diagnostics[0]?.labels[0]?.span).toEqual({ file: "src/m.fsm", start: 48, end: 49 });
    expect(result.diagnostics[0]?.notes).toEqual(["Expression expected."]);
  });

  it("rejects inline code that escapes its function (FSM0501)", () => {
    const result = run(oneState({}, { transforms: [{ inline: "return data; }; function leak() {", form: "body" }] }));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM0501"]);
  });

  it("accepts object literals, comma expressions and trailing comments as expressions", () => {
    for (const code of ["{ ...data, x: 1 }", "(ctx.variables.n = 1, data)", "data // unchanged"]) {
      const result = run(oneState({}, { transforms: [{ inline: code }] }));
      expect(result.diagnostics, code).toEqual([]);
    }
  });

  it("reports a record named like a generated or imported name, once per cause (FSM0504)", () => {
    const result = run(
      oneState({ records: [{ name: "MState", fields: [] }, { name: "Ctx", fields: [] }] }, { record: "MState" }),
    );
    expect(result.value).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["FSM0504", "`Ctx` would be declared twice in `src/m.fsm.ts`"],
      ["FSM0504", "`MState` would be declared twice in `src/m.fsm.ts`"],
    ]);
    expect(result.diagnostics[0]?.notes).toEqual(["`Ctx` is taken by an import from fsmc/runtime"]);
  });

  it("reports two machines of one file whose generated names collide, once (FSM0504)", () => {
    const a = oneState({ name: "order_flow", nameSpan: { start: 0, end: 10 } });
    const b = oneState({ name: "orderFlow", nameSpan: { start: 50, end: 59 }, span: { start: 50, end: 90 } });
    const result = run(a, b);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([["FSM0504", "`OrderFlowState` would be declared twice in `src/m.fsm.ts`"]]);
    expect(result.diagnostics[0]?.labels.map((l) => [l.span.start, l.primary])).toEqual([
      [50, true],
      [0, false],
    ]);
  });

  it("emits one interface for identical records of two machines in one file", () => {
    const record = { name: "Item", fields: [{ name: "id", type: "integer" }] };
    const a = oneState({ name: "a", records: [record] }, { record: "Item" });
    const b = oneState({ name: "b", records: [record], span: { start: 100, end: 200 } }, { record: "Item" });
    const result = run(a, b);
    expect(result.diagnostics).toEqual([]);
    expect(result.value?.[0]?.text.match(/export interface Item \{/g)).toHaveLength(1);
  });

  it("rejects a registered function name that is not an identifier, once per name (FSM0505)", () => {
    const result = run(oneState({}, { transforms: ["my-fn", "my-fn", "default"] }));
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["FSM0505", "registered function name `my-fn` is not a JavaScript identifier"],
      ["FSM0505", "registered function name `default` is not a JavaScript identifier"],
    ]);
  });

  it.each([
    ["/abs/functions.ts", "it is an absolute path; write it relative to the source file"],
    ["./functions.py", "it is not a TypeScript or JavaScript module (`.ts`, `.mts`, `.js`, `.mjs`)"],
    ["./m.fsm.ts", "`src/m.fsm.ts` is a generated module, rewritten on every build"],
  ])("rejects the functions module path %s (FSM0507)", (path, reason) => {
    const result = run(oneState({ functionsModule: path }, { transforms: ["f"] }));
    expect(result.diagnostics.map((d) => [d.code, d.message, d.notes[0]])).toEqual([["FSM0507", `cannot use \`${path}\` as the functions module`, reason]]);
  });

  it("resolves `.js` and extension-less functions module paths to the `.ts` file", () => {
    for (const [written, path, specifier] of [
      ["./lib/fns.js", "src/lib/fns.ts", "./lib/fns.js"],
      ["../shared/fns", "shared/fns.ts", "../shared/fns.js"],
      ["./fns.mts", "src/fns.mts", "./fns.mjs"],
    ] as const) {
      const result = run(oneState({ functionsModule: written }, { transforms: ["f"] }));
      expect(result.value?.map((f) => f.path)).toEqual([path, "src/m.fsm.ts"].sort());
      expect(result.value?.find((f) => f.role === "module")?.text).toContain(`import * as userFunctions from "${specifier}";`);
    }
  });

  it("reports an invalid pattern that slipped past `check` as an internal error", () => {
    const record = { name: "R", fields: [{ name: "s", type: { kind: "StringType", pattern: "(" } }] };
    const result = run(oneState({ records: [record] }, { record: "R" }));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM9001"]);
  });
});
