import { describe, expect, it } from "vitest";
import { analyze, analysisOf, isSync } from "../../../compiler/analyze/index.js";
import { check } from "../../../compiler/check/index.js";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import type { Span } from "../../../compiler/source/index.js";
import { buildMachine, network, push, state, to, type MachineSpec } from "../../support/ir-builders.js";

function run(spec: MachineSpec) {
  const { machine, source } = buildMachine(spec);
  const symbols = check([machine]).value;
  if (!symbols) throw new Error("check produced no table");
  const result = analyze([machine], symbols);
  const report = result.value && analysisOf(result.value, machine);
  if (!report) throw new Error("analyze produced no report");
  return { machine, source, report, diagnostics: result.diagnostics };
}

const only = (ds: readonly Diagnostic[], code: string) => ds.filter((d) => d.code === code);
const primary = (d: Diagnostic | undefined): Span | undefined => d?.labels.find((l) => l.primary)?.span;
const text = (source: { text: string }, span: Span | undefined) => (span ? source.text.slice(span.start, span.end) : "<none>");

describe("analyze: reachability", () => {
  it("follows arcs, pushes, returns and on-error routes", () => {
    const { report, diagnostics } = run({
      networks: [
        network("main", [
          state("start", { start: true, arcs: [push("sub", { returns: "after" })] }),
          state("after", { onError: "failed", arcs: [to("end")] }),
          state("end", { final: true }),
          state("failed", { final: true }),
        ]),
        network("sub", [state("s1", { start: true, arcs: [to("s2")] }), state("s2", { final: true })]),
      ],
    });
    expect(report.reachable).toEqual(["main.start", "main.after", "main.end", "main.failed", "sub.s1", "sub.s2"]);
    expect(diagnostics).toEqual([]);
  });

  it("a return state is unreachable while the pushed network cannot finish", () => {
    const { report, diagnostics } = run({
      networks: [
        network("main", [state("start", { start: true, arcs: [push("sub", { returns: "after" }), to("end", { when: "skip" })] }), state("after", { arcs: [to("end")] }), state("end", { final: true })]),
        network("sub", [state("s1", { start: true, arcs: [to("s1")] }), state("s2", { final: true })]),
      ],
    });
    expect(report.reachable).toEqual(["main.start", "main.end", "sub.s1"]);
    expect(only(diagnostics, "FSM0401").map((d) => d.message)).toEqual([
      "state `after` of network `main` is unreachable",
      "state `s2` of network `sub` is unreachable",
    ]);
  });

  it("FSM0401: a state no path reaches; arcs of final states are not followed (SEMANTICS C08)", () => {
    const { diagnostics, source } = run({
      networks: [network("main", [state("a", { start: true, arcs: [to("done")] }), state("orphan", { arcs: [to("done")] }), state("done", { final: true, arcs: [to("ghost")] }), state("ghost", { arcs: [to("done")] })])],
    });
    const ds = only(diagnostics, "FSM0401");
    expect(ds.map((d) => [d.severity, d.message, text(source, primary(d))])).toEqual([
      ["warning", "state `orphan` of network `main` is unreachable", "orphan"],
      ["warning", "state `ghost` of network `main` is unreachable", "ghost"],
    ]);
    expect(ds[0]?.labels[0]?.message).toBe("no path from `a` leads here");
  });

  it("FSM0402: a network nothing (reachable) pushes into is reported once, not per state", () => {
    const { diagnostics } = run({
      networks: [
        network("main", [state("a", { start: true, arcs: [to("done")] }), state("dead", { arcs: [push("used_by_dead")] }), state("done", { final: true })]),
        network("scoring", [state("s", { start: true, arcs: [to("d")] }), state("d", { final: true })]),
        network("used_by_dead", [state("s", { start: true, arcs: [to("d")] }), state("d", { final: true })]),
      ],
    });
    expect(only(diagnostics, "FSM0402").map((d) => [d.message, d.labels[0]?.message])).toEqual([
      ["network `scoring` is never entered", "no push arc targets it"],
      ["network `used_by_dead` is never entered", "only unreachable states push into it"],
    ]);
    expect(only(diagnostics, "FSM0401").map((d) => d.message)).toEqual(["state `dead` of network `main` is unreachable"]);
  });

  it("FSM0406: no final state is reachable", () => {
    const { diagnostics, source } = run({
      networks: [network("main", [state("a", { start: true, arcs: [to("b")] }), state("b", { arcs: [to("a")] }), state("done", { final: true })])],
    });
    const ds = only(diagnostics, "FSM0406");
    expect(ds.map((d) => [d.message, text(source, primary(d))])).toEqual([["no final state is reachable from `a`", "a"]]);
  });

  it("reports nothing about reachability without a main start state (check's error is the cause)", () => {
    const { diagnostics, report } = run({ networks: [network("main", [state("a", { arcs: [to("done")] }), state("done", { final: true })])] });
    expect(diagnostics).toEqual([]);
    expect(report.reachable).toEqual([]);
  });
});

