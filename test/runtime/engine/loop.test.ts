/**
 * The main loop: start states, first-match evaluation (E1), finality scoped to the current
 * network (Q1), the transition limit, and the engine's fixed messages (§2.5).
 */
import { describe, expect, it } from "vitest";
import { defineMachine } from "../../../runtime/index.js";
import { build, flow, runFlow } from "./support.js";

describe("starting a run", () => {
  it("a START+END state is a complete run (Q20)", async () => {
    const def = flow({ only: { start: true, final: true, transforms: [(d) => ({ ...d, ran: true })] } });
    expect(await runFlow(def, { a: 1 })).toEqual({
      success: true,
      final_state: "only",
      data: { a: 1, ran: true },
      path: ["only"],
      error: null,
      metadata: {},
    });
  });

  it("initialState starts elsewhere and runs that state's entry (E7)", async () => {
    const def = flow({
      start: { start: true, arcs: ["a"] },
      a: { transforms: [(d) => ({ ...d, a: true })], arcs: ["end"] },
      end: { final: true },
    });
    expect(await runFlow(def, {}, { process: { initialState: "a" } })).toMatchObject({ success: true, path: ["a", "end"], data: { a: true } });
    expect(await runFlow(def, {}, { process: { initialState: "end" } })).toMatchObject({ success: true, path: ["end"] });
  });

  it("an unknown initialState fails the run (E7)", async () => {
    const def = flow({ start: { start: true, final: true } });
    expect(await runFlow(def, { a: 1 }, { process: { initialState: "nowhere" } })).toEqual({
      success: false,
      final_state: null,
      data: { a: 1 },
      path: [],
      error: "Unknown initial state: nowhere",
      metadata: {},
    });
  });

  it("initialState is looked up in the main network first, then the others in order (E7)", async () => {
    const def = build({
      networks: {
        sub: { x: { start: true, transforms: [(d) => ({ ...d, net: "sub" })], final: true } },
        main: { start: { start: true, arcs: ["x"] }, x: { transforms: [(d) => ({ ...d, net: "main" })], final: true } },
        other: { y: { start: true, final: true, transforms: [(d) => ({ ...d, net: "other" })] } },
      },
      main: "main",
    });
    expect((await runFlow(def, {}, { process: { initialState: "x" } })).data).toEqual({ net: "main" });
    expect((await runFlow(def, {}, { process: { initialState: "y" } })).data).toEqual({ net: "other" });
  });

  it("a main network without a start state fails with `No initial state found`", async () => {
    const def = flow({ a: { final: true } });
    expect(await runFlow(def, {})).toMatchObject({ success: false, final_state: null, error: "No initial state found", path: [] });
  });

  it("the main network decides the start, not network order", async () => {
    const def = build({
      networks: { sub: { s1: { start: true, arcs: ["s2"] }, s2: { final: true } }, main: { m1: { start: true, arcs: ["m2"] }, m2: { final: true } } },
      main: "main",
    });
    expect((await runFlow(def, {})).path).toEqual(["m1", "m2"]);
  });

  it("a record that is not an object fails the run", async () => {
    const machine = defineMachine(flow({ s: { start: true, final: true } }));
    expect(machine.processSync(null as never)).toMatchObject({ success: false, error: "a record must be an object, got null" });
    expect(await machine.process([] as never)).toMatchObject({ success: false, error: "a record must be an object, got array" });
  });
});

