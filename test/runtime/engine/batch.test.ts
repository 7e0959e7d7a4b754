/**
 * `processBatch` (SEMANTICS §6.3 with Q19 fixed: full results, input order) and `validate`
 * (the main start state's record check). Concurrency, read-ahead and abort are observed by
 * counting inside the machine's own functions; time moves on a simulated clock where it matters.
 */
import { describe, expect, it } from "vitest";
import { createOrders } from "../../../examples/orders/orders.fsm.js";
import {
  type BatchProgress,
  type Data,
  defineMachine,
  MachineClosedError,
  type SchemaIssue,
  SimulatedClock,
} from "../../../runtime/index.js";
import { flow } from "./support.js";

const CANCELLED = (data: unknown) => ({
  success: false,
  final_state: null,
  data,
  path: [],
  error: "Cancelled before it started (batch aborted)",
  metadata: { cancelled: true },
});

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An async machine `work → done` whose `work` transform waits `delayMs(data)` real ms, counting runs in flight. */
function waitingMachine(delayMs: (data: Data) => number) {
  const stats = { inFlight: 0, maxInFlight: 0, started: 0, completed: 0 };
  const def = flow({
    work: {
      start: true,
      transforms: [
        {
          name: "work",
          async: true,
          fn: async (data) => {
            stats.started++;
            stats.inFlight++;
            stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
            await wait(delayMs(data));
            stats.inFlight--;
            stats.completed++;
            return { ...data, worked: true };
          },
        },
      ],
      arcs: ["done"],
    },
    done: { final: true },
  });
  return { machine: defineMachine(def), stats };
}

/** A synchronous machine `start → big | small` (by `n >= 5`); `start`'s transform runs `each` first. */
function syncMachine(each: (data: Data) => void = () => undefined, clock = new SimulatedClock()) {
  const def = flow({
    start: {
      start: true,
      transforms: [
        (data) => {
          each(data);
          return { ...data, seen: true };
        },
      ],
      arcs: [{ to: "big", when: (data) => (data["n"] as number) >= 5 }, "small"],
    },
    big: { final: true },
    small: { final: true },
  });
  return defineMachine(def, { clock });
}

const numbered = (count: number) => Array.from({ length: count }, (_, n) => ({ n }));

describe("processBatch: order and concurrency", () => {
  it("keeps input order with records finishing out of order, and never runs more than `concurrency` at once", async () => {
    const { machine, stats } = waitingMachine((data) => 12 - ((data["n"] as number) % 6) * 2);
    const input = numbered(24);
    const results = await machine.processBatch(input, { concurrency: 4 });
    expect(results.map((r) => r.data["n"])).toEqual(input.map((r) => r.n));
    expect(results.every((r) => r.success && r.final_state === "done" && r.data["worked"] === true)).toBe(true);
    expect(results[0]).toEqual({ success: true, final_state: "done", data: { n: 0, worked: true }, path: ["work", "done"], error: null, metadata: { arc_work_done_usage: 1 } });
    expect(stats.maxInFlight).toBe(4);
    expect(stats.completed).toBe(24);
  });

  it("an async machine runs 16 records at once by default", async () => {
    const { machine, stats } = waitingMachine(() => 2);
    await machine.processBatch(numbered(40));
    expect(stats.maxInFlight).toBe(16);
  });

  it("a synchronous machine runs through processSync at concurrency 1 (a function returning a Promise fails there) and through process above", async () => {
    const def = flow({
      start: { start: true, transforms: [{ name: "sneaky", fn: async (data) => ({ ...data, ok: true }) }], arcs: ["end"] },
      end: { final: true },
    });
    const machine = defineMachine(def);
    const [viaSync] = await machine.processBatch([{ n: 1 }]);
    expect(viaSync).toMatchObject({ success: false, error: expect.stringContaining("function `sneaky` returned a Promise") });
    const [viaProcess] = await machine.processBatch([{ n: 1 }], { concurrency: 2 });
    expect(viaProcess).toMatchObject({ success: true, data: { n: 1, ok: true } });
  });

  it("gives generated machines (compiled lane) the same results as process", async () => {
    const orders = createOrders();
    const input = [
      { id: 1, name: "Ada", amount: 10, tier: "gold" as const },
      { id: 2, name: "", amount: -1, tier: "basic" as const },
      { id: 3, name: "Alan", amount: 74, tier: "silver" as const },
    ];
    const expected = await Promise.all(input.map((r) => orders.process(r)));
    expect(await orders.processBatch(input)).toEqual(expected);
    expect(await orders.processBatch(input, { concurrency: 3 })).toEqual(expected);
  });
});

