import { describe, expect, it } from "vitest";
import { check } from "../../../compiler/check/index.js";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import type { Span } from "../../../compiler/source/index.js";
import { buildMachine, network, push, state, to, type FnSpec, type MachineSpec, type RecordSpec, type TypeSpec } from "../../support/ir-builders.js";

function run(spec: MachineSpec) {
  const { machine, source } = buildMachine(spec);
  const result = check([machine]);
  return { machine, source, diagnostics: result.diagnostics };
}

function only(diagnostics: readonly Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

function primary(d: Diagnostic | undefined): Span | undefined {
  return d?.labels.find((l) => l.primary)?.span;
}

const text = (source: { text: string }, span: Span | undefined): string => (span ? source.text.slice(span.start, span.end) : "<none>");

const linear = () => network("main", [state("a", { start: true, arcs: [to("done")] }), state("done", { final: true })]);

describe("check: start states", () => {
  it("FSM0301: the main network without a start state", () => {
    const { diagnostics, source } = run({ networks: [network("main", [state("a", { arcs: [to("done")] }), state("done", { final: true })])] });
    const ds = only(diagnostics, "FSM0301");
    expect(ds.map((d) => d.message)).toEqual(["network `main` has no start state"]);
    expect(text(source, primary(ds[0]))).toBe("main");
    expect(ds[0]?.labels[0]?.message).toBe("the run starts in this network");
  });

  it("FSM0301: a sub-network without a start state lists the pushes that need one", () => {
    const { diagnostics, source } = run({
      networks: [
        network("main", [state("a", { start: true, arcs: [push("sub", { returns: "done" })] }), state("done", { final: true })]),
        network("sub", [state("s1", { arcs: [to("s2")] }), state("s2", { final: true })]),
      ],
    });
    const ds = only(diagnostics, "FSM0301");
    expect(ds).toHaveLength(1);
    expect(ds[0]?.labels.map((l) => [text(source, l.span), l.primary, l.message])).toEqual([
      ["sub", true, "no state is marked as start"],
      ["sub", false, "pushed here without an entry state"],
    ]);
    expect(only(diagnostics, "FSM0303")).toEqual([]);
  });

  it("a sub-network entered only at explicit states needs no start state", () => {
    const { diagnostics } = run({
      networks: [
        network("main", [state("a", { start: true, arcs: [push("sub:s1", { returns: "done" })] }), state("done", { final: true })]),
        network("sub", [state("s1", { arcs: [to("s2")] }), state("s2", { final: true })]),
      ],
    });
    expect(diagnostics).toEqual([]);
  });

  it("FSM0302: several start states are one error with every place", () => {
    const { diagnostics, source } = run({
      networks: [network("main", [state("a", { start: true, arcs: [to("done")] }), state("b", { start: true, arcs: [to("done")] }), state("c", { start: true, arcs: [to("done")] }), state("done", { final: true })])],
    });
    const ds = only(diagnostics, "FSM0302");
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toBe("network `main` has 3 start states");
    expect(ds[0]?.labels.map((l) => [text(source, l.span), l.primary])).toEqual([
      ["b", true],
      ["c", false],
      ["a", false],
    ]);
  });

  it("FSM0303: a push without entry state into a network entered elsewhere explicitly", () => {
    const { diagnostics, source } = run({
      networks: [
        network("main", [
          state("a", { start: true, arcs: [push("sub:second", { returns: "b" })] }),
          state("b", { arcs: [push("sub", { returns: "done" })] }),
          state("done", { final: true }),
        ]),
        network("sub", [state("first", { arcs: [to("second")] }), state("second", { arcs: [to("end")] }), state("end", { final: true })]),
      ],
    });
    const ds = only(diagnostics, "FSM0303");
    expect(ds.map((d) => d.message)).toEqual(["network `sub` has no start state to push into"]);
    expect(text(source, primary(ds[0]))).toBe("sub");
    expect(primary(ds[0])?.start).toBeLessThan(source.text.indexOf("network sub"));
    expect(only(diagnostics, "FSM0301")).toEqual([]);
  });
});

describe("check: transitions", () => {
  it("FSM0304: a non-final state without arcs or on-error is a warning", () => {
    const { diagnostics } = run({
      networks: [network("main", [state("start", { start: true, arcs: [to("a", { when: { inline: "data.v > 5" } })] }), state("a"), state("end", { final: true })])],
    });
    const ds = only(diagnostics, "FSM0304");
    expect(ds.map((d) => [d.severity, d.message])).toEqual([["warning", "state `a` has no way out"]]);
  });

  it("an on-error route is a way out", () => {
    const { diagnostics } = run({
      networks: [network("main", [state("a", { start: true, arcs: [to("b")] }), state("b", { onError: "done" }), state("done", { final: true })])],
    });
    expect(only(diagnostics, "FSM0304")).toEqual([]);
  });

  it("FSM0305: arcs of a final state, one warning per state (SEMANTICS C08)", () => {
    const { diagnostics, source } = run({
      networks: [network("x", [state("a", { start: true, arcs: [to("b")] }), state("b", { final: true, arcs: [to("a"), to("b")] })])],
    });
    const ds = only(diagnostics, "FSM0305");
    expect(ds.map((d) => [d.severity, d.message])).toEqual([["warning", "the 2 arcs of final state `b` are never taken"]]);
    expect(ds[0]?.labels.map((l) => [text(source, l.span), l.primary])).toEqual([
      ["-> a", true],
      ["-> b", false],
      ["b", false],
    ]);
    // Arcs of final states are never shadow-checked: they are dead already.
    expect(only(diagnostics, "FSM0306")).toEqual([]);
  });

  it("FSM0306: an unconditional arc shadows every later arc in evaluation order", () => {
    const { diagnostics, source } = run({
      networks: [
        network("main", [
          state("route", { start: true, arcs: [to("done"), to("enrich", { when: "isGold" }), to("other", { priority: 1, when: "isOther" })] }),
          state("enrich", { arcs: [to("done")] }),
          state("other", { arcs: [to("done")] }),
          state("done", { final: true }),
        ]),
      ],
    });
    const ds = only(diagnostics, "FSM0306");
    // `other` has a higher priority, so it is tried before the unconditional arc and stays reachable.
    expect(ds.map((d) => [d.severity, d.message, text(source, primary(d))])).toEqual([
      ["warning", "the arc to `enrich` can never be taken", "-> enrich when isGold"],
    ]);
    expect(ds[0]?.labels[1]?.message).toBe("the arc to `done` has no condition and is tried first");
  });

  it("FSM0306: a later unconditional arc of higher priority shadows an earlier one (SEMANTICS C04)", () => {
    const { diagnostics, source } = run({
      networks: [network("main", [state("start", { start: true, arcs: [to("a"), to("b", { priority: 1 })] }), state("a", { arcs: [to("end")] }), state("b", { arcs: [to("end")] }), state("end", { final: true })])],
    });
    // The engine sorts by priority first: `b` (1) is tried before `a` (0) and always taken.
    const ds = only(diagnostics, "FSM0306");
    expect(ds.map((d) => [d.message, text(source, primary(d))])).toEqual([["the arc to `a` can never be taken", "-> a"]]);
  });

  it("FSM0306: equal priority keeps declaration order; named arcs are named", () => {
    const { diagnostics } = run({
      networks: [
        network("main", [
          state("s", { start: true, arcs: [to("a", { priority: 2, name: "first" }), push("sub", { priority: 2, name: "second" })] }),
          state("a", { arcs: [to("done")] }),
          state("done", { final: true }),
        ]),
        network("sub", [state("x", { start: true, arcs: [to("y")] }), state("y", { final: true })]),
      ],
    });
    expect(only(diagnostics, "FSM0306").map((d) => d.message)).toEqual(["arc `second` can never be taken"]);
  });

  it("FSM0306 is only given for the depth-first strategy", () => {
    const { diagnostics } = run({
      strategy: "breadth_first",
      networks: [network("main", [state("a", { start: true, arcs: [to("done"), to("b")] }), state("b", { arcs: [to("done")] }), state("done", { final: true })])],
    });
    expect(only(diagnostics, "FSM0306")).toEqual([]);
  });

  it("FSM0317: turning output off on a non-final state", () => {
    const { diagnostics } = run({
      networks: [network("main", [state("a", { start: true, emitOutput: false, arcs: [to("done")] }), state("done", { final: true, emitOutput: false })])],
    });
    expect(only(diagnostics, "FSM0317").map((d) => d.message)).toEqual(["state `a` is not final, so it cannot turn its output off"]);
  });
});

describe("check: push nesting", () => {
  it("FSM0307: a self-recursive push is a warning noting it is unconditional (SEMANTICS C29)", () => {
    const { diagnostics, source } = run({
      networks: [
        network("main", [state("s0", { start: true, arcs: [push("loop", { returns: "end" })] }), state("end", { final: true })]),
        network("loop", [state("p", { start: true, arcs: [push("loop", { returns: "done" })] }), state("done", { final: true })]),
      ],
    });
    const ds = only(diagnostics, "FSM0307");
    expect(ds.map((d) => [d.severity, d.message])).toEqual([["warning", "push recursion `loop` → `loop` can exceed the depth limit of 10"]]);
    expect(ds[0]?.notes).toContain("no push on this cycle has a condition, so only a failing state ends the recursion");
    expect(primary(ds[0])?.start).toBeGreaterThan(source.text.indexOf("network loop"));
  });

  it("FSM0307: a cycle through two networks names the cycle and labels both pushes", () => {
    const { diagnostics } = run({
      networks: [
        network("main", [state("s", { start: true, arcs: [push("a", { returns: "end" })] }), state("end", { final: true })]),
        network("a", [state("a1", { start: true, arcs: [push("b", { when: "deeper", returns: "a2" }), to("a2")] }), state("a2", { final: true })]),
        network("b", [state("b1", { start: true, arcs: [push("a", { returns: "b2" })] }), state("b2", { final: true })]),
      ],
    });
    const ds = only(diagnostics, "FSM0307");
    expect(ds.map((d) => d.message)).toEqual(["push recursion `a` → `b` → `a` can exceed the depth limit of 10"]);
    expect(ds[0]?.labels).toHaveLength(2);
    expect(ds[0]?.notes).toHaveLength(1);
  });

  it("FSM0307: an acyclic chain deeper than the limit", () => {
    const names = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const networks = names.map((n, i) => {
      const next = names[i + 1];
      return network(n, [state("s", { start: true, arcs: next ? [push(next, { returns: "e" })] : [to("e")] }), state("e", { final: true })]);
    });
    const { diagnostics } = run({ networks });
    const ds = only(diagnostics, "FSM0307");
    expect(ds.map((d) => d.message)).toEqual([
      "push chain `n0` → `n1` → `n2` → `n3` → `n4` → `n5` → `n6` → `n7` → `n8` → `n9` → `n10` → `n11` nests 11 subflows, more than the depth limit of 10",
    ]);
    expect(ds[0]?.labels).toHaveLength(11);
  });

  it("a chain of exactly the limit is fine", () => {
    const names = Array.from({ length: 11 }, (_, i) => `n${i}`);
    const networks = names.map((n, i) => {
      const next = names[i + 1];
      return network(n, [state("s", { start: true, arcs: next ? [push(next, { returns: "e" })] : [to("e")] }), state("e", { final: true })]);
    });
    expect(only(run({ networks }).diagnostics, "FSM0307")).toEqual([]);
  });
});

describe("check: builtins", () => {
  const withFn = (slot: "pre" | "transforms" | "validators", fn: FnSpec) =>
    run({ networks: [network("main", [state("a", { start: true, [slot]: [fn], arcs: [to("done")] }), state("done", { final: true })])] });

  it("accepts the SEMANTICS C20 builtins", () => {
    const { diagnostics } = run({
      networks: [
        network("main", [
          state("start", {
            start: true,
            pre: [{ builtin: "validators.RequiredFieldsValidator", params: { fields: ["id"] } }],
            transforms: [{ builtin: "transformers.normalize", params: { name: "uppercase" } }],
            arcs: [to("end", { transforms: [{ builtin: "transformers.map_fields", params: { mapping: { id: "record_id" } } }] })],
          }),
          state("end", { final: true }),
        ]),
      ],
    });
    expect(diagnostics).toEqual([]);
  });

  it("FSM0308: a transformer used as a condition, a validator as a transform", () => {
    const { diagnostics } = run({
      networks: [
        network("main", [
          state("a", {
            start: true,
            transforms: [{ builtin: "validators.range", params: { field: "x", min: 1 } }],
            arcs: [to("done", { when: { builtin: "transformers.flatten" } })],
          }),
          state("done", { final: true }),
        ]),
      ],
    });
    expect(only(diagnostics, "FSM0308").map((d) => d.message)).toEqual([
      "`validators.range` cannot be used as a state transform",
      "`transformers.flatten` cannot be used as an arc condition",
    ]);
  });

  it("FSM0309: missing, unknown, mistyped, empty and out-of-set params", () => {
    const cases: [FnSpec, string][] = [
      [{ builtin: "validators.required_fields" }, "`validators.required_fields` needs the parameter `fields`"],
      [{ builtin: "validators.required_fields", params: { fields: ["a"], feilds: ["b"] } }, "`validators.required_fields` has no parameter `feilds`"],
      [{ builtin: "validators.required_fields", params: { fields: "a" } }, "parameter `fields` of `validators.required_fields` must be a list of strings"],
      [{ builtin: "validators.required_fields", params: { fields: [] } }, "parameter `fields` of `validators.required_fields` must not be empty"],
      [{ builtin: "validators.type_check", params: { types: { a: "int" } } }, "parameter `types` of `validators.type_check` cannot be `int`"],
      [{ builtin: "validators.range", params: { field: "x" } }, "`validators.range` needs `min`, `max` or both"],
      [{ builtin: "validators.length", params: { field: "x", min: 5, max: 2 } }, "`validators.length` has `min` 5 above `max` 2"],
      [{ builtin: "validators.range", params: { field: "x", min: "1" } }, "parameter `min` of `validators.range` must be a number"],
    ];
    for (const [fn, message] of cases) {
      const ds = only(withFn("pre", fn).diagnostics, "FSM0309");
      expect(ds.map((d) => d.message)).toEqual([message]);
    }
    const unknown = only(withFn("pre", { builtin: "validators.required_fields", params: { fields: ["a"], feilds: ["b"] } }).diagnostics, "FSM0309");
    expect(unknown[0]?.help).toBe("did you mean `fields`?");
  });

  it("FSM0313: an invalid pattern param of validators.pattern", () => {
    const ds = only(withFn("pre", { builtin: "validators.pattern", params: { field: "code", pattern: "[A-Z" } }).diagnostics, "FSM0313");
    expect(ds.map((d) => d.message)).toEqual(["invalid regular expression `[A-Z`"]);
  });

  it("FSM0318: one registered function used as sync and as async", () => {
    const { diagnostics, source } = run({
      networks: [
        network("main", [
          state("a", { start: true, transforms: [{ registered: "enrich", async: true }], arcs: [to("b")] }),
          state("b", { transforms: ["enrich"], arcs: [to("done")] }),
          state("done", { final: true }),
        ]),
      ],
    });
    const ds = only(diagnostics, "FSM0318");
    expect(ds.map((d) => [d.severity, d.message])).toEqual([["warning", "function `enrich` is declared async in one place and sync in another"]]);
    expect(ds[0]?.labels.map((l) => text(source, l.span))).toEqual(["enrich", "await enrich"]);
  });
});

describe("check: record-type schemas", () => {
  const record = (...fields: [string, TypeSpec][]): RecordSpec => ({ name: "R", fields: fields.map(([name, type]) => ({ name, type })) });
  const runRecord = (r: RecordSpec) => run({ records: [r], networks: [linear()] }).diagnostics;

  it("FSM0310: crossed bounds of numbers, integers, lengths and item counts", () => {
    const ds = runRecord(
      record(
        ["a", { kind: "number", minimum: 10, maximum: 5 }],
        ["b", { kind: "number", minimum: 5, exclusiveMaximum: 5 }],
        ["c", { kind: "number", integer: true, minimum: 1.2, maximum: 1.8 }],
        ["d", { kind: "string", minLength: 3, maxLength: 1 }],
        ["e", { kind: "array", items: { kind: "any" }, minItems: 2, maxItems: 1 }],
        ["ok", { kind: "number", integer: true, exclusiveMinimum: 1, maximum: 2 }],
      ),
    );
    expect(only(ds, "FSM0310").map((d) => d.message)).toEqual([
      "number range: nothing lies between minimum 10 and maximum 5",
      "number range: nothing lies between minimum 5 and exclusive maximum 5",
      "integer range: no integer lies between minimum 1.2 and maximum 1.8",
      "string length: nothing lies between minimum length 3 and maximum length 1",
      "array length: nothing lies between minimum 2 items and maximum 1 items",
    ]);
  });

  it("FSM0311: negative or fractional counts", () => {
    const ds = runRecord(record(["a", { kind: "string", minLength: -1 }], ["b", { kind: "array", items: { kind: "any" }, maxItems: 1.5 }]));
    expect(only(ds, "FSM0311").map((d) => d.message)).toEqual([
      "`minLength` must be a whole number ≥ 0, not -1",
      "`maxItems` must be a whole number ≥ 0, not 1.5",
    ]);
  });

  it("FSM0312: an empty enum and an empty union", () => {
    const ds = runRecord(record(["a", { kind: "enum", values: [] }], ["b", { kind: "union", members: [] }]));
    expect(only(ds, "FSM0312").map((d) => d.message)).toEqual(["an enum without values matches nothing", "a union without members matches nothing"]);
  });

  it("FSM0313: an invalid (unicode-mode) pattern", () => {
    const ds = runRecord(record(["a", { kind: "string", pattern: "[A-Z(" }], ["ok", { kind: "string", pattern: "^\\p{Lu}+$" }]));
    expect(only(ds, "FSM0313").map((d) => d.message)).toEqual(["invalid regular expression `[A-Z(`"]);
  });
});

describe("check: settings", () => {
  it("FSM0314: a transition limit below 1", () => {
    const ds = run({ maxTransitions: 0, networks: [linear()] }).diagnostics;
    expect(only(ds, "FSM0314").map((d) => d.message)).toEqual(["the transition limit must be a whole number ≥ 1, not 0"]);
    expect(only(run({ maxTransitions: 2.5, networks: [linear()] }).diagnostics, "FSM0314")).toHaveLength(1);
  });

  it("FSM0315: a negative or zero timeout", () => {
    expect(only(run({ timeoutSeconds: -5, networks: [linear()] }).diagnostics, "FSM0315").map((d) => d.message)).toEqual([
      "the timeout must be a positive number of seconds, not -5",
    ]);
    expect(only(run({ timeoutSeconds: 0, networks: [linear()] }).diagnostics, "FSM0315")).toHaveLength(1);
    expect(run({ timeoutSeconds: 0.5, networks: [linear()] }).diagnostics).toEqual([]);
  });

  it("FSM0316: retry policy values out of range", () => {
    const ds = run({ retry: { maxRetries: -1, backoffFactor: 0.5, initialDelayMs: 500, maxDelayMs: 100 }, networks: [linear()] }).diagnostics;
    expect(only(ds, "FSM0316").map((d) => d.message)).toEqual([
      "retry `maxRetries` must be a whole number ≥ 0, not -1",
      "retry `backoffFactor` must be a number ≥ 1, not 0.5",
      "retry `maxDelayMs` must be a number of milliseconds ≥ initialDelayMs (500), not 100",
    ]);
  });
});