describe("conditions (E1)", () => {
  it("stop at the first available arc: a later condition never runs, and cannot fail the record", async () => {
    const calls: string[] = [];
    const def = flow({
      start: {
        start: true,
        arcs: [
          { to: "b", priority: 1, when: () => (calls.push("b"), true) },
          {
            to: "a",
            priority: 5,
            when: () => {
              calls.push("a");
              return false;
            },
          },
          {
            to: "c",
            when: () => {
              calls.push("c");
              throw new Error("never evaluated");
            },
          },
        ],
      },
      a: { final: true },
      b: { final: true },
      c: { final: true },
    });
    const result = defineMachine(def).processSync({});
    expect(result.final_state).toBe("b");
    expect(calls).toEqual(["a", "b"]);
  });

  it("an unconditional arc before conditional ones of lower priority wins", async () => {
    const def = flow({
      start: { start: true, arcs: [{ to: "a", priority: 2 }, { to: "b", priority: 1, when: () => true }] },
      a: { final: true },
      b: { final: true },
    });
    expect((await runFlow(def, {})).final_state).toBe("a");
  });

  it("negative priorities sort below the default", async () => {
    const def = flow({
      start: { start: true, arcs: [{ to: "a", priority: -1 }, "b"] },
      a: { final: true },
      b: { final: true },
    });
    expect((await runFlow(def, {})).final_state).toBe("b");
  });
});

describe("finality and limits", () => {
  it("finality is judged in the current network only (Q1)", async () => {
    const def = build({
      networks: {
        main: { start: { start: true, arcs: ["done"] }, done: { arcs: ["end"] }, end: { final: true } },
        sub: { s: { start: true, arcs: ["done"] }, done: { final: true } },
      },
    });
    expect((await runFlow(def, {})).path).toEqual(["start", "done", "end"]);
  });

  it("a run may reach a final state on exactly its N-th transition", async () => {
    const def = flow(
      { a: { start: true, arcs: ["b"] }, b: { arcs: ["c"] }, c: { final: true } },
      { settings: { maxTransitions: 2 } },
    );
    expect((await runFlow(def, {})).success).toBe(true);
    const tight = flow(
      { a: { start: true, arcs: ["b"] }, b: { arcs: ["c"] }, c: { final: true } },
      { settings: { maxTransitions: 1 } },
    );
    expect(await runFlow(tight, {})).toMatchObject({ success: false, error: "Maximum transitions (1) exceeded", final_state: "b", path: ["a", "b"] });
  });

  it("a non-final state without arcs has no valid transition", async () => {
    const def = flow({ start: { start: true, arcs: ["stuck"] }, stuck: {}, end: { final: true } });
    expect(await runFlow(def, {})).toMatchObject({ success: false, final_state: "stuck", error: "No valid transitions from state: stuck" });
  });

  it("arc usage counters name source and target and count every use", async () => {
    const def = flow({
      a: { start: true, arcs: ["b"] },
      b: { transforms: [(d) => ({ visits: (d["visits"] ?? 0) + 1 })], arcs: [{ to: "a", when: (d) => d["visits"] < 2 }, "c"] },
      c: { final: true },
    });
    const result = await runFlow(def, {});
    expect(result.path).toEqual(["a", "b", "a", "b", "c"]);
    expect(result.metadata).toEqual({ arc_a_b_usage: 2, arc_b_a_usage: 1, arc_b_c_usage: 1 });
  });
});

describe("other failures (§2.5)", () => {
  it("an exception in code the engine trusts (the input copy) fails the run with its message", async () => {
    const def = {
      ...flow({ s: { start: true, final: true } }),
      copyInput: () => {
        throw new Error("cannot copy this record");
      },
    };
    expect(await runFlow(def, {})).toEqual({
      success: false,
      final_state: null,
      data: {},
      path: [],
      error: "cannot copy this record",
      metadata: {},
    });
  });

  it("thrown non-errors give readable texts", async () => {
    for (const [thrown, text] of [
      ["plain string", "plain string"],
      [{ code: 7 }, '{"code":7}'],
      [undefined, "undefined"],
    ] as const) {
      const def = flow({
        s: {
          start: true,
          arcs: [
            {
              to: "e",
              when: () => {
                throw thrown;
              },
            },
          ],
        },
        e: { final: true },
      });
      expect((await runFlow(def, {})).error).toBe(text);
    }
  });
});
