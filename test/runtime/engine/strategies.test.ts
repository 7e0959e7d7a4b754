/**
 * Execution strategies (SEMANTICS §2.8, decision E1): depth-first takes the first available arc;
 * the others evaluate every condition in order, then choose.
 */
import { describe, expect, it } from "vitest";
import { defineMachine, handleProvider, type Strategy } from "../../../runtime/index.js";
import { build, flow, runFlow, type StateSpec } from "./support.js";

const withStrategy = (strategy: Strategy, states: Record<string, StateSpec>, resources: string[] = []) =>
  flow(states, { settings: { strategy }, resources });

describe("strategies", () => {
  it("breadth_first prefers an arc whose target was not visited yet", async () => {
    const states: Record<string, StateSpec> = {
      a: { start: true, arcs: ["b"] },
      b: {
        transforms: [(d) => ({ n: (d["n"] ?? 0) + 1 })],
        arcs: [{ to: "a", when: (d) => d["n"] < 3 }, { to: "c", when: (d) => d["n"] < 3 }, "end"],
      },
      c: { arcs: ["b"] },
      end: { final: true },
    };
    expect((await runFlow(withStrategy("depth_first", states), {})).path).toEqual(["a", "b", "a", "b", "a", "b", "end"]);
    expect((await runFlow(withStrategy("breadth_first", states), {})).path).toEqual(["a", "b", "c", "b", "end"]);
  });

  it("breadth_first falls back to the first available arc when every target was visited", async () => {
    const states: Record<string, StateSpec> = {
      a: { start: true, arcs: ["b"] },
      b: { transforms: [(d) => ({ n: (d["n"] ?? 0) + 1 })], arcs: [{ to: "end", when: (d) => d["n"] >= 2 }, "a"] },
      end: { final: true },
    };
    expect((await runFlow(withStrategy("breadth_first", states), {})).path).toEqual(["a", "b", "a", "b", "end"]);
  });

  it("strategies other than depth_first evaluate every condition, in priority order", async () => {
    for (const strategy of ["breadth_first", "resource_optimized", "stream_optimized"] as const) {
      const calls: string[] = [];
      const when = (name: string) => () => (calls.push(name), true);
      const def = withStrategy(strategy, {
        s: { start: true, arcs: [{ to: "x", when: when("x") }, { to: "y", priority: 2, when: when("y") }, { to: "z", when: when("z") }] },
        x: { final: true },
        y: { final: true },
        z: { final: true },
      });
      const result = defineMachine(def).processSync({});
      expect(calls).toEqual(["y", "x", "z"]);
      expect(result.final_state).toBe("y");
    }
  });

  it("a condition error fails the record even after an available arc (all conditions run)", async () => {
    const def = withStrategy("breadth_first", {
      s: {
        start: true,
        arcs: [
          { to: "x", when: () => true },
          {
            to: "y",
            when: () => {
              throw new Error("late condition");
            },
          },
        ],
      },
      x: { final: true },
      y: { final: true },
    });
    expect(await runFlow(def, {})).toMatchObject({ success: false, error: "late condition" });
  });

  it("resource_optimized picks the arc needing the fewest resources (arc plus target), ties by order", async () => {
    const states: Record<string, StateSpec> = {
      s: { start: true, arcs: [{ to: "heavy", resources: ["db"] }, "light", "light2"] },
      heavy: { final: true, resources: ["cache"] },
      light: { final: true, resources: ["cache"] },
      light2: { final: true, resources: ["cache"] },
    };
    const def = withStrategy("resource_optimized", states, ["db", "cache"]);
    const machine = defineMachine(def, { resources: { db: handleProvider({}), cache: handleProvider({}) } });
    expect(machine.processSync({}).final_state).toBe("light");
  });

  it("resource_optimized counts every acquisition on the way to a terminal, not only the next step", async () => {
    // Both arcs need nothing themselves; via `cheap_first` two more states need db and cache, via
    // `costly_first` one state needs cache and the run ends.
    const states: Record<string, StateSpec> = {
      s: { start: true, arcs: ["cheap_first", "costly_first"] },
      cheap_first: { arcs: ["db_step"] },
      db_step: { resources: ["db"], arcs: ["cache_step"] },
      cache_step: { resources: ["cache"], arcs: ["end"] },
      costly_first: { resources: ["cache"], arcs: ["end"] },
      end: { final: true },
    };
    const def = withStrategy("resource_optimized", states, ["db", "cache"]);
    const machine = defineMachine(def, { resources: { db: handleProvider({}), cache: handleProvider({}) } });
    expect(machine.processSync({}).path).toEqual(["s", "costly_first", "end"]);
    // Depth-first takes the first arc: the contrast.
    expect(machine.processSync({}, { strategy: "depth_first" }).path).toEqual(["s", "cheap_first", "db_step", "cache_step", "end"]);
  });

  it("resource_optimized avoids an arc from which no terminal can be reached", async () => {
    const states: Record<string, StateSpec> = {
      s: { start: true, arcs: ["loop", { to: "end", resources: ["db"] }] },
      loop: { arcs: ["loop2"] },
      loop2: { arcs: ["loop"] },
      end: { final: true },
    };
    const def = withStrategy("resource_optimized", states, ["db"]);
    const machine = defineMachine(def, { resources: { db: handleProvider({}) } });
    expect(machine.processSync({}).final_state).toBe("end");
  });

  it("resource_optimized counts a push's sub-network and its return state", async () => {
    const def = build({
      networks: {
        main: {
          s: { start: true, arcs: [{ push: { to: "sub", returns: "after" } }, "direct"] },
          direct: { resources: ["db"], arcs: ["after"] },
          after: { final: true },
        },
        sub: { a: { start: true, resources: ["db"], arcs: ["b"] }, b: { resources: ["cache"], arcs: ["done"] }, done: { final: true } },
      },
      settings: { strategy: "resource_optimized" },
      resources: ["db", "cache"],
    });
    const machine = defineMachine(def, { resources: { db: handleProvider({}), cache: handleProvider({}) } });
    // The push costs db + cache; `direct` costs db.
    expect(machine.processSync({}).path).toEqual(["s", "direct", "after"]);
  });

  it("stream_optimized prefers an arc marked streaming", async () => {
    const states: Record<string, StateSpec> = {
      s: { start: true, arcs: ["batch", { to: "stream", metadata: { streaming: true } }] },
      batch: { final: true },
      stream: { final: true },
    };
    expect((await runFlow(withStrategy("stream_optimized", states), {})).final_state).toBe("stream");
    const none: Record<string, StateSpec> = { s: { start: true, arcs: ["batch", "other"] }, batch: { final: true }, other: { final: true } };
    expect((await runFlow(withStrategy("stream_optimized", none), {})).final_state).toBe("batch");
  });

  it("a call's `strategy` overrides the machine's, for that call only (runs reused across calls)", async () => {
    const states: Record<string, StateSpec> = {
      a: { start: true, arcs: ["b"] },
      b: {
        transforms: [(d) => ({ n: (d["n"] ?? 0) + 1 })],
        arcs: [{ to: "a", when: (d) => d["n"] < 3 }, { to: "c", when: (d) => d["n"] < 3 }, "end"],
      },
      c: { arcs: ["b"] },
      end: { final: true },
    };
    const machine = defineMachine(withStrategy("depth_first", states));
    const depth = ["a", "b", "a", "b", "a", "b", "end"];
    const breadth = ["a", "b", "c", "b", "end"];
    for (let round = 0; round < 3; round++) {
      expect(machine.processSync({}).path).toEqual(depth);
      expect(machine.processSync({}, { strategy: "breadth_first" }).path).toEqual(breadth);
      expect((await machine.process({}, { strategy: "breadth_first" })).path).toEqual(breadth);
      expect((await machine.process({}, { strategy: "depth_first" })).path).toEqual(depth);
    }
    const bfsMachine = defineMachine(withStrategy("breadth_first", states));
    expect(bfsMachine.processSync({}, { strategy: "depth_first" }).path).toEqual(depth);
    expect(bfsMachine.processSync({}).path).toEqual(breadth);
    expect((await machine.processBatch([{}, {}], { strategy: "breadth_first" })).map((r) => r.path)).toEqual([breadth, breadth]);
    expect(() => machine.processSync({}, { strategy: "widest_first" as Strategy })).toThrow("unknown strategy `widest_first`");
  });
});

