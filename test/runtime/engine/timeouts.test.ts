/**
 * Timeouts (decision E6) on a simulated clock, and the sync/async contract of `processSync`
 * (decision E9): refused at call time with async slots, a run failure when a function declared
 * synchronous returns a thenable.
 */
import { describe, expect, it } from "vitest";
import { defineMachine, NotSynchronousError, RetryableError, SimulatedClock } from "../../../runtime/index.js";
import { flow, runBoth } from "./support.js";

const TIMED_OUT = (t: number, data: unknown) => ({
  success: false,
  final_state: null,
  data,
  path: [],
  error: `FSM execution exceeded timeout of ${t} seconds`,
  metadata: {},
});

/** A chain a → b → c → end where each state's transform advances the clock by `stepMs`. */
function slowFlow(clock: SimulatedClock, stepMs: number, timeoutSeconds?: number) {
  const tick = (d: Record<string, unknown>) => {
    clock.advance(stepMs);
    return { ...d, steps: ((d["steps"] as number | undefined) ?? 0) + 1 };
  };
  return flow(
    {
      a: { start: true, transforms: [tick], arcs: ["b"] },
      b: { transforms: [tick], arcs: ["c"] },
      c: { transforms: [tick], arcs: ["end"] },
      end: { final: true },
    },
    timeoutSeconds === undefined ? {} : { settings: { timeoutSeconds } },
  );
}

describe("timeouts (E6)", () => {
  it("the machine's timeout_seconds cuts a run between steps, sync and async alike", async () => {
    const input = { id: 1 };
    const syncClock = new SimulatedClock();
    const sync = defineMachine(slowFlow(syncClock, 400, 1), { clock: syncClock }).processSync(input);
    expect(sync).toEqual(TIMED_OUT(1, input));
    expect(sync.data).toBe(input);
    const asyncClock = new SimulatedClock();
    const result = await defineMachine(slowFlow(asyncClock, 400, 1), { clock: asyncClock }).process(input);
    expect(result).toEqual(TIMED_OUT(1, input));
  });

  it("a run that finishes in time is unaffected", async () => {
    const clock = new SimulatedClock();
    const result = defineMachine(slowFlow(clock, 100, 1), { clock }).processSync({});
    expect(result).toMatchObject({ success: true, data: { steps: 3 } });
  });

  it("the per-call option overrides the machine's timeout", async () => {
    const clock = new SimulatedClock();
    const machine = defineMachine(slowFlow(clock, 100, 10), { clock });
    expect(machine.processSync({}, { timeoutSeconds: 0.15 })).toEqual(TIMED_OUT(0.15, {}));
    const fresh = new SimulatedClock();
    expect(defineMachine(slowFlow(fresh, 100), { clock: fresh }).processSync({}, { timeoutSeconds: 5 }).success).toBe(true);
  });

  it("an awaited function that moves the clock past the deadline times the run out", async () => {
    const clock = new SimulatedClock();
    const def = flow({
      start: { start: true, arcs: [{ to: "end", when: { name: "slow", async: true, fn: async () => (await clock.sleep(3000), true) } }] },
      end: { final: true },
    });
    expect(await defineMachine(def, { clock }).process({}, { timeoutSeconds: 2 })).toEqual(TIMED_OUT(2, {}));
  });

  it("a function that never settles is abandoned at the deadline (real timer race)", async () => {
    const def = flow({
      start: { start: true, transforms: [{ name: "hang", async: true, fn: () => new Promise<never>(() => undefined) }], arcs: ["end"] },
      end: { final: true },
    });
    expect(await defineMachine(def).process({}, { timeoutSeconds: 0.001 })).toEqual(TIMED_OUT(0.001, {}));
  });

  it("retry delays count against the deadline and are cut to it", async () => {
    const make = () => {
      const clock = new SimulatedClock();
      const def = flow(
        {
          start: {
            start: true,
            arcs: [
              {
                to: "end",
                do: () => {
                  throw new RetryableError("down");
                },
              },
            ],
          },
          end: { final: true },
        },
        { settings: { timeoutSeconds: 0.25 } },
      );
      return { clock, machine: defineMachine(def, { clock }) };
    };
    const sync = make();
    expect(sync.machine.processSync({})).toEqual(TIMED_OUT(0.25, {}));
    expect(sync.clock.slept).toEqual([100, 150]);
    const async = make();
    expect(await async.machine.process({})).toEqual(TIMED_OUT(0.25, {}));
    expect(async.clock.slept).toEqual([100, 150]);
  });

  it("a non-positive per-call timeout is refused", async () => {
    const machine = defineMachine(flow({ s: { start: true, final: true } }));
    expect(() => machine.processSync({}, { timeoutSeconds: 0 })).toThrow(RangeError);
  });
});

