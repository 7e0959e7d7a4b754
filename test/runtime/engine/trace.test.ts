/**
 * Routes are recorded in a per-machine trie (trace.ts): a route's path and usage counters are
 * built once, frozen and shared, and a machine past the trie's bound records events in an array.
 * Results must not depend on which of these paths built them.
 */
import { describe, expect, it } from "vitest";
import { defineMachine } from "../../../runtime/index.js";
import { flow } from "./support.js";

describe("route recording", () => {
  it("a repeated route shares one frozen path and usage object; other routes get their own", () => {
    const machine = defineMachine(
      flow({ a: { start: true, arcs: [{ to: "b", when: (d) => d["go"] === true }, "c"] }, b: { arcs: ["c"] }, c: { final: true } }),
    );
    const results = Array.from({ length: 8 }, () => machine.processSync({ go: true }));
    for (const result of results) {
      expect(result.path).toEqual(["a", "b", "c"]);
      expect(result.metadata).toEqual({ arc_a_b_usage: 1, arc_b_c_usage: 1 });
      expect(Object.isFrozen(result.path)).toBe(true);
      expect(Object.isFrozen(result.metadata)).toBe(true);
    }
    expect(results[6]!.path).toBe(results[7]!.path);
    expect(results[6]!.metadata).toBe(results[7]!.metadata);
    expect(() => {
      (results[7]!.metadata as Record<string, unknown>)["extra"] = 1;
    }).toThrow(TypeError);
    expect(machine.processSync({ go: true }).metadata).toEqual({ arc_a_b_usage: 1, arc_b_c_usage: 1 });
    expect(machine.processSync({ go: false }).path).toEqual(["a", "c"]);
  });

  it("a route with routed errors gets its own frozen metadata over the shared counters", () => {
    const machine = defineMachine(
      flow({
        a: { start: true, arcs: ["b"] },
        b: { transforms: [(d) => (d["bad"] === true ? 7 : undefined)], onError: "c", arcs: ["c"] },
        c: { final: true },
      }),
    );
    const good = machine.processSync({ bad: false });
    const bad = machine.processSync({ bad: true });
    const again = machine.processSync({ bad: true });
    expect(good.metadata).toEqual({ arc_a_b_usage: 1, arc_b_c_usage: 1 });
    expect(bad.metadata["errors"]).toEqual([{ state: "b", error: "transform `b.transform#0` returned number, expected an object or nothing" }]);
    expect(bad.metadata).not.toBe(again.metadata);
    expect(Object.isFrozen(bad.metadata)).toBe(true);
    expect(machine.processSync({ bad: false }).metadata).toEqual({ arc_a_b_usage: 1, arc_b_c_usage: 1 });
  });

  it("a run longer than the trie's bound is recorded exactly", () => {
    const loops = 12_000;
    const def = flow(
      {
        s: { start: true, transforms: [(d) => ({ n: (d["n"] ?? 0) + 1 })], arcs: [{ to: "end", when: (d) => d["n"] > loops }, "s"] },
        end: { final: true },
      },
      { settings: { maxTransitions: 20_000 } },
    );
    const machine = defineMachine(def);
    for (let round = 0; round < 2; round++) {
      const result = machine.processSync({});
      expect(result.success).toBe(true);
      expect(result.path).toHaveLength(loops + 2);
      expect(result.path.at(-1)).toBe("end");
      expect(result.metadata).toEqual({ arc_s_s_usage: loops, arc_s_end_usage: 1 });
    }
  });

  it("breadth-first history works past the trie's bound", () => {
    const def = flow(
      {
        s: { start: true, transforms: [(d) => ({ n: (d["n"] ?? 0) + 1 })], arcs: [{ to: "s", when: (d) => d["n"] <= 11_000 }, { to: "t", when: (d) => d["n"] > 11_000 }] },
        t: { arcs: ["u", "end"] },
        u: { arcs: ["t"] },
        end: { final: true },
      },
      { settings: { maxTransitions: 20_000, strategy: "breadth_first" } },
    );
    const result = defineMachine(def).processSync({});
    expect(result.path).toHaveLength(11_005);
    expect(result.path.slice(-5)).toEqual(["s", "t", "u", "t", "end"]);
  });
});
