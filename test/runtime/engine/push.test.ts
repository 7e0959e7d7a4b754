/**
 * Push arcs beyond the conformance cases: isolation modes, nested pops, the return state's
 * refusal (Q14, E5), what the subflow shares with its parent, and inherited resources.
 */
import { describe, expect, it } from "vitest";
import { defineMachine, handleProvider, type PushIsolation } from "../../../runtime/index.js";
import { build, type Fn, runFlow } from "./support.js";

/** main: start pushes into `sub` (returning to `end`); sub: s1 runs `work` then s2 (final). */
function pushing(work: Fn, isolation: PushIsolation = "copy", result?: Record<string, string>) {
  return build({
    networks: {
      main: { start: { start: true, arcs: [{ push: { to: "sub", returns: "end", isolation, ...(result ? { result } : {}) } }] }, end: { final: true } },
      sub: { s1: { start: true, transforms: [work], arcs: ["s2"] }, s2: { final: true } },
    },
  });
}

describe("isolation", () => {
  const mutate: Fn = (d) => {
    d["nested"].changed = true;
  };

  it("copy gives the child a deep copy", async () => {
    const def = pushing(mutate, "copy", { nested: "child_nested" });
    const result = await runFlow(def, { nested: { changed: false } });
    expect(result.data).toEqual({ nested: { changed: false }, child_nested: { changed: true } });
  });

  it("reference gives the child the parent's record itself", async () => {
    const def = pushing(mutate, "reference", { nested: "child_nested" });
    const result = defineMachine(def).processSync({ nested: { changed: false } }, { dataMode: "direct" });
    expect(result.data["nested"]).toEqual({ changed: true });
  });

  it("serialize round-trips JSON and refuses what JSON would change", async () => {
    const ok = await runFlow(pushing((d) => ({ ...d, ok: true }), "serialize"), { list: [1, "a", null, { b: true }] });
    expect(ok.data).toEqual({ list: [1, "a", null, { b: true }], ok: true });
    for (const [value, problem] of [
      [new Map(), "the value at '/bad' is not JSON-serialisable (Map)"],
      [Number.NaN, "the value at '/bad' is not JSON-serialisable (NaN)"],
      [[1, undefined], "the value at '/bad/1' is not JSON-serialisable (undefined)"],
      [10n, "the value at '/bad' is not JSON-serialisable (bigint)"],
    ] as const) {
      const def = pushing((d) => d, "serialize");
      const result = defineMachine(def).processSync({ bad: value });
      expect(result).toMatchObject({ success: false, final_state: "start", error: "Transition failed: start -> sub" });
      expect(result.metadata["failures"]).toEqual([{ state: "start", function: null, phase: "push", error: problem }]);
    }
  });

  it("serialize accepts objects with toJSON (dates) and drops undefined properties", async () => {
    const def = pushing((d) => d, "serialize");
    const result = defineMachine(def).processSync({ at: new Date(0), gone: undefined });
    expect(result.data).toEqual({ at: "1970-01-01T00:00:00.000Z" });
  });
});

describe("pops", () => {
  it("nested subflows drain in one go when a return state is final in the next network", async () => {
    const def = build({
      networks: {
        main: { start: { start: true, arcs: [{ push: { to: "outer", returns: "end" } }] }, end: { final: true } },
        outer: { o1: { start: true, arcs: [{ push: { to: "inner", returns: "o2" } }] }, o2: { final: true, transforms: [(d) => ({ ...d, o2: true })] } },
        inner: { i1: { start: true, arcs: ["i2"] }, i2: { final: true } },
      },
    });
    const result = await runFlow(def, {});
    expect(result).toMatchObject({ success: true, final_state: "end", path: ["start", "o1", "i1", "i2", "o2", "end"], data: { o2: true } });
  });

  it("a rejecting return state fails the run in the return state (Q14, E5)", async () => {
    const def = build({
      networks: {
        main: {
          start: { start: true, arcs: [{ push: { to: "sub", returns: "after" } }] },
          after: { pre: [() => false], arcs: ["end"] },
          end: { final: true },
        },
        sub: { s1: { start: true, arcs: ["s2"] }, s2: { final: true } },
      },
    });
    expect(await runFlow(def, {})).toMatchObject({
      success: false,
      final_state: "after",
      error: "Transition failed: s2 -> after",
      path: ["start", "s1", "s2", "after"],
    });
  });

  it("without a return state, an inner subflow's terminal ends the whole run (Q13)", async () => {
    const def = build({
      networks: {
        main: { start: { start: true, arcs: [{ push: { to: "outer", returns: "end" } }] }, end: { final: true } },
        outer: { o1: { start: true, arcs: [{ push: "inner" }] }, o2: { final: true } },
        inner: { i1: { start: true, arcs: ["i2"] }, i2: { final: true } },
      },
    });
    expect(await runFlow(def, {})).toMatchObject({ success: true, final_state: "i2", path: ["start", "o1", "i1", "i2"] });
  });

  it("the result mapping keeps unmapped parent fields and drops unmapped child fields", async () => {
    const def = pushing((d) => ({ ...d, score: 7, scratch: true }), "copy", { score: "score", missing: "never" });
    expect((await runFlow(def, { id: 1 })).data).toEqual({ id: 1, score: 7 });
  });
});

describe("what a subflow shares", () => {
  it("variables and failed states are shared; ctx.network_name names the sub-network", async () => {
    const networks: unknown[] = [];
    const def = build({
      networks: {
        main: {
          start: {
            start: true,
            transforms: [
              (_d, ctx) => {
                ctx.variables["from"] = "main";
                networks.push(ctx.network_name);
              },
            ],
            arcs: [{ push: { to: "sub", returns: "end" } }],
          },
          end: { final: true, transforms: [(d) => ({ ...d, endRan: true })] },
        },
        sub: {
          s1: {
            start: true,
            transforms: [
              (d, ctx) => {
                networks.push(ctx.network_name);
                if (ctx.variables["from"] === "main") throw new Error("seen main's variable");
                return d;
              },
            ],
            arcs: ["s2"],
          },
          s2: { final: true },
        },
      },
    });
    const result = defineMachine(def).processSync({});
    expect(result).toMatchObject({ success: false, error: "State transform failed in: s1", data: {} });
    expect(networks).toEqual([null, "sub"]);
  });

  it("sub-network states inherit the pushing state's resources; their own bindings win", async () => {
    const seen: unknown[] = [];
    const def = build({
      networks: {
        main: { start: { start: true, resources: ["db", ["cache", "redis"]], arcs: [{ push: { to: "sub", returns: "end" } }] }, end: { final: true } },
        sub: {
          s1: {
            start: true,
            resources: [["cache", "memcache"]],
            transforms: [
              (_d, ctx) => {
                seen.push({ ...ctx.resources }, ctx.metadata["resource_roles"]);
              },
            ],
            arcs: ["s2"],
          },
          s2: { final: true },
        },
      },
      resources: ["db", "redis", "memcache"],
    });
    const machine = defineMachine(def, { resources: { db: handleProvider("DB"), redis: handleProvider("REDIS"), memcache: handleProvider("MEMCACHE") } });
    expect(machine.processSync({}).success).toBe(true);
    expect(seen).toEqual([
      { db: "DB", cache: "MEMCACHE" },
      { db: "db", cache: "memcache" },
    ]);
  });

  it("a push counts as a transition and its usage reads arc_<source>_<network>_usage (E8)", async () => {
    const result = await runFlow(pushing((d) => d), {});
    expect(result.metadata).toEqual({ arc_start_sub_usage: 1, arc_s1_s2_usage: 1 });
  });
});