describe("processSync and async functions (E9)", () => {
  const asyncDef = () =>
    flow({
      start: { start: true, transforms: [{ name: "fetchRate", async: true, fn: async (d) => ({ ...d, rate: 2 }) }], arcs: ["end"] },
      end: { final: true },
    });

  it("refuses at call time on a machine with async functions, naming them", () => {
    const machine = defineMachine(asyncDef());
    expect(() => machine.processSync({})).toThrow(NotSynchronousError);
    expect(() => machine.processSync({})).toThrow(
      "processSync cannot run this machine: it has async functions (`fetchRate`); use process() instead",
    );
  });

  it("process awaits async functions", async () => {
    expect(await defineMachine(asyncDef()).process({ a: 1 })).toMatchObject({ success: true, data: { a: 1, rate: 2 } });
  });

  it("fails the run when a function declared synchronous returns a Promise", async () => {
    let rejected = false;
    const def = flow({
      start: {
        start: true,
        transforms: [
          {
            name: "sneaky",
            fn: () =>
              Promise.reject(new Error("late")).catch((error: unknown) => {
                rejected = true;
                throw error;
              }),
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const result = defineMachine(def).processSync({ a: 1 });
    expect(result).toMatchObject({
      success: false,
      final_state: "start",
      path: ["start"],
      error: "processSync cannot run this machine: function `sneaky` returned a Promise; use process() instead",
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejected).toBe(true);
  });

  it("process awaits a Promise from a function declared synchronous", async () => {
    const def = flow({
      start: { start: true, arcs: [{ to: "end", when: { name: "later", fn: () => Promise.resolve(true) } }] },
      end: { final: true },
    });
    expect((await defineMachine(def).process({})).success).toBe(true);
  });

  it("async and sync functions mixed give the same results as all-sync ones", async () => {
    const make = (isAsync: boolean) =>
      flow({
        start: {
          start: true,
          pre: [{ name: "p", async: isAsync, fn: isAsync ? async () => ({ pre: 1 }) : () => ({ pre: 1 }) }],
          transforms: [{ name: "t", async: isAsync, fn: isAsync ? async (d) => ({ ...d, t: 1 }) : (d) => ({ ...d, t: 1 }) }],
          validators: [{ name: "v", async: isAsync, fn: isAsync ? async () => true : () => true }],
          arcs: [
            {
              to: "end",
              when: { name: "c", async: isAsync, fn: isAsync ? async () => [true, "ok"] : () => [true, "ok"] },
              do: { name: "a", async: isAsync, fn: isAsync ? async (d) => ({ ...d, a: 1 }) : (d) => ({ ...d, a: 1 }) },
            },
          ],
        },
        end: { final: true },
      });
    const viaAsync = await runBoth(() => make(true), () => ({}));
    const viaSync = await runBoth(() => make(false), () => ({}));
    expect(viaAsync).toEqual(viaSync);
    expect(viaAsync.data).toEqual({ pre: 1, t: 1, a: 1 });
  });

  it("a rejected promise is a throw of the slot", async () => {
    const def = flow({
      start: {
        start: true,
        arcs: [{ to: "end", when: { name: "g", async: true, fn: async () => Promise.reject(new Error("gate down")) } }],
      },
      end: { final: true },
    });
    expect(await defineMachine(def).process({})).toMatchObject({ success: false, error: "gate down", final_state: "start" });
  });
});