describe("processBatch: input", () => {
  it("reads an async iterable ahead by at most `batchSize` unfinished records", async () => {
    const { machine, stats } = waitingMachine(() => 1);
    let pulled = 0;
    let maxAhead = 0;
    async function* source() {
      for (let n = 0; n < 50; n++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - stats.completed);
        yield { n };
      }
    }
    const results = await machine.processBatch(source(), { concurrency: 2, batchSize: 5 });
    expect(results.map((r) => r.data["n"])).toEqual(numbered(50).map((r) => r.n));
    expect(maxAhead).toBe(5);
    expect(stats.maxInFlight).toBe(2);
  });

  it("a synchronous machine yields to the event loop every `batchSize` records", async () => {
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    const results = await syncMachine().processBatch(numbered(100), { batchSize: 10, signal: controller.signal });
    expect(results).toHaveLength(100);
    expect(results.filter((r) => r.success)).toHaveLength(10);
    expect(results[10]).toEqual(CANCELLED({ n: 10 }));
  });

  it("an input that throws while being read rejects the batch after the records in flight end", async () => {
    const { machine, stats } = waitingMachine(() => 2);
    async function* source() {
      yield { n: 0 };
      yield { n: 1 };
      throw new Error("source broke");
    }
    await expect(machine.processBatch(source(), { concurrency: 4 })).rejects.toThrow("source broke");
    expect(stats.inFlight).toBe(0);
    expect(stats.completed).toBe(2);
  });
});

describe("processBatch: abort", () => {
  it("records not started when the signal aborts are cancelled; those in flight finish; none is lost", async () => {
    const controller = new AbortController();
    let calls = 0;
    const def = flow({
      work: {
        start: true,
        transforms: [
          {
            name: "work",
            async: true,
            fn: async (data) => {
              calls++;
              if (data["n"] === 4) controller.abort();
              await wait(1);
              return { ...data, worked: true };
            },
          },
        ],
        arcs: ["done"],
      },
      done: { final: true },
    });
    const input = numbered(30);
    async function* source() {
      yield* input;
    }
    const results = await defineMachine(def).processBatch(source(), { concurrency: 3, signal: controller.signal });
    expect(results).toHaveLength(input.length);
    const ran = results.filter((r) => r.metadata["cancelled"] !== true);
    expect(ran).toHaveLength(calls);
    expect(ran.every((r) => r.success && r.data["worked"] === true)).toBe(true);
    expect(ran.map((r) => r.data["n"])).toEqual(input.slice(0, calls).map((r) => r.n));
    expect(calls).toBeGreaterThanOrEqual(5);
    results.slice(calls).forEach((r, i) => expect(r).toEqual(CANCELLED(input[calls + i])));
  });

  it("the synchronous driver stops starting records right after the aborting one", async () => {
    const controller = new AbortController();
    const machine = syncMachine((data) => {
      if (data["n"] === 2) controller.abort();
    });
    const results = await machine.processBatch(numbered(6), { signal: controller.signal });
    expect(results.map((r) => r.success)).toEqual([true, true, true, false, false, false]);
    expect(results[3]).toEqual(CANCELLED({ n: 3 }));
  });

  it("an already aborted signal cancels every record, and the progress counts them", async () => {
    const progress: BatchProgress[] = [];
    const { machine, stats } = waitingMachine(() => 1);
    const input = numbered(7);
    const results = await machine.processBatch(input, { signal: AbortSignal.abort(), onProgress: (p) => progress.push(p) });
    expect(results).toEqual(input.map((r) => CANCELLED(r)));
    expect(stats.started).toBe(0);
    expect(progress.at(-1)).toEqual({ done: 7, total: 7, succeeded: 0, failed: 0, cancelled: 7, ratePerSecond: 0, byFinalState: {} });
  });
});

