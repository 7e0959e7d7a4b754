/**
 * The engine behaviour of SEMANTICS §13 (C04–C30, C37, C40) as hand-built definitions: inline
 * Python ported to JavaScript functions, QUIRK expectations inverted where our decisions fix
 * them. Every case runs through both `process` and `processSync` (runBoth).
 */
import { describe, expect, it } from "vitest";
import { defineMachine, RetryableError, SimulatedClock, ValidationError } from "../../../runtime/index.js";
import { build, flow, runBoth, runFlow } from "./support.js";

describe("C04–C08: routing", () => {
  it("C04: priority beats declaration order; without it declaration order wins", async () => {
    const withPriority = flow({
      start: { start: true, arcs: ["a", { to: "b", priority: 1 }] },
      a: { arcs: ["end"] },
      b: { arcs: ["end"] },
      end: { final: true },
    });
    expect((await runFlow(withPriority, {})).path).toEqual(["start", "b", "end"]);
    const without = flow({
      start: { start: true, arcs: ["a", "b"] },
      a: { arcs: ["end"] },
      b: { arcs: ["end"] },
      end: { final: true },
    });
    expect((await runFlow(without, {})).path).toEqual(["start", "a", "end"]);
  });

  it("C05: equal priority keeps declaration order", async () => {
    const yes = (): boolean => true;
    const def = flow({
      initial: {
        start: true,
        arcs: [
          { to: "path1", priority: 1, when: yes },
          { to: "path2", priority: 1, when: yes },
          { to: "path3", priority: 1, when: yes },
        ],
      },
      path1: { final: true },
      path2: { final: true },
      path3: { final: true },
    });
    const result = await runFlow(def, { test: "data" });
    expect(result.success).toBe(true);
    expect(result.final_state).toBe("path1");
  });

  it("C06: no available arc", async () => {
    const def = flow({
      start: { start: true, arcs: [{ to: "a", when: (d) => d["v"] > 5 }] },
      a: { arcs: ["end"] },
      end: { final: true },
    });
    expect(await runFlow(def, { v: 1 })).toEqual({
      success: false,
      final_state: "start",
      data: { v: 1 },
      path: ["start"],
      error: "No valid transitions from state: start",
      metadata: {},
    });
  });

  it("C07: max_transitions is honoured (Q7 fixed): 5 gives `Maximum transitions (5) exceeded`", async () => {
    const def = flow(
      { start: { start: true, arcs: ["a"] }, a: { arcs: ["start"] }, end: { final: true } },
      { settings: { maxTransitions: 5 } },
    );
    const result = await runFlow(def, {});
    expect(result.success).toBe(false);
    expect(result.error).toBe("Maximum transitions (5) exceeded");
    expect(result.path).toHaveLength(6);
    expect(result.final_state).toBe("a");
    expect(result.metadata).toEqual({ arc_start_a_usage: 3, arc_a_start_usage: 2 });
  });

  it("C07: the default limit is 1000, with 1001 path entries", async () => {
    const def = flow({ start: { start: true, arcs: ["a"] }, a: { arcs: ["start"] }, end: { final: true } });
    const result = await runFlow(def, {});
    expect(result.error).toBe("Maximum transitions (1000) exceeded");
    expect(result.path).toHaveLength(1001);
    expect(result.final_state).toBe("start");
  });

  it("C08: an end state's outgoing arcs are never taken", async () => {
    const def = flow({ a: { start: true, arcs: ["b"] }, b: { final: true, arcs: ["a"] } });
    const result = await runFlow(def, {});
    expect(result).toMatchObject({ success: true, final_state: "b", path: ["a", "b"] });
  });
});

