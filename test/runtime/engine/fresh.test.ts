/**
 * COPY rollback without a snapshot (decision 7): while a run's record is still the untouched copy
 * of its input — the states so far called at most their record-type check and conditions proved
 * read-only — the first entry that does work takes no snapshot, and a failure re-copies the
 * input. Anything that may have written to the record ends that, and the next entry snapshots.
 */
import { describe, expect, it } from "vitest";
import type { Data } from "../../../runtime/index.js";
import { flow, runBoth } from "./support.js";

/** A generated-style input copy that counts its calls. */
function countingCopy(): { copy: (data: Data) => Data; calls: () => number } {
  let calls = 0;
  return {
    copy: (data) => {
      calls++;
      return structuredClone(data);
    },
    calls: () => calls,
  };
}

const failAfterWriting = (d: Record<string, unknown>): never => {
  d["n"] = 99;
  d["added"] = true;
  throw new Error("boom");
};

describe("fresh input copy", () => {
  it("a failing entry after read-only conditions rolls back to the input by copying it again", async () => {
    const counter = countingCopy();
    const def = () =>
      flow(
        {
          a: { start: true, check: () => null, arcs: [{ to: "b", when: { name: "positive", fn: (d) => d["n"] > 0, readsOnly: true } }, "c"] },
          b: { transforms: [failAfterWriting], arcs: ["c"] },
          c: { final: true },
        },
        { copyInput: counter.copy },
      );
    const result = await runBoth(def, () => ({ n: 1, nested: { k: [1] } }));
    expect(result.success).toBe(false);
    expect(result.error).toBe("State transform failed in: b");
    expect(result.data).toEqual({ n: 1, nested: { k: [1] } });
    expect(result.path).toEqual(["a", "b", "c"]);
    // Two runs (process and processSync), each: the input copy, then the rollback's copy.
    expect(counter.calls()).toBe(4);
  });

  it("a condition not proved read-only may write: the entry after it snapshots, and keeps its write", async () => {
    const counter = countingCopy();
    const touch = (d: Record<string, unknown>): boolean => {
      d["touched"] = true;
      return true;
    };
    const def = () =>
      flow(
        { a: { start: true, arcs: [{ to: "b", when: touch }] }, b: { transforms: [failAfterWriting], arcs: ["c"] }, c: { final: true } },
        { copyInput: counter.copy },
      );
    const result = await runBoth(def, () => ({ n: 1 }));
    expect(result.data).toEqual({ n: 1, touched: true });
    expect(counter.calls()).toBe(2);
  });

  it("an arc transform or an earlier working state ends the fresh copy", async () => {
    const viaArc = await runBoth(
      () =>
        flow(
          {
            a: { start: true, arcs: [{ to: "b", do: (d) => ({ ...d, viaArc: true }) }] },
            b: { transforms: [failAfterWriting], arcs: ["c"] },
            c: { final: true },
          },
          { copyInput: (d) => structuredClone(d) },
        ),
      () => ({ n: 1 }),
    );
    expect(viaArc.data).toEqual({ n: 1, viaArc: true });
    const viaState = await runBoth(
      () =>
        flow(
          {
            a: { start: true, transforms: [(d) => ({ ...d, first: true })], arcs: ["b"] },
            b: { transforms: [failAfterWriting], arcs: ["c"] },
            c: { final: true },
          },
          { copyInput: (d) => structuredClone(d) },
        ),
      () => ({ n: 1 }),
    );
    expect(viaState.data).toEqual({ n: 1, first: true });
  });

  it("without a generated input copy, read-only conditions do not keep the record fresh", async () => {
    // The generic copy shares functions, so a record may carry code that a read could run.
    const result = await runBoth(
      () =>
        flow({
          a: { start: true, arcs: [{ to: "b", when: { name: "ro", fn: () => true, readsOnly: true } }] },
          b: { transforms: [failAfterWriting], arcs: ["c"] },
          c: { final: true },
        }),
      () => ({ n: 1 }),
    );
    expect(result.data).toEqual({ n: 1 });
  });
});