describe("analyze: resources", () => {
  const spec: MachineSpec = {
    resources: [{ name: "db" }, { name: "api", type: "http" }, { name: "llm", type: "llm" }, { name: "spare" }],
    networks: [
      network(
        "main",
        [
          state("start", { start: true, uses: ["db"], arcs: [push("sub", { returns: "end", uses: ["api"] })] }),
          state("end", { final: true }),
        ],
        { uses: ["db", "spare"] },
      ),
      network("sub", [state("s1", { start: true, uses: ["llm"], arcs: [to("s2", { uses: [{ role: "http", name: "api" }] })] }), state("s2", { final: true })], { uses: ["db"] }),
    ],
  };

  it("computes held resources with inheritance through pushes, per state and per arc", () => {
    const { report } = run(spec);
    expect(report.heldResources).toEqual({ "main.start": ["db"], "main.end": [], "sub.s1": ["db", "llm"], "sub.s2": ["db"] });
    expect(report.arcResources).toEqual({ "main.start#0": ["api", "db"], "sub.s1#0": ["api", "db", "llm"] });
    expect(report.usedResources).toEqual(["api", "db", "llm"]);
    expect(report.maxHeldResources).toBe(3);
  });

  it("FSM0403 and FSM0404: an unused resource (network lists do not count) and a network list nothing of the network uses", () => {
    const { diagnostics, source } = run(spec);
    const unused = only(diagnostics, "FSM0403");
    expect(unused.map((d) => d.message)).toEqual(["resource `spare` is never used"]);
    expect(unused[0]?.labels.map((l) => [text(source, l.span), l.primary])).toEqual([
      ["spare", true],
      ["spare", false],
    ]);
    expect(only(diagnostics, "FSM0404").map((d) => d.message)).toEqual(["network `sub` lists resource `db`, but none of its states or arcs uses it"]);
  });
});

describe("analyze: role scopes and resource lifetimes", () => {
  const spec: MachineSpec = {
    resources: [{ name: "db" }, { name: "files", type: "filesystem" }, { name: "api", type: "http" }],
    networks: [
      network("main", [
        state("a", { start: true, uses: [{ role: "store", name: "db" }], arcs: [push("sub", { returns: "c" }), to("b", { uses: ["api"] })] }),
        state("b", { uses: [{ role: "store", name: "files" }], arcs: [push("sub", { returns: "c", uses: ["api"] })] }),
        state("c", { final: true }),
      ]),
      network("sub", [
        state("s", { start: true, uses: ["db"], arcs: [to("t", { when: "ok", transforms: ["f"], uses: [{ role: "store", name: "api" }] })] }),
        state("t", { final: true }),
      ]),
    ],
  };

  it("gives each state the roles it binds and inherits (a role bound differently by two pushes names both), an arc's own winning", () => {
    const { report } = run(spec);
    expect(report.stateRoles).toEqual({
      "main.a": { store: ["db"] },
      "main.b": { store: ["files"] },
      "main.c": {},
      "sub.s": { db: ["db"], store: ["db", "files"] },
      "sub.t": { store: ["db", "files"] },
    });
    // A push's own resources are not inherited: the sub-network inherits the pushing state's scope.
    expect(report.arcRoles).toEqual({
      "main.a#0": { store: ["db"] },
      "main.a#1": { api: ["api"], store: ["db"] },
      "main.b#0": { api: ["api"], store: ["files"] },
      "sub.s#0": { db: ["db"], store: ["api"] },
    });
  });

  it("says what each state acquires on entry (own minus inherited) and releases, and what each arc acquires for its condition and transforms", () => {
    const { report } = run(spec);
    expect(report.stateLifetimes).toEqual({
      "main.a": { acquired: ["db"], released: ["db"], inherited: [] },
      "main.b": { acquired: ["files"], released: ["files"], inherited: [] },
      "main.c": { acquired: [], released: [], inherited: [] },
      "sub.s": { acquired: [], released: [], inherited: ["db", "files"] },
      "sub.t": { acquired: [], released: [], inherited: ["db", "files"] },
    });
    expect(report.arcLifetimes).toEqual({
      "main.a#0": { condition: [], transform: [] },
      "main.a#1": { condition: [], transform: [] },
      "main.b#0": { condition: [], transform: [] },
      "sub.s#0": { condition: ["api"], transform: ["api"] },
    });
  });

  it("isSync: a used resource with an asynchronous (or custom) provider makes the machine async; unused ones do not count", () => {
    const machine = (resources: NonNullable<MachineSpec["resources"]>, uses: string[]) =>
      run({ resources, networks: [network("main", [state("a", { start: true, uses, arcs: [to("b")] }), state("b", { final: true })])] }).report.isSync;
    expect(machine([{ name: "db" }, { name: "files", type: "filesystem" }, { name: "v", type: "vector" }], ["db", "files", "v"])).toBe(true);
    expect(machine([{ name: "db" }, { name: "api", type: "http" }], ["db"])).toBe(true);
    expect(machine([{ name: "api", type: "http" }], ["api"])).toBe(false);
    expect(machine([{ name: "pg", type: "postgres" }], ["pg"])).toBe(false);
    expect(machine([{ name: "c", type: "custom" }], ["c"])).toBe(false);
  });
});

