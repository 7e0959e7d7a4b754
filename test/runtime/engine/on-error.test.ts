/**
 * `on error` routing (decision E3): each kind of record error of a state moves the record to the
 * state's error target, with the last committed data and `{state, error}` in `metadata.errors`.
 */
import { describe, expect, it } from "vitest";
import { build, flow, runFlow, type StateSpec } from "./support.js";

/** start → work (with `on error -> recover`) → done; `recover` marks the record. */
function routed(work: StateSpec, extra: Record<string, StateSpec> = {}) {
  return flow({
    start: { start: true, arcs: ["work"] },
    work: { arcs: ["done"], ...work, onError: "recover" },
    recover: { transforms: [(d) => ({ ...d, recovered: true })], arcs: ["failed"] },
    done: { final: true },
    failed: { final: true },
    ...extra,
  });
}

const boom = (message: string) => () => {
  throw new Error(message);
};

describe("on error (E3)", () => {
  it("a transform failure routes the rolled-back record, without joining failed_states", async () => {
    const def = routed({
      transforms: [
        (d) => {
          d["half"] = true;
        },
        boom("transform broke"),
      ],
    });
    const result = await runFlow(def, { a: 1 });
    expect(result).toEqual({
      success: true,
      final_state: "failed",
      data: { a: 1, recovered: true },
      path: ["start", "work", "recover", "failed"],
      error: null,
      metadata: {
        arc_start_work_usage: 1,
        arc_recover_failed_usage: 1,
        errors: [{ state: "work", error: "transform broke" }],
        failures: [{ state: "work", function: "work.transform#1", phase: "transform", error: "transform broke" }],
      },
    });
  });

  it("a validator failure routes", async () => {
    const result = await runFlow(routed({ validators: [() => [false, "not balanced"]] }), {});
    expect(result.final_state).toBe("failed");
    expect(result.metadata["errors"]).toEqual([{ state: "work", error: "not balanced" }]);
  });

  it("a record-type mismatch routes, with the schema issues kept", async () => {
    const result = await runFlow(routed({ check: () => [{ pointer: "/id", message: "required" }] }), {});
    expect(result.final_state).toBe("failed");
    expect(result.metadata["errors"]).toEqual([{ state: "work", error: "Pre-validation failed for state 'work'" }]);
    expect(result.metadata["schema_errors"]).toEqual([{ pointer: "/id", message: "required" }]);
  });

  it("a throwing condition routes (a soft reject does not)", async () => {
    const thrown = await runFlow(routed({ arcs: [{ to: "done", when: boom("lookup table down") }] }), {});
    expect(thrown.metadata["errors"]).toEqual([{ state: "work", error: "lookup table down" }]);
    const rejected = await runFlow(routed({ arcs: [{ to: "done", when: (_d, ctx) => ctx.reject("no") }, "failed"] }), {});
    expect(rejected).toMatchObject({ final_state: "failed", path: ["start", "work", "failed"] });
    expect(rejected.metadata["errors"]).toBeUndefined();
  });

  it("no available arc routes", async () => {
    const result = await runFlow(routed({ arcs: [{ to: "done", when: () => false }] }), {});
    expect(result.metadata["errors"]).toEqual([{ state: "work", error: "No valid transitions from state: work" }]);
    expect(result.final_state).toBe("failed");
  });

  it("a failed outgoing transition routes (arc transform, refused target)", async () => {
    const arcFailure = await runFlow(routed({ arcs: [{ to: "done", do: boom("write failed") }] }), {});
    expect(arcFailure.metadata["errors"]).toEqual([{ state: "work", error: "Transition failed: work -> done" }]);
    const refused = await runFlow(routed({ arcs: ["gate"] }, { gate: { pre: [() => false], arcs: ["done"] } }), {});
    expect(refused).toMatchObject({ final_state: "failed", path: ["start", "work", "gate", "recover", "failed"] });
    expect(refused.metadata["errors"]).toEqual([{ state: "work", error: "Transition failed: work -> gate" }]);
  });

  it("a refused entry into the state itself belongs to the transition into it", async () => {
    const def = routed({ pre: [() => false] });
    expect(await runFlow(def, {})).toMatchObject({ success: false, final_state: "work", error: "Transition failed: start -> work" });
  });

  it("the route counts as a transition", async () => {
    const def = flow(
      { start: { start: true, arcs: [{ to: "end", when: boom("x") }], onError: "start" }, end: { final: true } },
      { settings: { maxTransitions: 3 } },
    );
    const result = await runFlow(def, {});
    expect(result).toMatchObject({ success: false, error: "Maximum transitions (3) exceeded", path: ["start", "start", "start", "start"] });
    expect(result.metadata["errors"]).toHaveLength(3);
  });

  it("an error target that refuses the record fails the run", async () => {
    const def = flow({
      start: { start: true, arcs: [{ to: "end", when: boom("x") }], onError: "guard" },
      guard: { pre: [() => false], final: true },
      end: { final: true },
    });
    expect(await runFlow(def, {})).toMatchObject({ success: false, final_state: "guard", error: "Transition failed: start -> guard" });
  });

  it("routes inside a sub-network too, and the pop continues normally", async () => {
    const def = build({
      networks: {
        main: { start: { start: true, arcs: [{ push: { to: "sub", returns: "after" } }] }, after: { arcs: ["end"] }, end: { final: true } },
        sub: {
          s1: { start: true, transforms: [boom("sub broke")], arcs: ["s2"], onError: "handled" },
          s2: { final: true },
          handled: { final: true, transforms: [(d) => ({ ...d, handled: true })] },
        },
      },
    });
    const result = await runFlow(def, { x: 1 });
    expect(result).toMatchObject({
      success: true,
      final_state: "end",
      data: { x: 1, handled: true },
      path: ["start", "s1", "handled", "after", "end"],
    });
    expect(result.metadata["errors"]).toEqual([{ state: "s1", error: "sub broke" }]);
  });
});