describe("C09–C16: transforms", () => {
  it("C09: a self-loop re-enters the state and re-runs its transforms", async () => {
    const def = flow({
      s: {
        start: true,
        transforms: [(d) => ({ ...d, n: (d["n"] ?? 0) + 1 })],
        arcs: [{ to: "e", priority: 1, when: (d) => (d["n"] ?? 0) >= 3 }, "s"],
      },
      e: { final: true },
    });
    const result = await runFlow(def, {});
    expect(result).toEqual({
      success: true,
      final_state: "e",
      data: { n: 3 },
      path: ["s", "s", "s", "e"],
      error: null,
      metadata: { arc_s_s_usage: 2, arc_s_e_usage: 1 },
    });
  });

  it("C10: a state transform failure fails the record but the traversal continues", async () => {
    const def = flow({
      start: { start: true, arcs: ["mid"] },
      mid: {
        transforms: [
          (d) => {
            if (d["bad"]) throw new Error("division by zero");
            return { ...d, ok: true };
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const bad = await runFlow(def, { bad: true });
    expect(bad).toMatchObject({
      success: false,
      final_state: "end",
      path: ["start", "mid", "end"],
      data: { bad: true },
      error: "State transform failed in: mid",
    });
    const good = await runFlow(def, { a: 1 });
    expect(good).toMatchObject({ success: true, data: { a: 1, ok: true } });
  });

  function recoveryFlow(calls: string[], failing: boolean) {
    const spy = (name: string) => ({
      name: `spy_${name}`,
      fn: (d: Record<string, unknown>) => {
        calls.push(name);
        return { ...d };
      },
    });
    const boom = {
      name: "boom",
      fn: () => {
        throw new Error("boom");
      },
    };
    return flow({
      start: { start: true, arcs: ["fail"] },
      fail: { transforms: [failing ? boom : spy("fail")], arcs: ["cleanup"] },
      cleanup: { runOnFailure: true, transforms: [spy("cleanup")], arcs: ["extra"] },
      extra: { transforms: [spy("extra")], arcs: ["done"] },
      done: { final: true },
    });
  }

  it("C11: run_on_failure states still run their transforms; other later states are skipped", async () => {
    for (const sync of [true, false]) {
      const calls: string[] = [];
      const machine = defineMachine(recoveryFlow(calls, true));
      const result = sync ? machine.processSync({ id: "1" }) : await machine.process({ id: "1" });
      expect(result.success).toBe(false);
      expect(calls).toEqual(["cleanup"]);
    }
    const calls: string[] = [];
    const result = defineMachine(recoveryFlow(calls, false)).processSync({ id: "1" });
    expect(result.success).toBe(true);
    expect(calls).toEqual(["fail", "cleanup", "extra"]);
  });

  it("C12: the failing state's remaining transforms are skipped", async () => {
    const calls: string[] = [];
    const def = flow({
      multi: {
        start: true,
        transforms: [
          () => {
            throw new Error("boom");
          },
          () => {
            calls.push("second");
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const result = defineMachine(def).processSync({ id: "1" });
    expect(result.success).toBe(false);
    expect(result.error).toBe("State transform failed in: multi");
    expect(calls).toEqual([]);
  });

  it("C13a: the start state's and other states' transforms run exactly once", async () => {
    const seen: unknown[] = [];
    const def = flow({
      input: { start: true, arcs: ["multiply"] },
      multiply: {
        transforms: [
          (d) => {
            seen.push(structuredClone(d));
            return { result: (d["value"] ?? 1) * 2 };
          },
        ],
        arcs: ["output"],
      },
      output: { final: true },
    });
    const result = defineMachine(def).processSync({ value: 5 });
    expect(result).toMatchObject({ success: true, data: { result: 10 }, path: ["input", "multiply", "output"] });
    expect(seen).toEqual([{ value: 5 }]);
  });

  it("C13b: the start state's transform runs before its arcs are evaluated", async () => {
    const def = flow({
      start: { start: true, transforms: [(d) => ({ ...d, computed: true })], arcs: [{ to: "end", when: (d) => d["computed"] === true }] },
      end: { final: true },
    });
    expect((await runFlow(def, { input: "data" })).final_state).toBe("end");
  });

  it("C14 (Q2 fixed): a state transform returning nothing keeps the (mutated) record", async () => {
    const def = flow({
      start: {
        start: true,
        transforms: [
          (d) => {
            d["x"] = 1;
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    expect(await runFlow(def, { a: 1 })).toMatchObject({ success: true, data: { a: 1, x: 1 }, path: ["start", "end"] });
  });

  it("C14: an arc transform returning null keeps the record", async () => {
    const def = flow({ start: { start: true, arcs: [{ to: "mid", do: () => null }] }, mid: { arcs: ["end"] }, end: { final: true } });
    expect((await runFlow(def, { a: 1 })).data).toEqual({ a: 1 });
  });

  it.each([
    ["0", 0, "number"],
    ["[1, 2]", [1, 2], "array"],
    ["'abc'", "abc", "string"],
    ["[['k', 'v']]", [["k", "v"]], "array"],
    ["true", true, "boolean"],
  ])("C14 (E4): a state transform returning %s fails the state and keeps the record", async (_, value, type) => {
    const def = flow({ start: { start: true, transforms: [{ name: "t", fn: () => value }], arcs: ["end"] }, end: { final: true } });
    const result = await runFlow(def, { a: 1 });
    expect(result).toMatchObject({ success: false, error: "State transform failed in: start", data: { a: 1 } });
    expect(result.metadata["failures"]).toEqual([
      { state: "start", function: "t", phase: "transform", error: `transform \`t\` returned ${type}, expected an object or nothing` },
    ]);
  });

  it("C15: an arc's transform list runs in order", async () => {
    const def = flow({
      start: { start: true, arcs: [{ to: "a", do: [(d) => ({ ...d, x: 1 }), (d) => ({ ...d, x: d["x"] + 10 })] }] },
      a: { final: true },
    });
    expect((await runFlow(def, {})).data).toEqual({ x: 11 });
  });

  it("C16: a non-retryable arc-transform error fails at once, without retries", async () => {
    const clock = new SimulatedClock();
    const def = flow({
      start: {
        start: true,
        arcs: [
          {
            to: "end",
            do: () => {
              throw new TypeError("invalid literal for int()");
            },
          },
        ],
      },
      end: { final: true },
    });
    const result = defineMachine(def, { clock }).processSync({});
    expect(result).toMatchObject({ success: false, final_state: "start", error: "Transition failed: start -> end" });
    expect(clock.slept).toEqual([]);
  });

  it("C16 (Q16 fixed): retries start from a snapshot, so a chain never compounds", async () => {
    const seen: number[] = [];
    const clock = new SimulatedClock();
    const def = flow({
      start: {
        start: true,
        arcs: [
          {
            to: "end",
            do: [
              (d) => {
                seen.push(d["x"] ?? 0);
                return { ...d, x: (d["x"] ?? 0) + 1 };
              },
              () => {
                throw new RetryableError("flaky");
              },
            ],
          },
        ],
      },
      end: { final: true },
    });
    const result = defineMachine(def, { clock }).processSync({});
    expect(result).toMatchObject({ success: false, final_state: "start", error: "Transition failed: start -> end", data: {} });
    expect(seen).toEqual([0, 0, 0, 0]);
    expect(clock.slept).toEqual([100, 200, 400]);
  });
});

describe("C17–C23: validators and conditions", () => {
  it("C17: a rejecting initial pre-validator stops the run before any transform", async () => {
    const log: string[] = [];
    const def = flow({
      initial: {
        start: true,
        pre: [() => false],
        transforms: [
          () => {
            log.push("ran");
          },
        ],
        arcs: ["final"],
      },
      final: { final: true },
    });
    const result = await runFlow(def, { test: "data" });
    expect(result).toMatchObject({
      success: false,
      final_state: "initial",
      path: ["initial"],
      error: "Pre-validation failed for state 'initial'",
    });
    expect(log).toEqual([]);
  });

  it("C18: a pre-validator's object result is merged into the record", async () => {
    const def = flow({ start: { start: true, pre: [() => ({ pv: 1 })], arcs: ["end"] }, end: { final: true } });
    expect(await runFlow(def, { x: 1 })).toMatchObject({ success: true, data: { x: 1, pv: 1 } });
  });

  it("C18: a later state's rejecting pre-validator fails the transition in that state", async () => {
    const def = flow({
      start: { start: true, arcs: ["mid"] },
      mid: { pre: [(d) => (d["x"] ?? 0) > 5], arcs: ["end"] },
      end: { final: true },
    });
    expect(await runFlow(def, { x: 1 })).toMatchObject({
      success: false,
      final_state: "mid",
      path: ["start", "mid"],
      error: "Transition failed: start -> mid",
      data: { x: 1 },
    });
  });

  it("C19 (Q4 fixed): a one-parameter pre-validator works", async () => {
    const def = flow({ start: { start: true, pre: [(d) => d["x"] === 1], arcs: ["end"] }, end: { final: true } });
    expect(await runFlow(def, { x: 1 })).toMatchObject({ success: true, final_state: "end" });
  });

  it("C20: library-style functions (required fields, normalize, map fields), no `_id` injected (Q18)", async () => {
    const def = flow({
      start: {
        start: true,
        pre: [{ name: "validators.RequiredFieldsValidator", fn: (d) => "id" in d }],
        transforms: [{ name: "transformers.normalize", fn: (d) => ({ ...d, name: String(d["name"]).toUpperCase() }) }],
        arcs: [
          {
            to: "end",
            do: {
              name: "transformers.map_fields",
              fn: ({ id, ...rest }) => ({ record_id: id, ...rest }),
            },
          },
        ],
      },
      end: { final: true },
    });
    expect(await runFlow(def, { id: 1, name: "bob" })).toMatchObject({ success: true, data: { record_id: 1, name: "BOB" } });
    expect(await runFlow(def, { name: "bob" })).toMatchObject({
      success: false,
      error: "Pre-validation failed for state 'start'",
    });
  });

  it("C21: `[boolean, reason]` verdicts count by their boolean", async () => {
    const gate = (verdict: unknown) => flow({ start: { start: true, arcs: [{ to: "end", when: { name: "c", fn: () => verdict } }] }, end: { final: true } });
    expect(await runFlow(gate([false, "nope"]), {})).toMatchObject({ success: false, error: "No valid transitions from state: start" });
    expect(await runFlow(gate([true, "ok"]), {})).toMatchObject({ success: true, final_state: "end" });
  });

  it.each([
    ["'yes'", "yes", true],
    ["''", "", false],
    ["null", null, false],
    ["[0]", [0], true],
    ["0", 0, false],
    ["{}", {}, true],
  ])("C21: a condition returning %s is judged by truthiness", async (_, value, taken) => {
    const def = flow({ start: { start: true, arcs: [{ to: "end", when: () => value }] }, end: { final: true } });
    expect((await runFlow(def, {})).success).toBe(taken);
  });

  function gated(g: () => unknown) {
    return flow({
      start: { start: true, arcs: [{ to: "open", priority: 10, when: { name: "g", fn: g } }, "closed"] },
      open: { final: true },
      closed: { final: true },
    });
  }

  it("C22: a ValidationError (or ctx.reject) from a condition is a soft reject", async () => {
    const thrown = gated(() => {
      throw new ValidationError("bad");
    });
    expect(await runFlow(thrown, {})).toMatchObject({ success: true, final_state: "closed" });
    const rejected = flow({
      start: { start: true, arcs: [{ to: "open", priority: 10, when: (_d, ctx) => ctx.reject("bad") }, "closed"] },
      open: { final: true },
      closed: { final: true },
    });
    expect(await runFlow(rejected, {})).toMatchObject({ success: true, final_state: "closed" });
    const foreign = gated(() => {
      throw Object.assign(new Error("bad"), { name: "ValidationError" });
    });
    expect(await runFlow(foreign, {})).toMatchObject({ success: true, final_state: "closed" });
  });

  it("C22: any other condition error fails the record in the source state with its message", async () => {
    const def = gated(() => {
      throw new Error("gate blew up");
    });
    expect(await runFlow(def, { a: 1 })).toMatchObject({
      success: false,
      final_state: "start",
      error: "gate blew up",
      data: { a: 1 },
    });
  });

  it("C23: success/failure style conditions and the legacy pre_test alias", async () => {
    const def = flow({
      start: {
        start: true,
        arcs: [
          { to: "ok", when: { name: "success", fn: (d) => d["valid"] !== false } },
          { to: "bad", when: { name: "failure", fn: (d) => d["valid"] === false } },
        ],
      },
      ok: { final: true },
      bad: { final: true },
    });
    expect((await runFlow(def, {})).final_state).toBe("ok");
    expect((await runFlow(def, { valid: false })).final_state).toBe("bad");
    const preTest = flow({
      start: { start: true, arcs: [{ to: "ok", when: (d) => d["v"] === 1 }, "bad"] },
      ok: { final: true },
      bad: { final: true },
    });
    expect((await runFlow(preTest, { v: 1 })).final_state).toBe("ok");
    expect((await runFlow(preTest, { v: 2 })).final_state).toBe("bad");
  });
});

/** C24's machine: main pushes into `sub` and returns to `after`. */
function c24(push: Partial<import("./support.js").PushSpec> = {}, extra: { subFirstThrows?: boolean } = {}) {
  return build({
    networks: {
      main: {
        start: { start: true, arcs: [{ push: { to: "sub", returns: "after", ...push } }] },
        after: { transforms: [(d) => ({ ...d, after: true })], arcs: ["end"] },
        end: { final: true },
      },
      sub: {
        s1: {
          start: true,
          transforms: [
            (d) => {
              if (extra.subFirstThrows === true) throw new Error("first failed");
              return { ...d, sub: (d["x"] ?? 0) + 1 };
            },
          ],
          arcs: ["s2"],
        },
        s2: { final: true },
      },
    },
  });
}

describe("C24–C30: push arcs", () => {
  it("C24: a push with a return state", async () => {
    for (const isolation of ["copy", "reference", "serialize"] as const) {
      const result = await runFlow(c24({ isolation }), { x: 1 });
      expect(result).toEqual({
        success: true,
        final_state: "end",
        data: { x: 1, sub: 2, after: true },
        path: ["start", "s1", "s2", "after", "end"],
        error: null,
        metadata: { arc_start_sub_usage: 1, arc_s1_s2_usage: 1, arc_after_end_usage: 1 },
      });
    }
  });

  it("C24 (Q11 fixed): the push arc's transform runs, before the data mapping", async () => {
    const def = build({
      networks: {
        main: {
          start: { start: true, arcs: [{ push: { to: "sub", returns: "end", map: { y: "y" } }, do: (d) => ({ ...d, y: d["x"] * 10 }) }] },
          end: { final: true },
        },
        sub: { s1: { start: true, transforms: [(d) => ({ ...d, seen: d["y"] })], arcs: ["s2"] }, s2: { final: true } },
      },
    });
    expect((await runFlow(def, { x: 1 })).data).toEqual({ y: 10, seen: 10 });
  });

  it("C24: a push condition returning false leaves no valid transition", async () => {
    const def = build({
      networks: {
        main: { start: { start: true, arcs: [{ push: { to: "sub", returns: "end" }, when: () => false }] }, end: { final: true } },
        sub: { s1: { start: true, final: true } },
      },
    });
    expect((await runFlow(def, {})).error).toBe("No valid transitions from state: start");
  });

  it("C25 (Q13 kept): without a return state the run ends at the sub-network's terminal", async () => {
    const def = c24();
    const withoutReturn = {
      ...def,
      states: def.states.map((s) =>
        s.name === "start" ? { ...s, arcs: s.arcs.map((a) => ({ ...a, push: { ...a.push!, returnState: -1 } })) } : s,
      ),
    };
    expect(await runFlow(withoutReturn, { x: 1 })).toMatchObject({
      success: true,
      final_state: "s2",
      data: { x: 1, sub: 2 },
      path: ["start", "s1", "s2"],
    });
  });

  it("C26: data and result mapping over the pre-push parent record", async () => {
    const result = await runFlow(c24({ map: { x: "x" }, result: { sub: "sub_result" } }), { x: 1, y: 2 });
    expect(result.data).toEqual({ x: 1, y: 2, sub_result: 2, after: true });
  });

  it("C27: a custom sub-network entry state (`net:state`)", async () => {
    const def = build({
      networks: {
        main: {
          start: { start: true, arcs: [{ push: { to: "sub:second", returns: "after" } }] },
          after: { arcs: ["end"] },
          end: { final: true },
        },
        sub: {
          first: { start: true, transforms: [(d) => ({ ...d, first: true })], arcs: ["second"] },
          second: { transforms: [(d) => ({ ...d, second: true })], arcs: ["done"] },
          done: { final: true },
        },
      },
    });
    const result = await runFlow(def, { x: 1 });
    expect(result).toMatchObject({ success: true, data: { x: 1, second: true }, path: ["start", "second", "done", "after", "end"] });
    expect(result.metadata).toMatchObject({ "arc_start_sub:second_usage": 1 });
  });

  it("C28: a push into a network without a start state is refused before anything changes", async () => {
    const def = build({
      networks: {
        main: { start: { start: true, arcs: [{ push: { to: "sub", returns: "end" }, do: (d) => ({ ...d, touched: true }) }] }, end: { final: true } },
        sub: { orphan: { final: true } },
      },
    });
    expect(await runFlow(def, { x: 1 })).toMatchObject({
      success: false,
      final_state: "start",
      data: { x: 1 },
      error: "Transition failed: start -> sub",
    });
  });

  it("C28: a refused sub-network entry state restores the parent record", async () => {
    const def = build({
      networks: {
        main: { start: { start: true, arcs: [{ push: { to: "sub:gate", returns: "end" } }] }, end: { final: true } },
        sub: { first: { start: true, final: true }, gate: { pre: [() => false], arcs: ["first"] } },
      },
    });
    expect(await runFlow(def, { x: 1 })).toMatchObject({
      success: false,
      final_state: "gate",
      data: { x: 1 },
      error: "Transition failed: start -> sub:gate",
      path: ["start", "gate"],
    });
  });

  it("C29: the subflow depth limit refuses the 11th push", async () => {
    const def = build({
      networks: {
        main: { s0: { start: true, arcs: [{ push: { to: "loop", returns: "end" } }] }, end: { final: true } },
        loop: { p: { start: true, arcs: [{ push: { to: "loop", returns: "done" } }] }, done: { final: true } },
      },
    });
    const result = await runFlow(def, { id: 1 });
    expect(result.success).toBe(false);
    expect(result.final_state).toBe("p");
    expect(result.error).toBe("Transition failed: p -> loop");
    // Our path lists every entered state: s0, then the ten pushed entries of p (the reference's
    // path rule drops a final entry equal to the last history entry and shows 10).
    expect(result.path).toEqual(["s0", ...Array<string>(10).fill("p")]);
    expect(result.metadata["failures"]).toEqual([
      { state: "p", function: null, phase: "push", error: "the subflow depth limit (10) is reached" },
    ]);
  });

  it("C30: a sub-network transform failure propagates to the parent", async () => {
    const def = build({
      networks: {
        main: {
          start: { start: true, arcs: [{ push: { to: "sub", returns: "after" } }] },
          after: { transforms: [(d) => ({ ...d, after_ran: true })], arcs: ["end"] },
          end: { final: true },
        },
        sub: {
          first: {
            start: true,
            transforms: [
              () => {
                throw new Error("first failed");
              },
            ],
            arcs: ["second"],
          },
          second: { arcs: ["done"] },
          done: { final: true },
        },
      },
    });
    expect(await runFlow(def, { x: 1 })).toMatchObject({
      success: false,
      error: "State transform failed in: first",
      data: { x: 1 },
      path: ["start", "first", "second", "done", "after", "end"],
    });
  });
});

describe("C37, C40", () => {
  it("C37: a run past its timeout gives the reference's bounded result", async () => {
    const make = () => {
      const clock = new SimulatedClock();
      const def = flow({
        start: {
          start: true,
          transforms: [{ name: "slow", async: true, fn: async () => clock.sleep(5000) }],
          arcs: ["end"],
        },
        end: { final: true },
      });
      return defineMachine(def, { clock });
    };
    const input = { input: "test" };
    const result = await make().process(input, { timeoutSeconds: 0.2 });
    expect(result).toEqual({
      success: false,
      final_state: null,
      data: input,
      path: [],
      error: "FSM execution exceeded timeout of 0.2 seconds",
      metadata: {},
    });
    expect(result.data).toBe(input);
  });

  it("C40 (Q21 fixed): variables written in one state are seen in the next", async () => {
    const def = flow({
      a: {
        start: true,
        transforms: [
          {
            name: "setv",
            fn: (_d, ctx) => {
              ctx.variables["x"] = 42;
            },
          },
        ],
        arcs: ["b"],
      },
      b: { transforms: [{ name: "getv", fn: (d, ctx) => ({ ...d, seen: ctx.variables["x"] }) }], arcs: ["end"] },
      end: { final: true },
    });
    expect((await runFlow(def, {})).data).toEqual({ seen: 42 });
  });

  it("C40: pre-seeded variables are shared by every function and survive the run", async () => {
    const seeds = { shared_data: "initial" };
    let last: unknown;
    const def = flow({
      a: {
        start: true,
        transforms: [
          (_d, ctx) => {
            ctx.variables["count"] = 1;
          },
        ],
        arcs: ["end"],
      },
      end: {
        final: true,
        transforms: [
          (_d, ctx) => {
            last = { ...ctx.variables };
          },
        ],
      },
    });
    const result = await runBoth(() => def, () => ({}), { process: { variables: seeds } });
    expect(result.success).toBe(true);
    expect(last).toEqual({ shared_data: "initial", count: 1 });
    expect(seeds).toEqual({ shared_data: "initial" });
  });

  it("C40 (Q4 fixed): one-parameter functions work in every slot", async () => {
    const def = flow({
      start: {
        start: true,
        transforms: [(d) => ({ ...d, one: true })],
        arcs: [{ to: "end", when: { name: "cond1", fn: () => true }, do: (d) => ({ ...d, arc: true }) }],
      },
      end: { final: true },
    });
    expect(await runFlow(def, { a: 1 })).toMatchObject({ success: true, data: { a: 1, one: true, arc: true } });
  });
});
