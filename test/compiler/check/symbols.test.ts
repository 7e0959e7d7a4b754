import { describe, expect, it } from "vitest";
import { check, symbolsOf } from "../../../compiler/check/index.js";
import { completeSymbols } from "../../../compiler/check/symbols.js";
import { buildMachine, network, push, state, to } from "../../support/ir-builders.js";

const { machine } = buildMachine({
  name: "orders",
  resources: [{ name: "db" }, { name: "api", type: "http" }],
  records: [{ name: "Order", fields: [] }, { name: "Customer", fields: [] }],
  networks: [
    network("main", [
      state("validate", {
        start: true,
        recordType: "Order",
        pre: [{ builtin: "validators.required_fields", params: { fields: ["id"] } }],
        arcs: [to("route", { when: "isValid", priority: 1 }), to("rejected")],
      }),
      state("route", { transforms: [{ registered: "enrich", async: true }, "trim"], arcs: [to("done"), push("scoring", { returns: "done", priority: 5 })] }),
      state("done", { final: true }),
      state("rejected", { final: true }),
    ]),
    network("scoring", [state("score", { start: true, transforms: ["trim"], arcs: [to("scored")] }), state("scored", { final: true })]),
  ],
});

describe("check: symbol table", () => {
  const table = check([machine]).value;
  const symbols = table && symbolsOf(table, machine);

  it("maps names to ids and finds start and final states", () => {
    expect(symbols?.machine).toBe("orders");
    expect(symbols?.sourceFile).toBe("test.fsm");
    expect(symbols?.networks).toEqual({ main: "main", scoring: "scoring" });
    expect(symbols?.states).toEqual({
      "main.validate": "main",
      "main.route": "main",
      "main.done": "main",
      "main.rejected": "main",
      "scoring.score": "scoring",
      "scoring.scored": "scoring",
    });
    expect(symbols?.startStates).toEqual({ main: "main.validate", scoring: "scoring.score" });
    expect(symbols?.networkStates?.["main"]).toEqual(["main.validate", "main.route", "main.done", "main.rejected"]);
    expect(symbols?.finalStates).toEqual({ main: ["main.done", "main.rejected"], scoring: ["scoring.scored"] });
  });

  it("lists functions, builtins, record types and resources sorted", () => {
    expect(symbols?.registeredFunctions).toEqual([
      { name: "enrich", isAsync: true },
      { name: "isValid", isAsync: false },
      { name: "trim", isAsync: false },
    ]);
    expect(symbols?.builtins).toEqual(["validators.required_fields"]);
    expect(symbols?.recordTypes).toEqual(["Customer", "Order"]);
    expect(symbols?.resources).toEqual(["api", "db"]);
  });

  it("resolves arcs and orders them by priority, then declaration", () => {
    expect(symbols?.arcs?.["main.route#1"]).toEqual({
      kind: "PushArc",
      source: "main.route",
      target: "scoring.score",
      targetNetwork: "scoring",
      explicitEntry: false,
      returnState: "main.done",
    });
    expect(symbols?.arcs?.["main.validate#1"]).toEqual({ kind: "Arc", source: "main.validate", target: "main.rejected", targetNetwork: "main", explicitEntry: false });
    expect(symbols?.arcOrder).toEqual({
      "main.validate": ["main.validate#0", "main.validate#1"],
      "main.route": ["main.route#1", "main.route#0"],
      "scoring.score": ["scoring.score#0"],
    });
    // The unconditional push of priority 5 is always taken before `-> done`.
    expect(symbols?.shadowedArcs).toEqual(["main.route#0"]);
  });

  it("completeSymbols rebuilds the optional fields of a hand-built table", () => {
    const partial = { machines: [{ machine: "orders", networks: {}, states: {}, startStates: {}, registeredFunctions: [], recordTypes: [] }] };
    expect(completeSymbols(partial, machine).arcOrder).toEqual(symbols?.arcOrder);
  });

  it("omits arcs whose targets do not resolve", () => {
    const broken = buildMachine({
      networks: [network("main", [state("a", { start: true, arcs: [to("nope"), push("nonet"), push("main:nope")] }), state("b", { final: true })])],
    }).machine;
    const s = check([broken]).value?.machines[0];
    expect(s?.arcs).toEqual({});
  });
});