describe("processBatch: progress", () => {
  it("calls onProgress at most every progressIntervalMs of the machine's clock, and once at the end", async () => {
    const clock = new SimulatedClock();
    const machine = syncMachine((data) => {
      clock.advance(30);
      if (data["n"] === 7) throw new Error("seven is bad");
    }, clock);
    const progress: BatchProgress[] = [];
    const results = await machine.processBatch(numbered(10), { onProgress: (p) => progress.push(p) });
    // 30 ms per record: 120 ms after 4 records, 240 ms after 8, then the final call after 10.
    expect(progress.map((p) => p.done)).toEqual([4, 8, 10]);
    expect(progress[0]).toEqual({ done: 4, total: 10, succeeded: 4, failed: 0, cancelled: 0, ratePerSecond: 4000 / 120, byFinalState: { small: 4 } });
    // A failed transform does not stop the record (SEMANTICS §2.6): it ends in `big`, unsuccessful.
    expect(results[7]).toMatchObject({ success: false, final_state: "big" });
    expect(progress[2]).toEqual({ done: 10, total: 10, succeeded: 9, failed: 1, cancelled: 0, ratePerSecond: 10000 / 300, byFinalState: { small: 5, big: 5 } });
  });

  it("knows the total of an async iterable only in the final call", async () => {
    const clock = new SimulatedClock();
    const machine = syncMachine(() => clock.advance(50), clock);
    async function* source() {
      yield* numbered(5);
    }
    const progress: BatchProgress[] = [];
    await machine.processBatch(source(), { onProgress: (p) => progress.push(p), progressIntervalMs: 100 });
    expect(progress.map((p) => [p.done, p.total])).toEqual([
      [2, undefined],
      [4, undefined],
      [5, 5],
    ]);
  });

  it("an onProgress that throws rejects the batch once the records in flight end", async () => {
    const { machine, stats } = waitingMachine(() => 2);
    const batch = machine.processBatch(numbered(20), {
      concurrency: 3,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.done === 2) throw new Error("progress sink broke");
      },
    });
    await expect(batch).rejects.toThrow("progress sink broke");
    expect(stats.inFlight).toBe(0);
    expect(stats.started).toBeLessThan(20);
  });
});

