/**
 * The state-entry procedure: pre-validators, the record-type check (decision 8), transforms
 * (E4, the skip rule), post-validators (E2), and COPY rollback (decision 7).
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../runtime/index.js";
import { flow, runFlow } from "./support.js";

const endAfter = (state: Parameters<typeof flow>[0][string]) =>
  flow({ start: { start: true, arcs: ["s"] }, s: { ...state, arcs: ["end"] }, end: { final: true } });

describe("pre-validators", () => {
  it.each([
    ["false", () => false, "pre-validator `p` returned false"],
    ["[false, reason]", () => [false, "too small"], "too small"],
    ["a throw", () => { throw new Error("exploded"); }, "exploded"],
    ["ctx.reject", (_d: unknown, ctx: { reject(r: string): never }) => ctx.reject("no entry"), "no entry"],
    ["a ValidationError", () => { throw new ValidationError("invalid"); }, "invalid"],
  ])("%s refuses the entry (a transition failure in the refused state)", async (_, fn, reason) => {
    const result = await runFlow(endAfter({ pre: [{ name: "p", fn: fn as () => unknown }] }), { a: 1 });
    expect(result).toMatchObject({
      success: false,
      final_state: "s",
      path: ["start", "s"],
      error: "Transition failed: start -> s",
      data: { a: 1 },
    });
    expect(result.metadata["failures"]).toEqual([{ state: "s", function: "p", phase: "pre_validation", error: reason }]);
  });

  it.each([
    ["true", true],
    ["undefined", undefined],
    ["0", 0],
    ["[true, reason]", [true, "fine"]],
    ["a string", "ok"],
  ])("%s passes", async (_, value) => {
    expect((await runFlow(endAfter({ pre: [() => value] }), {})).success).toBe(true);
  });

  it("merges object results shallowly, in order, before the check and the transforms", async () => {
    const def = endAfter({
      pre: [() => ({ a: 1, nested: { x: 1 } }), (d) => ({ b: d["a"] + 1 })],
      check: (d) => (d["b"] === 2 ? null : [{ pointer: "/b", message: "must be 2" }]),
      transforms: [(d) => ({ ...d, c: d["b"] + 1 })],
    });
    expect((await runFlow(def, { nested: { y: 2 } })).data).toEqual({ a: 1, b: 2, c: 3, nested: { x: 1 } });
  });

  it("a later pre-validator does not run after a refusal", async () => {
    const calls: string[] = [];
    const def = endAfter({
      pre: [
        () => false,
        () => {
          calls.push("second");
        },
      ],
    });
    await runFlow(def, {});
    expect(calls).toEqual([]);
  });
});

describe("record-type check (decision 8)", () => {
  const typed = endAfter({
    check: (d) => (typeof d["id"] === "number" ? null : [{ pointer: "/id", message: "must be a number" }]),
    transforms: [(d) => ({ ...d, checked: true })],
  });

  it("passes a matching record on to the transforms", async () => {
    expect(await runFlow(typed, { id: 1 })).toMatchObject({ success: true, data: { id: 1, checked: true } });
  });

  it("refuses a mismatching record like a pre-validator, with the issues in metadata.schema_errors", async () => {
    const result = await runFlow(typed, { id: "x" });
    expect(result).toMatchObject({ success: false, final_state: "s", error: "Transition failed: start -> s", data: { id: "x" } });
    expect(result.metadata["schema_errors"]).toEqual([{ pointer: "/id", message: "must be a number" }]);
  });

  it("on the first state the failure reads `Pre-validation failed for state '<name>'`", async () => {
    const def = flow({
      start: { start: true, check: () => [{ pointer: "", message: "must be object" }], arcs: ["end"] },
      end: { final: true },
    });
    const result = await runFlow(def, {});
    expect(result).toMatchObject({ success: false, final_state: "start", error: "Pre-validation failed for state 'start'" });
    expect(result.metadata["schema_errors"]).toEqual([{ pointer: "", message: "must be object" }]);
  });

  it("runs after the pre-validators", async () => {
    const def = endAfter({ pre: [() => ({ id: 7 })], check: (d) => (d["id"] === 7 ? null : [{ pointer: "/id", message: "x" }]) });
    expect((await runFlow(def, {})).success).toBe(true);
  });
});

describe("transforms (E4)", () => {
  it("an object replaces the record, nothing keeps it", async () => {
    const def = endAfter({ transforms: [() => ({ replaced: true }), () => undefined, () => null] });
    expect((await runFlow(def, { a: 1 })).data).toEqual({ replaced: true });
  });

  it("failed states are listed sorted, once each", async () => {
    const boom = () => {
      throw new Error("x");
    };
    const def = flow({
      start: { start: true, arcs: ["zeta"] },
      zeta: { transforms: [boom], arcs: ["alpha"] },
      alpha: { runOnFailure: true, transforms: [boom], arcs: ["end"] },
      end: { final: true },
    });
    expect((await runFlow(def, {})).error).toBe("State transform failed in: alpha, zeta");
  });

  it("routing after a failure continues on the pre-failure record", async () => {
    const def = flow({
      start: { start: true, arcs: ["work"] },
      work: {
        transforms: [
          (d) => {
            d["flag"] = true;
            throw new Error("late");
          },
        ],
        arcs: [{ to: "flagged", when: (d) => d["flag"] === true }, "clean"],
      },
      flagged: { final: true },
      clean: { final: true },
    });
    expect(await runFlow(def, {})).toMatchObject({ final_state: "clean", data: {}, error: "State transform failed in: work" });
  });

  it("a failure records its details in metadata.failures", async () => {
    const def = endAfter({
      transforms: [
        {
          name: "explode",
          fn: () => {
            throw new RangeError("out of range");
          },
        },
      ],
    });
    expect((await runFlow(def, {})).metadata["failures"]).toEqual([
      { state: "s", function: "explode", phase: "transform", error: "out of range" },
    ]);
  });
});

describe("post-validators (E2)", () => {
  it("run after the transforms and see their result", async () => {
    const seen: unknown[] = [];
    const def = endAfter({
      transforms: [(d) => ({ ...d, t: 1 })],
      validators: [
        (d) => {
          seen.push({ ...d });
          return true;
        },
      ],
    });
    expect((await runFlow(def, {})).success).toBe(true);
    expect(seen).toEqual([{ t: 1 }, { t: 1 }]);
  });

  it.each([
    ["false", () => false, "validator `v` returned false"],
    ["[false, reason]", () => [false, "bad total"], "bad total"],
    ["a throw", () => { throw new Error("broken"); }, "broken"],
  ])("%s fails the state like a transform and rolls the entry back", async (_, fn, reason) => {
    const def = endAfter({ transforms: [(d) => ({ ...d, t: 1 })], validators: [{ name: "v", fn }] });
    const result = await runFlow(def, { a: 1 });
    expect(result).toMatchObject({ success: false, final_state: "end", error: "State transform failed in: s", data: { a: 1 } });
    expect(result.metadata["failures"]).toEqual([{ state: "s", function: "v", phase: "validation", error: reason }]);
  });

  it("an object result is ignored (validators do not change data)", async () => {
    const def = endAfter({ validators: [() => ({ injected: true })] });
    expect((await runFlow(def, { a: 1 })).data).toEqual({ a: 1 });
  });

  it("are skipped with the transforms of a state after an earlier failure", async () => {
    const calls: string[] = [];
    const def = flow({
      start: {
        start: true,
        transforms: [
          () => {
            throw new Error("x");
          },
        ],
        arcs: ["s"],
      },
      s: {
        validators: [
          () => {
            calls.push("validator");
            return false;
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    expect((await runFlow(def, {})).error).toBe("State transform failed in: start");
    expect(calls).toEqual([]);
  });
});

describe("COPY rollback (decision 7)", () => {
  it("a failing entry restores the record the previous state committed, nested values included", async () => {
    const def = flow({
      start: { start: true, transforms: [(d) => ({ ...d, committed: 1 })], arcs: ["s"] },
      s: {
        transforms: [
          (d) => {
            d["nested"].x = 99;
            d["top"] = "changed";
          },
          () => {
            throw new Error("second fails");
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const input = { nested: { x: 1 } };
    const result = await runFlow(def, input);
    expect(result.data).toEqual({ nested: { x: 1 }, committed: 1 });
    expect(input).toEqual({ nested: { x: 1 } });
  });

  it("a failing first entry restores the input", async () => {
    const def = flow({
      start: {
        start: true,
        transforms: [
          (d) => {
            d["nested"].x = 2;
            throw new Error("no");
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const input = { nested: { x: 1 } };
    const result = await runFlow(def, input);
    expect(result.data).toEqual({ nested: { x: 1 } });
    expect(result.data).not.toBe(input);
  });

  it("a refused entry restores the source's commit, including arc-transform changes", async () => {
    const def = flow({
      start: { start: true, transforms: [(d) => ({ ...d, s: 1 })], arcs: [{ to: "s", do: (d) => ({ ...d, arc: 1 }) }] },
      s: {
        pre: [
          (d) => {
            d["pre"] = 1;
            return false;
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    expect((await runFlow(def, {})).data).toEqual({ s: 1 });
  });

  it("a failure after the entry keeps what the state committed (its own transforms included)", async () => {
    const def = flow({
      start: { start: true, arcs: ["s"] },
      s: {
        transforms: [(d) => ({ ...d, committed: true })],
        arcs: [
          {
            to: "end",
            when: () => {
              throw new Error("condition error");
            },
          },
        ],
      },
      end: { final: true },
    });
    expect(await runFlow(def, {})).toMatchObject({ error: "condition error", data: { committed: true } });
  });

  it("REFERENCE and DIRECT modes do not roll back", async () => {
    for (const dataMode of ["reference", "direct"] as const) {
      const def = endAfter({
        transforms: [
          (d) => {
            d["partial"] = true;
            throw new Error("no");
          },
        ],
      });
      const input = {};
      const result = await runFlow(def, input, { process: { dataMode } });
      expect(result.data).toEqual({ partial: true });
    }
  });
});
