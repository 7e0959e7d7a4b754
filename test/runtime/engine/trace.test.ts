/**
 * Routes are recorded in a per-machine trie (trace.ts): repeated routes get compiled path and
 * usage factories, and a machine past the trie's bound records events in an array. Results must
 * not depend on which of these paths built them.
 */
import { describe, expect, it } from "vitest";
import { defineMachine } from "../../../runtime/index.js";
import { flow } from "./support.js";

describe("route recording", () => {
  it("a repeated route gives equal, fresh results before and after its factories are compiled", () => {
    const machine = defineMachine(
      flow({ a: { start: true, arcs: [{ to: "b", when: (d) => d["go"] === true }, "c"] }, b: { arcs: ["c"] }, c: { final: true } }),
    );
    const results = Array.from({ length: 8 }, () => machine.processSync({ go: true }));
    for (const result of results) {
      expect(result.path).toEqual(["a", "b", "c"]);
      expect(result.metadata).toEqual({ arc_a_b_usage: 1, arc_b_c_usage: 1 });
    }
    expect(results[6]!.path).not.toBe(results[7]!.path);
    expect(results[6]!.metadata).not.toBe(results[7]!.metadata);
    (results[7]!.metadata as Record<string, unknown>)["extra"] = 1;
    expect(machine.processSync({ go: true }).metadata).toEqual({ arc_a_b_usage: 1, arc_b_c_usage: 1 });
    expect(machine.processSync({ go: false }).path).toEqual(["a", "c"]);
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