describe("processBatch: failures", () => {
  it("a failing record gets its full failure result among the good ones", async () => {
    const def = flow({
      start: {
        start: true,
        transforms: [
          {
            name: "enrich",
            async: true,
            fn: async (data) => {
              await wait(1);
              if (data["n"] === 2) throw new Error("lookup failed for 2");
              return { ...data, enriched: true };
            },
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const machine = defineMachine(def);
    const results = await machine.processBatch([...numbered(5), 42 as unknown as Data], { concurrency: 3 });
    expect(results.map((r) => r.success)).toEqual([true, true, false, true, true, false]);
    expect(results[2]).toEqual(await defineMachine(def).process({ n: 2 }));
    expect(results[2]?.metadata["failures"]).toEqual([{ state: "start", function: "enrich", phase: "transform", error: "lookup failed for 2" }]);
    expect(results[5]).toMatchObject({ success: false, final_state: null, data: 42, error: "a record must be an object, got number" });
  });

  it("a run that throws (the machine closed mid-batch) gives a failure result, not a rejected batch", async () => {
    let machine: ReturnType<typeof defineMachine> | null = null;
    const def = flow({
      start: {
        start: true,
        transforms: [
          {
            name: "closer",
            async: true,
            fn: async (data) => {
              if (data["n"] === 1) await machine?.close();
              return data;
            },
          },
        ],
        arcs: ["end"],
      },
      end: { final: true },
    });
    machine = defineMachine(def);
    const results = await machine.processBatch(numbered(4), { concurrency: 1 });
    expect(results.map((r) => r.success)).toEqual([true, true, false, false]);
    expect(results[2]).toEqual({
      success: false,
      final_state: null,
      data: { n: 2 },
      path: [],
      error: new MachineClosedError("test").message,
      metadata: { error_type: "MachineClosedError", code: new MachineClosedError("test").code },
    });
    await expect(machine.processBatch(numbered(1))).rejects.toBeInstanceOf(MachineClosedError);
  });

  it("a record that exceeds timeoutSeconds times out alone", async () => {
    const clock = new SimulatedClock();
    const def = flow({
      start: {
        start: true,
        transforms: [{ name: "call", async: true, fn: async (data) => (await clock.sleep(data["slow"] === true ? 3000 : 500), { ...data, called: true }) }],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const input = [{ n: 0 }, { n: 1, slow: true }, { n: 2 }];
    // One at a time: the runs share the simulated clock, and one's sleep would move the other's deadline.
    const results = await defineMachine(def, { clock }).processBatch(input, { timeoutSeconds: 2, concurrency: 1 });
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    expect(results[1]).toEqual({ success: false, final_state: null, data: input[1], path: [], error: "FSM execution exceeded timeout of 2 seconds", metadata: {} });
  });

  it("a record whose function never settles is abandoned at its deadline while the others run on", async () => {
    const def = flow({
      start: {
        start: true,
        transforms: [{ name: "call", async: true, fn: (data) => (data["hang"] === true ? new Promise<never>(() => undefined) : Promise.resolve({ ...data, called: true })) }],
        arcs: ["end"],
      },
      end: { final: true },
    });
    const input = [{ n: 0 }, { n: 1, hang: true }, ...numbered(6)];
    const results = await defineMachine(def).processBatch(input, { timeoutSeconds: 0.05, concurrency: 4 });
    expect(results).toHaveLength(8);
    expect(results[1]).toEqual({ success: false, final_state: null, data: input[1], path: [], error: "FSM execution exceeded timeout of 0.05 seconds", metadata: {} });
    expect(results.filter((r) => r.success)).toHaveLength(7);
  });

  it("passes the per-record options to every run", async () => {
    const def = flow({
      a: { start: true, transforms: [(data, ctx) => ({ ...data, from: "a", tag: ctx.variables["tag"] })], arcs: ["end"] },
      b: { transforms: [(data, ctx) => ({ ...data, from: "b", tag: ctx.variables["tag"] })], arcs: ["end"] },
      end: { final: true },
    });
    const results = await defineMachine(def).processBatch(numbered(2), { initialState: "b", variables: { tag: "t" } });
    expect(results.map((r) => [r.data["from"], r.data["tag"], r.path])).toEqual([
      ["b", "t", ["b", "end"]],
      ["b", "t", ["b", "end"]],
    ]);
  });

  it("refuses workers for a machine without a generated module, and invalid options, with a RangeError", async () => {
    const machine = syncMachine();
    await expect(machine.processBatch([], { workers: 2 })).rejects.toThrow(RangeError);
    await expect(machine.processBatch([], { workers: 2 })).rejects.toThrow("names no generated module and factory");
    await expect(machine.processBatch([], { workers: 0 })).rejects.toThrow("processBatch: workers must be an integer >= 1, got 0");
    await expect(machine.processBatch([], { concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(machine.processBatch([], { batchSize: 1.5 })).rejects.toThrow("processBatch: batchSize must be an integer >= 1, got 1.5");
    await expect(machine.processBatch([], { timeoutSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(machine.processBatch([], { progressIntervalMs: -1 })).rejects.toThrow(RangeError);
    expect(await machine.processBatch([])).toEqual([]);
  });
});

describe("validate", () => {
  const issues = (data: Data): SchemaIssue[] | null => {
    const out: SchemaIssue[] = [];
    if (typeof data["id"] !== "number") out.push({ pointer: "/id", message: "must be number" });
    if (typeof data["name"] !== "string") out.push({ pointer: "/name", message: "is required" });
    return out.length === 0 ? null : out;
  };

  it("checks the main start state's record type and lists the issues with pointers", () => {
    const machine = defineMachine(flow({ start: { start: true, check: issues, arcs: ["end"] }, end: { final: true, check: () => [{ pointer: "", message: "never" }] } }));
    expect(machine.validate({ id: 1, name: "a" })).toEqual({ valid: true, errors: [] });
    expect(machine.validate({ id: "1" })).toEqual({
      valid: false,
      errors: [
        { pointer: "/id", message: "must be number" },
        { pointer: "/name", message: "is required" },
      ],
    });
  });

  it("answers with the generated check of a compiled machine", () => {
    const orders = createOrders();
    expect(orders.validate({ id: 1, name: "Ada", amount: 10, tier: "gold" })).toEqual({ valid: true, errors: [] });
    const answer = orders.validate({ id: 1.5, name: "Ada", tier: "platinum" } as never);
    expect(answer.valid).toBe(false);
    expect(answer.errors.map((e) => e.pointer)).toEqual(["/id", "/amount", "/tier"]);
  });

  it("a start state without a record type accepts any object; a non-object is invalid at pointer ''", () => {
    const machine = defineMachine(flow({ start: { start: true, arcs: ["end"] }, end: { final: true } }));
    expect(machine.validate({ anything: [1, 2] })).toEqual({ valid: true, errors: [] });
    for (const record of [null, 3, "x", [1]]) {
      expect(machine.validate(record as unknown as Data)).toEqual({ valid: false, errors: [{ pointer: "", message: "must be object" }] });
    }
  });

  it("a check that throws is an issue at pointer ''", () => {
    const machine = defineMachine(
      flow({
        start: {
          start: true,
          check: () => {
            throw new Error("boom");
          },
          arcs: ["end"],
        },
        end: { final: true },
      }),
    );
    expect(machine.validate({})).toEqual({ valid: false, errors: [{ pointer: "", message: "record-type check threw: boom" }] });
  });
});
