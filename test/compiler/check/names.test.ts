import { describe, expect, it } from "vitest";
import { check } from "../../../compiler/check/index.js";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import type { Span } from "../../../compiler/source/index.js";
import { buildMachine, buildMachines, network, push, state, to, type MachineSpec } from "../../support/ir-builders.js";

const ok = (name: string) => [state(name, { start: true, arcs: [to("done")] }), state("done", { final: true })];

function run(spec: MachineSpec) {
  const { machine, source } = buildMachine(spec);
  const result = check([machine]);
  return { machine, source, result, diagnostics: result.diagnostics };
}

function only(diagnostics: readonly Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

function textAt(text: string, span: Span | undefined): string {
  return span ? text.slice(span.start, span.end) : "<none>";
}

function primary(d: Diagnostic | undefined): Span | undefined {
  return d?.labels.find((l) => l.primary)?.span;
}

describe("check: names", () => {
  it("accepts a well-formed machine without diagnostics", () => {
    const { diagnostics, result } = run({ networks: [network("main", ok("a"))] });
    expect(diagnostics).toEqual([]);
    expect(result.value?.machines).toHaveLength(1);
  });

  it("FSM0201: reports two machines of one file with one name once, with both places", () => {
    const { machines, source } = buildMachines([
      { name: "orders", networks: [network("main", ok("a"))] },
      { name: "orders", networks: [network("main", ok("b"))] },
    ]);
    const ds = only(check(machines).diagnostics, "FSM0201");
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toBe("machine `orders` is defined twice in `test.fsm`");
    expect(ds[0]?.labels.map((l) => [textAt(source.text, l.span), l.primary])).toEqual([
      ["orders", true],
      ["orders", false],
    ]);
    expect(primary(ds[0])?.start).toBe(machines[1]?.nameSpan.start);
  });

  it("allows machines of one name in different files", () => {
    const a = buildMachine({ name: "m", file: "a.fsm", networks: [network("main", ok("a"))] });
    const b = buildMachine({ name: "m", file: "b.fsm", networks: [network("main", ok("a"))] });
    expect(check([a.machine, b.machine]).diagnostics).toEqual([]);
  });

  it("FSM0202: reports a repeated network name once", () => {
    const { diagnostics, machine } = run({ networks: [network("main", ok("a")), network("main", ok("b"))] });
    const ds = only(diagnostics, "FSM0202");
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toBe("network `main` is defined twice in machine `test`");
    expect(primary(ds[0])).toEqual(machine.networks[1]?.nameSpan);
  });

  it("FSM0203: reports a state defined three times once, labelling every place", () => {
    const { diagnostics, machine } = run({
      networks: [network("main", [state("a", { start: true, arcs: [to("done")] }), state("done", { final: true }), state("done", { final: true }), state("done", { final: true })])],
    });
    const ds = only(diagnostics, "FSM0203");
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toBe("state `done` is defined 3 times in network `main`");
    expect(ds[0]?.labels.map((l) => l.message)).toEqual(["defined again here", "first defined here", "defined again here"]);
    expect(primary(ds[0])).toEqual(machine.networks[0]?.states[2]?.nameSpan);
  });

  it("allows the same state name in two networks (decision 6)", () => {
    const { diagnostics } = run({
      networks: [
        network("main", [state("a", { start: true, arcs: [push("sub", { returns: "done" })] }), state("done", { final: true })]),
        network("sub", [state("a", { start: true, arcs: [to("done")] }), state("done", { final: true })]),
      ],
    });
    expect(diagnostics).toEqual([]);
  });

  it("FSM0204: an unknown arc target, with did-you-mean", () => {
    const { diagnostics, source } = run({
      networks: [network("main", [state("a", { start: true, arcs: [to("rejectd")] }), state("rejected", { final: true })])],
    });
    const ds = only(diagnostics, "FSM0204");
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toBe("unknown state `rejectd`");
    expect(ds[0]?.help).toBe("did you mean `rejected`?");
    expect(textAt(source.text, primary(ds[0]))).toBe("rejectd");
  });

  it("FSM0204: an arc cannot target a state of another network", () => {
    const { diagnostics } = run({
      networks: [
        network("main", [state("a", { start: true, arcs: [to("s2")] }), state("done", { final: true })]),
        network("sub", [state("s1", { start: true, arcs: [to("s2")] }), state("s2", { final: true })]),
      ],
    });
    expect(only(diagnostics, "FSM0204").map((d) => d.message)).toEqual(["unknown state `s2`"]);
  });

  it("FSM0205 and FSM0206: repeated record types and resources", () => {
    const { diagnostics } = run({
      records: [
        { name: "Order", fields: [] },
        { name: "Order", fields: [] },
      ],
      resources: [{ name: "db" }, { name: "db", type: "postgres" }],
      networks: [network("main", [state("a", { start: true, uses: ["db"], arcs: [to("done")] }), state("done", { final: true })])],
    });
    expect(only(diagnostics, "FSM0205").map((d) => d.message)).toEqual(["record type `Order` is defined twice"]);
    expect(only(diagnostics, "FSM0206").map((d) => d.message)).toEqual(["resource `db` is declared twice"]);
  });

  it("FSM0207: an unknown push network", () => {
    const { diagnostics, source } = run({
      networks: [network("main", [state("s0", { start: true, arcs: [push("scorng", { returns: "done" })] }), state("done", { final: true })]), network("scoring", ok("s"))],
    });
    const ds = only(diagnostics, "FSM0207");
    expect(ds.map((d) => d.message)).toEqual(["unknown network `scorng`"]);
    expect(ds[0]?.help).toBe("did you mean `scoring`?");
    expect(textAt(source.text, primary(ds[0]))).toBe("scorng");
  });

  it("FSM0208: an unknown `net:state` entry state", () => {
    const { diagnostics } = run({
      networks: [
        network("main", [state("s0", { start: true, arcs: [push("sub:secnd", { returns: "done" })] }), state("done", { final: true })]),
        network("sub", [state("first", { start: true, arcs: [to("second")] }), state("second", { arcs: [to("end")] }), state("end", { final: true })]),
      ],
    });
    const ds = only(diagnostics, "FSM0208");
    expect(ds.map((d) => d.message)).toEqual(["unknown state `secnd` in network `sub`"]);
    expect(ds[0]?.help).toBe("did you mean `second`?");
  });

  it("FSM0209: a return state must be a state of the pushing network", () => {
    const { diagnostics, source } = run({
      networks: [
        network("main", [state("s0", { start: true, arcs: [push("sub", { returns: "s2" })] }), state("done", { final: true })]),
        network("sub", [state("s1", { start: true, arcs: [to("s2")] }), state("s2", { final: true })]),
      ],
    });
    const ds = only(diagnostics, "FSM0209");
    expect(ds.map((d) => d.message)).toEqual(["unknown return state `s2`"]);
    expect(textAt(source.text, primary(ds[0]))).toBe("s2");
  });

  it("FSM0210: an unknown main network", () => {
    const { diagnostics, source } = run({ main: "mainn", networks: [network("main", ok("a"))] });
    const ds = only(diagnostics, "FSM0210");
    expect(ds.map((d) => d.message)).toEqual(["unknown main network `mainn`"]);
    expect(ds[0]?.help).toBe("did you mean `main`?");
    expect(textAt(source.text, primary(ds[0]))).toBe("mainn");
  });

  it("FSM0211: unknown record types on states and inside record types", () => {
    const { diagnostics, source } = run({
      records: [
        { name: "Order", fields: [{ name: "customer", type: { kind: "array", items: { kind: "ref", name: "Custmer" } } }] },
        { name: "Customer", fields: [{ name: "name", type: { kind: "string" } }] },
      ],
      networks: [network("main", [state("a", { start: true, recordType: "Ordr", arcs: [to("done")] }), state("done", { final: true, recordType: "Order" })])],
    });
    const ds = only(diagnostics, "FSM0211");
    expect(ds.map((d) => [d.message, d.help, textAt(source.text, primary(d))])).toEqual([
      ["unknown record type `Custmer`", "did you mean `Customer`?", "Custmer"],
      ["unknown record type `Ordr`", "did you mean `Order`?", "Ordr"],
    ]);
  });

  it("FSM0211: a misspelt built-in field type suggests the built-in type; a state's record type does not", () => {
    const { diagnostics } = run({
      records: [
        {
          name: "R",
          fields: [
            { name: "v", type: { kind: "ref", name: "nmber" } },
            { name: "w", type: { kind: "ref", name: "strng" } },
            { name: "x", type: { kind: "ref", name: "integr" } },
            { name: "y", type: { kind: "ref", name: "boolen" } },
            { name: "z", type: { kind: "ref", name: "nul" } },
          ],
        },
      ],
      networks: [network("main", [state("a", { start: true, recordType: "nmber", arcs: [to("done")] }), state("done", { final: true })])],
    });
    expect(only(diagnostics, "FSM0211").map((d) => [d.message, d.help])).toEqual([
      ["unknown record type `nmber`", "did you mean `number`?"],
      ["unknown record type `strng`", "did you mean `string`?"],
      ["unknown record type `integr`", "did you mean `integer`?"],
      ["unknown record type `boolen`", "did you mean `boolean`?"],
      ["unknown record type `nul`", "did you mean `null`?"],
      // A state's type must be a record type: `number` would not be a fix there.
      ["unknown record type `nmber`", "define `record nmber { … }`, or use an existing record type"],
    ]);
  });

  it("FSM0212: unknown resources on states, arcs and networks", () => {
    const { diagnostics } = run({
      resources: [{ name: "db" }],
      networks: [
        network("main", [state("a", { start: true, uses: ["dbb"], arcs: [to("done", { uses: [{ role: "store", name: "cache" }, "db"] })] }), state("done", { final: true })], {
          uses: ["ledger"],
        }),
      ],
    });
    expect(only(diagnostics, "FSM0212").map((d) => [d.message, d.help])).toEqual([
      ["unknown resource `ledger`", "declare a resource `ledger` at the top of the machine"],
      ["unknown resource `dbb`", "did you mean `db`?"],
      ["unknown resource `cache`", "declare a resource `cache` at the top of the machine"],
    ]);
  });

  it("FSM0213: an unknown `on error` target", () => {
    const { diagnostics } = run({
      networks: [network("main", [state("a", { start: true, onError: "rejectd", arcs: [to("done")] }), state("done", { final: true }), state("rejected", { final: true })])],
    });
    const ds = only(diagnostics, "FSM0213");
    expect(ds.map((d) => [d.message, d.help])).toEqual([["unknown error target `rejectd`", "did you mean `rejected`?"]]);
  });

  it("FSM0214: an unknown builtin keeps the reference's message (SEMANTICS C20)", () => {
    const { diagnostics } = run({
      networks: [network("main", [state("a", { start: true, pre: [{ builtin: "validators.does_not_exist" }], arcs: [to("done")] }), state("done", { final: true })])],
    });
    const ds = only(diagnostics, "FSM0214");
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toContain("Built-in function not found: validators.does_not_exist");
  });

  it("FSM0214: suggests a close builtin name", () => {
    const { diagnostics } = run({
      networks: [network("main", [state("a", { start: true, transforms: [{ builtin: "transformers.map_field", params: { mapping: { a: "b" } } }], arcs: [to("done")] }), state("done", { final: true })])],
    });
    expect(only(diagnostics, "FSM0214")[0]?.help).toBe("did you mean `transformers.map_fields`?");
  });

  it("FSM0215: a repeated field, also in nested object types", () => {
    const { diagnostics } = run({
      records: [
        {
          name: "Order",
          fields: [
            { name: "id", type: { kind: "number", integer: true } },
            { name: "id", type: { kind: "string" } },
            { name: "lines", type: { kind: "array", items: { kind: "object", fields: [{ name: "sku", type: { kind: "string" } }, { name: "sku", type: { kind: "string" } }] } } },
          ],
        },
      ],
      networks: [network("main", ok("a"))],
    });
    expect(only(diagnostics, "FSM0215").map((d) => d.message)).toEqual([
      "field `id` is defined twice in record type `Order`",
      "field `sku` is defined twice in record type `Order`",
    ]);
  });

  it("FSM0216: one role bound twice in one state", () => {
    const { diagnostics } = run({
      resources: [{ name: "db" }, { name: "cache" }],
      networks: [network("main", [state("a", { start: true, uses: [{ role: "store", name: "db" }, { role: "store", name: "cache" }], arcs: [to("done")] }), state("done", { final: true })])],
    });
    expect(only(diagnostics, "FSM0216").map((d) => d.message)).toEqual(["role `store` is bound twice in state `a`"]);
  });

  it("reports every error of a phase, sorted by offset", () => {
    const { diagnostics } = run({
      main: "mian",
      networks: [network("main", [state("a", { start: true, arcs: [to("x"), to("y", { when: "c" })] }), state("done", { final: true })])],
    });
    const starts = diagnostics.map((d) => primary(d)?.start ?? -1);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    // The shadowed arc's warning points at the arc (`-> y`), before its target name.
    expect(diagnostics.map((d) => d.code)).toEqual(["FSM0210", "FSM0204", "FSM0306", "FSM0204"]);
  });
});
