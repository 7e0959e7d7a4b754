/** typecheckEmitted: inline-code errors map to their source span; user functions are checked by name. */
import { describe, expect, it } from "vitest";
import { emit, typecheckEmitted, type EmittedFile } from "../../../compiler/emit/index.js";
import type { Machine } from "../../../compiler/ir/index.js";
import { caseMachines } from "./fixtures.js";
import { hydrateMachine } from "./hydrate.js";
import { memoryHost } from "./host.js";

const NONE = { machines: [] };

function emitted(machines: readonly Machine[], existingFunctions?: Record<string, string>): EmittedFile[] {
  const result = emit(machines, NONE, NONE, existingFunctions ? { existingFunctions } : {});
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.value ?? [];
}

/** A one-state-and-an-arc machine whose route condition is `code`. */
function routeMachine(code: Record<string, unknown> | string, extra: Record<string, unknown> = {}): Machine {
  return hydrateMachine({
    name: "route",
    sourceFile: "src/route.fsm",
    records: [{ name: "Order", fields: [{ name: "tier", type: "string" }, { name: "amount", type: "number" }] }],
    networks: [
      {
        name: "main",
        states: [
          { name: "start", isStart: true, record: "Order", arcs: [{ target: "gold", condition: code }, { target: "done" }] },
          { name: "gold", isFinal: true },
          { name: "done", isFinal: true },
        ],
      },
    ],
    ...extra,
  });
}

describe("typecheckEmitted", () => {
  it("accepts the orders example with its stubs", () => {
    const machines = caseMachines("orders");
    const result = typecheckEmitted(emitted(machines), machines, memoryHost({}));
    expect(result.diagnostics).toEqual([]);
  });

  it("reports a type error in DSL inline code at the exact place in the source (FSM0501)", () => {
    const code = 'data.tierr === "gold"';
    const machine = routeMachine({ inline: code, codeSpan: { start: 200, end: 200 + code.length } });
    const result = typecheckEmitted(emitted([machine]), [machine], memoryHost({}));
    expect(result.diagnostics).toHaveLength(1);
    const d = result.diagnostics[0];
    expect(d?.code).toBe("FSM0501");
    expect(d?.message).toBe("inline code `main.start#0.condition` does not compile");
    expect(d?.labels[0]?.span).toEqual({ file: "src/route.fsm", start: 205, end: 210 });
    expect(d?.notes[0]).toMatch(/^TS2551: Property 'tierr' does not exist on type 'Order'/);
  });

  it("maps errors in a multi-line body line by line", () => {
    const code = "\n    const bonus = data.amount * 2;\n    return bonus.toUpperCase();\n  ";
    const machine = routeMachine({ inline: code, form: "body", codeSpan: { start: 50, end: 50 + code.length } });
    const result = typecheckEmitted(emitted([machine]), [machine], memoryHost({}));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM0501"]);
    const start = 50 + code.indexOf("toUpperCase");
    expect(result.diagnostics[0]?.labels[0]?.span).toEqual({ file: "src/route.fsm", start, end: start + "toUpperCase".length });
  });

  it("points at the whole code when the source is not verbatim (YAML block scalars)", () => {
    const machine = routeMachine({ inline: "return data.missing.x;", form: "body", language: "ts", codeSpan: { start: 10, end: 60 } });
    const result = typecheckEmitted(emitted([machine]), [machine], memoryHost({}));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM0501"]);
    expect(result.diagnostics[0]?.labels[0]?.span).toEqual({ file: "src/route.fsm", start: 10, end: 60 });
  });

  it("accepts untyped JavaScript inline code (JsRecord)", () => {
    const machine = routeMachine({ inline: "data.whatever.deep > 3", language: "js" });
    expect(typecheckEmitted(emitted([machine]), [machine], memoryHost({})).diagnostics).toEqual([]);
  });

  it("names a user function whose type does not fit its slot (FSM0502)", () => {
    const machine = routeMachine("isGold", { functionsModule: "./route.functions.ts" });
    const functions = [
      'import type { Order } from "./route.fsm.js";',
      "export function isGold(data: Order): string {",
      "  return data.tier;",
      "}",
      "",
    ].join("\n");
    const files = emitted([machine], { "src/route.functions.ts": functions });
    expect(files.map((f) => f.path)).toEqual(["src/route.fsm.ts"]);
    const result = typecheckEmitted(files, [machine], memoryHost({ "src/route.functions.ts": functions }));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM0502"]);
    expect(result.diagnostics[0]?.message).toBe("function `isGold` in `./route.functions.ts` does not match its uses");
    expect(result.diagnostics[0]?.notes[0]).toMatch(/Type 'string' is not assignable to type 'boolean \| readonly \[boolean, string\]'/);
  });

  it("reports a function the module does not export (FSM0503)", () => {
    const machine = routeMachine("isGold", { functionsModule: "./route.functions.ts" });
    const files = emitted([machine], {}).filter((f) => f.role === "module");
    const result = typecheckEmitted(files, [machine], memoryHost({ "src/route.functions.ts": "export const other = 1;\n" }));
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([["FSM0503", "`./route.functions.ts` does not export function `isGold`"]]);
  });

  it("reports a functions module that cannot be found (FSM0508)", () => {
    const machine = routeMachine("isGold", { functionsModule: "@acme/route-functions" });
    const files = emitted([machine]);
    expect(files.map((f) => f.role)).toEqual(["module"]);
    const result = typecheckEmitted(files, [machine], memoryHost({}));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM0508"]);
  });

  it("type-checks the functions module as this build leaves it (new stubs included)", () => {
    const machine = routeMachine("isGold", { functionsModule: "./route.functions.ts" });
    const files = emitted([machine]);
    expect(files.map((f) => f.role)).toEqual(["module", "functions"]);
    expect(typecheckEmitted(files, [machine], memoryHost({})).diagnostics).toEqual([]);
  });

  it("reports an error elsewhere in a generated module as an internal error (FSM9001)", () => {
    const machines = caseMachines("orders");
    const files = emitted(machines).map((f) => (f.role === "module" ? { ...f, text: f.text.replace("export default createOrders;", "export default createOrderz;") } : f));
    const result = typecheckEmitted(files, machines, memoryHost({}));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM9001"]);
    expect(result.diagnostics[0]?.message).toMatch(/generated module examples\/orders\/orders\.fsm\.ts:\d+:\d+ does not type-check/);
  });

  it("leaves the definition table's own types to the golden tests (tsc over the goldens)", () => {
    const machines = caseMachines("orders");
    const files = emitted(machines).map((f) => (f.role === "module" ? { ...f, text: f.text.replace("maxTransitions: 500", 'maxTransitions: "500"') } : f));
    expect(typecheckEmitted(files, machines, memoryHost({})).diagnostics).toEqual([]);
  });

  it("checks inline code in place, with the module's names in scope", () => {
    const code = "typeof options === \"object\" && data.tier.length > ctx.missing";
    const machine = routeMachine({ inline: code, codeSpan: { start: 300, end: 300 + code.length } });
    const result = typecheckEmitted(emitted([machine]), [machine], memoryHost({}));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FSM0501"]);
    const start = 300 + code.indexOf("missing");
    expect(result.diagnostics[0]?.labels[0]?.span).toEqual({ file: "src/route.fsm", start, end: start + "missing".length });
  });
});
