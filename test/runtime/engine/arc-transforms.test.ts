/**
 * Arc-transform chains: result handling (E4), the retry policy (Q16, E11) with delays on the
 * injected clock, and transition failures (Q17, E5).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, defineMachine, RetryableError, SimulatedClock } from "../../../runtime/index.js";
import { type Fn, flow, runBoth } from "./support.js";

function chain(fns: Fn | Fn[], retry = DEFAULT_RETRY) {
  return flow(
    {
      start: { start: true, transforms: [(d) => ({ ...d, source: true })], arcs: [{ to: "end", do: Array.isArray(fns) ? fns : [fns] }] },
      end: { final: true },
    },
    { settings: { retry } },
  );
}

/** Runs sync and async on fresh clocks; returns the result and both clocks' sleeps. */
async function withClock(makeDef: () => ReturnType<typeof chain>, input: Record<string, unknown> = {}) {
  const clocks: SimulatedClock[] = [];
  const result = await runBoth(makeDef, () => structuredClone(input), {
    machine: () => {
      const clock = new SimulatedClock();
      clocks.push(clock);
      return { clock };
    },
  });
  return { result, slept: clocks.map((c) => c.slept) };
}

describe("arc transforms", () => {
  it("an object replaces the record; nothing keeps it; in-place changes stay", async () => {
    const def = () =>
      chain([
        (d) => {
          d["inPlace"] = 1;
        },
        () => null,
        (d) => ({ ...d, replaced: true }),
      ]);
    const { result } = await withClock(def);
    expect(result.data).toEqual({ source: true, inPlace: 1, replaced: true });
  });

  it("a non-object result gives up the transition with E4's message", async () => {
    const { result } = await withClock(() => chain({ name: "bad", fn: () => 42 } as unknown as Fn));
    expect(result).toMatchObject({ success: false, final_state: "start", error: "Transition failed: start -> end", data: { source: true } });
  });

  it("a failure restores the source's committed record (decision 7)", async () => {
    const { result } = await withClock(() =>
      chain([
        (d) => ({ ...d, half: true }),
        () => {
          throw new Error("second");
        },
      ]),
    );
    expect(result.data).toEqual({ source: true });
    expect(result.metadata["failures"]).toEqual([{ state: "start", function: expect.any(String), phase: "arc_transform", error: "second" }]);
  });
});

describe("retry policy (E11)", () => {
  it("retries a RetryableError with exponential backoff on the clock, then fails", async () => {
    let attempts = 0;
    const { result, slept } = await withClock(() =>
      chain(() => {
        attempts++;
        throw new RetryableError("flaky");
      }),
    );
    expect(result).toMatchObject({ success: false, error: "Transition failed: start -> end", final_state: "start" });
    expect(slept).toEqual([
      [100, 200, 400],
      [100, 200, 400],
    ]);
    expect(attempts).toBe(8);
  });

  it("succeeds when a retry succeeds, starting again from the snapshot", async () => {
    let attempts = 0;
    const { result, slept } = await withClock(() => {
      attempts = 0;
      return chain([
        (d) => ({ ...d, tries: (d["tries"] ?? 0) + 1 }),
        () => {
          attempts++;
          if (attempts < 3) throw Object.assign(new Error("reset"), { code: "ECONNRESET" });
        },
      ]);
    });
    expect(result).toMatchObject({ success: true, data: { source: true, tries: 1 } });
    expect(slept).toEqual([
      [100, 200],
      [100, 200],
    ]);
  });

  it("an error marked `retryable: true` is retried; other errors are not", async () => {
    const marked = await withClock(() =>
      chain(() => {
        throw Object.assign(new Error("marked"), { retryable: true });
      }),
    );
    expect(marked.slept[0]).toEqual([100, 200, 400]);
    const plain = await withClock(() =>
      chain(() => {
        throw new Error("plain");
      }),
    );
    expect(plain.slept).toEqual([[], []]);
  });

  it("honours maxRetries, initialDelayMs, backoffFactor and maxDelayMs", async () => {
    const retry = { maxRetries: 5, initialDelayMs: 50, backoffFactor: 3, maxDelayMs: 1000 };
    const { slept } = await withClock(() =>
      chain(() => {
        throw new RetryableError("again");
      }, retry),
    );
    expect(slept[0]).toEqual([50, 150, 450, 1000, 1000]);
  });

  it("maxRetries 0 disables retries", async () => {
    const { result, slept } = await withClock(() =>
      chain(() => {
        throw new RetryableError("again");
      }, { ...DEFAULT_RETRY, maxRetries: 0 }),
    );
    expect(result.success).toBe(false);
    expect(slept).toEqual([[], []]);
  });

  it("REFERENCE and DIRECT restore the record in place before a retry", async () => {
    for (const dataMode of ["reference", "direct"] as const) {
      let attempts = 0;
      const seen: unknown[] = [];
      const def = chain([
        (d) => {
          seen.push(structuredClone(d));
          d["count"] = (d["count"] ?? 0) + 1;
          d["nested"].touched = true;
        },
        () => {
          if (++attempts < 2) throw new RetryableError("once");
        },
      ]);
      const input = { nested: {} as Record<string, unknown> };
      const result = defineMachine(def, { clock: new SimulatedClock() }).processSync(input, { dataMode });
      expect(seen).toEqual([
        { source: true, nested: {} },
        { source: true, nested: {} },
      ]);
      expect(result.data).toEqual({ source: true, count: 1, nested: { touched: true } });
    }
  });
});