describe("analyze: data modes, sync, terminals, push depth", () => {
  it("FSM0405: an error route from a direct-mode state", () => {
    const { diagnostics, report, source } = run({
      dataMode: "direct",
      networks: [
        network("main", [
          state("charge", { start: true, onError: "refund", arcs: [to("done")] }),
          state("safe", { dataMode: "copy", onError: "refund", arcs: [to("done")] }),
          state("refund", { final: true }),
          state("done", { final: true }),
        ]),
      ],
    });
    const ds = only(diagnostics, "FSM0405");
    expect(ds.map((d) => [d.message, text(source, primary(d))])).toEqual([
      ["the error route of direct-mode state `charge` sees partially changed data", "on error -> refund"],
    ]);
    expect(report.dataModes).toEqual({ "main.charge": "direct", "main.safe": "copy", "main.refund": "direct", "main.done": "direct" });
  });

  it("isSync: registered async functions and awaiting inline code make a machine async; builtins never do", () => {
    const sync = buildMachine({
      networks: [network("main", [state("a", { start: true, transforms: ["f", { builtin: "transformers.flatten" }, { inline: "data" }], arcs: [to("b")] }), state("b", { final: true })])],
    }).machine;
    const asyncFn = buildMachine({ networks: [network("main", [state("a", { start: true, transforms: [{ registered: "f", async: true }], arcs: [to("b")] }), state("b", { final: true })])] }).machine;
    const asyncInline = buildMachine({
      networks: [network("main", [state("a", { start: true, arcs: [to("b", { when: { inline: "await ok(data)", async: true } })] }), state("b", { final: true })])],
    }).machine;
    expect([isSync(sync), isSync(asyncFn), isSync(asyncInline)]).toEqual([true, false, false]);
  });

  it("terminals: the main network's finals and those of networks pushed without a return state (Q13)", () => {
    const { report } = run({
      networks: [
        network("main", [state("s", { start: true, arcs: [push("a", { returns: "x", when: "c" }), push("b")] }), state("x", { final: true })]),
        network("a", [state("a1", { start: true, arcs: [to("a2")] }), state("a2", { final: true })]),
        network("b", [state("b1", { start: true, arcs: [to("b2")] }), state("b2", { final: true })]),
      ],
    });
    expect(report.terminals).toEqual(["main.x", "b.b2"]);
    expect(report.maxPushDepth).toBe(1);
  });

  it("maxPushDepth is null when a push cycle is reachable", () => {
    const { report } = run({
      networks: [
        network("main", [state("s0", { start: true, arcs: [push("loop", { returns: "end" })] }), state("end", { final: true })]),
        network("loop", [state("p", { start: true, arcs: [push("loop", { returns: "done", when: "deeper" }), to("done")] }), state("done", { final: true })]),
      ],
    });
    expect(report.maxPushDepth).toBeNull();
  });

  it("is deterministic and leaves the IR unchanged", () => {
    const { machine } = buildMachine({ networks: [network("main", [state("a", { start: true, arcs: [to("b")] }), state("b", { final: true })])] });
    const before = JSON.stringify(machine);
    const symbols = check([machine]).value;
    if (!symbols) throw new Error("no symbols");
    const first = JSON.stringify(analyze([machine], symbols));
    expect(JSON.stringify(analyze([machine], symbols))).toBe(first);
    expect(JSON.stringify(machine)).toBe(before);
  });
});
