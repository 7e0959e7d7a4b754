/**
 * Depth-first through a state's compiled chooser (choose.ts) gives exactly what the generic
 * condition loop gives: the same `ctx` per condition, soft rejects, verdicts and other
 * non-boolean results, throws and thenables handed back at the right arc.
 */
import { describe, expect, it } from "vitest";
import { type Ctx, defineMachine, ValidationError } from "../../../runtime/index.js";
import { flow, runFlow } from "./support.js";

describe("compiled depth-first choice", () => {
  it("calls each condition with its own ctx fields, in priority order, and stops at the first match", async () => {
    const seen: string[] = [];
    const note = (result: boolean) => (_d: unknown, ctx: Ctx) => {
      seen.push(`${ctx.function_name}:${String(ctx.metadata["target_state"])}:${String(ctx.metadata["arc_priority"])}`);
      return result;
    };
    const def = flow({
      a: {
        start: true,
        arcs: [
          { to: "b", when: { name: "low", fn: note(true) }, priority: 1 },
          { to: "c", when: { name: "high", fn: note(false) }, priority: 5 },
          { to: "d", when: { name: "never", fn: note(true) }, priority: 0 },
        ],
      },
      b: { final: true },
      c: { final: true },
      d: { final: true },
    });
    const result = defineMachine(def).processSync({});
    expect(result.final_state).toBe("b");
    expect(seen).toEqual(["high:c:5", "low:b:1"]);
  });

  it("hands soft rejects, verdicts and truthy values to the generic judge at their arc", async () => {
    const states = (first: (d: Record<string, unknown>, ctx: Ctx) => unknown) =>
      flow({ a: { start: true, arcs: [{ to: "b", when: first }, { to: "c", when: () => true }] }, b: { final: true }, c: { final: true } });
    expect((await runFlow(states((_d, ctx) => ctx.reject("no")), {})).final_state).toBe("c");
    expect((await runFlow(states(() => { throw new ValidationError("no"); }), {})).final_state).toBe("c");
    expect((await runFlow(states(() => [false, "why"]), {})).final_state).toBe("c");
    expect((await runFlow(states(() => [true, "why"]), {})).final_state).toBe("b");
    expect((await runFlow(states(() => 1), {})).final_state).toBe("b");
    expect((await runFlow(states(() => ""), {})).final_state).toBe("c");
  });

  it("fails the state when a later condition throws, and reports no available arc", async () => {
    const thrower = flow({
      a: {
        start: true,
        arcs: [{ to: "b", when: () => false }, { to: "c", when: () => { throw new Error("bad condition"); } }],
      },
      b: { final: true },
      c: { final: true },
    });
    const failed = await runFlow(thrower, {});
    expect(failed).toMatchObject({ success: false, final_state: "a", error: "bad condition" });
    const none = await runFlow(
      flow({ a: { start: true, arcs: [{ to: "b", when: () => false }] }, b: { final: true } }),
      {},
    );
    expect(none.error).toBe("No valid transitions from state: a");
  });

  it("awaits a condition's thenable in process and refuses it in processSync", async () => {
    const def = () =>
      flow({
        a: { start: true, arcs: [{ to: "b", when: () => false }, { to: "c", when: { name: "later", fn: async () => true } }, "b"] },
        b: { final: true },
        c: { final: true },
      });
    expect((await defineMachine(def()).process({})).final_state).toBe("c");
    const sync = flow({
      a: { start: true, arcs: [{ to: "b", when: () => false }, { to: "c", when: { name: "sneaky", fn: () => Promise.resolve(false) } }, "b"] },
      b: { final: true },
      c: { final: true },
    });
    expect((await defineMachine(sync).process({})).final_state).toBe("b");
    expect(defineMachine(sync).processSync({}).error).toBe(
      "processSync cannot run this machine: function `sneaky` returned a Promise; use process() instead",
    );
  });

  it("chooses among more arcs than it compiles", async () => {
    const arcs = Array.from({ length: 40 }, (_, i) => ({ to: "end", when: (d: Record<string, unknown>) => d["pick"] === i }));
    const def = flow({ a: { start: true, arcs: [...arcs, "other"] }, end: { final: true }, other: { final: true } });
    expect((await runFlow(def, { pick: 39 })).metadata).toEqual({ arc_a_end_usage: 1 });
    expect((await runFlow(def, { pick: 40 })).final_state).toBe("other");
  });
});
