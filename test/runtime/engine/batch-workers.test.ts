/**
 * `processBatch` with `workers` (docs/batch.md "Worker threads"): real worker threads that
 * rebuild the orders example machine from its generated module; results compared with the
 * in-process batch, an abort mid-way, and the machines and options that cannot use workers.
 * Starting a worker from the TypeScript sources (tsx) takes about half a second: tests are few.
 */
import { describe, expect, it } from "vitest";
import { createOrders, type Order } from "../../../examples/orders/orders.fsm.js";
import { workerPlanOf } from "../../../runtime/engine/batch-workers.js";
import { type BatchProgress, defineMachine, type RunResult } from "../../../runtime/index.js";
import { flow } from "./support.js";

const TIERS = ["gold", "silver", "basic"] as const;

/** Orders of every kind: gold (pushes the scoring network), silver, basic, and some invalid (negative amount, blank name). */
function orders(count: number): Order[] {
  return Array.from({ length: count }, (_, id) => ({
    id,
    name: id % 17 === 0 ? "  " : `  Customer ${id} `,
    amount: id % 13 === 0 ? -1 : (id * 37) % 9000,
    tier: TIERS[id % 3] ?? "basic",
  }));
}

const isCancelled = (r: RunResult<unknown>): boolean => r.metadata["cancelled"] === true;

describe("processBatch with workers", () => {
  it("gives the in-process results, in input order, and reports progress", async () => {
    const records = orders(500);
    const expected = await createOrders().processBatch(records);
    const progress: BatchProgress[] = [];
    const results = await createOrders().processBatch(records, { workers: 2, onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
    expect(results).toEqual(expected);
    expect(results.map((r) => r.data.id)).toEqual(records.map((r) => r.id));
    // The mix is real: the invalid orders are rejected, the gold ones go through the scoring network.
    const finals = new Set(results.map((r) => r.final_state));
    expect(finals).toContain("rejected");
    expect(finals).toContain("done");
    expect(results.some((r) => r.data.risk !== undefined)).toBe(true);
    const last = progress.at(-1);
    expect(last).toMatchObject({ done: 500, total: 500, cancelled: 0 });
    expect(last?.succeeded).toBe(expected.filter((r) => r.success).length);
    expect(progress.length).toBeGreaterThan(2);
  });

  it("keeps its workers between batches (two batches while the same threads serve), and close() ends them", async () => {
    const records = orders(200);
    const expected = await createOrders().processBatch(records);
    const machine = createOrders();
    const first = await machine.processBatch(records, { workers: 2 });
    const second = await machine.processBatch(records.slice(0, 50), { workers: 2 });
    // Two batches at once: the second gets workers of its own while the first holds the kept ones.
    const [a, b] = await Promise.all([machine.processBatch(records, { workers: 2 }), machine.processBatch(records, { workers: 2 })]);
    expect(first).toEqual(expected);
    expect(second).toEqual(expected.slice(0, 50));
    expect(a).toEqual(expected);
    expect(b).toEqual(expected);
    await machine.close();
    await expect(machine.processBatch(records, { workers: 2 })).rejects.toThrow("closed");
  });

  it("after an abort, gives the records not sent cancelled results and keeps the rest", async () => {
    const records = orders(3000);
    const expected = await createOrders().processBatch(records);
    const controller = new AbortController();
    const results = await createOrders().processBatch(records, {
      workers: 2,
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.done > 0) controller.abort();
      },
    });
    expect(results).toHaveLength(3000);
    const firstCancelled = results.findIndex(isCancelled);
    // Chunks are sent in input order, so the records that ran are a prefix and the cancelled ones the rest.
    expect(firstCancelled).toBeGreaterThan(0);
    expect(results.slice(0, firstCancelled)).toEqual(expected.slice(0, firstCancelled));
    expect(results.slice(firstCancelled).every(isCancelled)).toBe(true);
    expect(results[2999]).toEqual({
      success: false,
      final_state: null,
      data: records[2999],
      path: [],
      error: "Cancelled before it started (batch aborted)",
      metadata: { cancelled: true },
    });
  });

  it("rejects, naming the worker and the module, when a worker cannot load the machine", async () => {
    const def = { ...flow({ start: { start: true, arcs: ["end"] }, end: { final: true } }), module: "file:///nonexistent/fsmc/missing.fsm.js", factory: "createMissing" };
    await expect(defineMachine(def).processBatch([{ id: 1 }], { workers: 2 })).rejects.toThrow(/processBatch: worker \d failed \(module file:\/\/\/nonexistent\/fsmc\/missing\.fsm\.js\)/);
  });

  it("refuses machines and options a worker cannot rebuild, before any record runs", async () => {
    const plain = flow({ start: { start: true, arcs: ["end"] }, end: { final: true } });
    await expect(defineMachine(plain).processBatch([{ id: 1 }], { workers: 2 })).rejects.toThrow(
      new RangeError(
        "processBatch: machine `test` cannot run in workers: its definition names no generated module and factory (only a machine created by a generated module's factory can); remove `workers` to process in this thread",
      ),
    );
    const inline = defineMachine({ ...plain, module: "data:text/javascript,export{}", factory: "createX" });
    await expect(inline.processBatch([], { workers: 2 })).rejects.toThrow("its module data:text/javascript,export{} is not a file: URL a worker can import");
    const { applyDiscount, isValid, normalize, scoreRisk } = await import("../../../examples/orders/orders.functions.js");
    const withFunctions = createOrders({ functions: { applyDiscount, isValid, normalize, scoreRisk } });
    await expect(withFunctions.processBatch(orders(2), { workers: 2 })).rejects.toThrow("it was created with `functions`");
    await expect(createOrders({ hooks: {} }).processBatch(orders(2), { workers: 2 })).rejects.toThrow("it was created with `hooks`");
    await expect(createOrders().processBatch(orders(2), { workers: 1.5 })).rejects.toThrow("processBatch: workers must be an integer >= 1, got 1.5");
    // One worker is this thread: no module needed.
    expect((await defineMachine(plain).processBatch([{ id: 1 }], { workers: 1 }))[0]?.final_state).toBe("end");
  });

  it("plans with the machine's data options and refuses provider objects and uncloneable options", () => {
    const def = { ...flow({ start: { start: true, final: true } }), module: "file:///app/m.fsm.js", factory: "createM" };
    expect(workerPlanOf(def, { dataMode: "direct", lane: false, env: { A: "1" }, resources: { db: { path: "x.db" } } })).toEqual({
      module: "file:///app/m.fsm.js",
      factory: "createM",
      options: { dataMode: "direct", lane: false, env: { A: "1" }, resources: { db: { path: "x.db" } } },
    });
    class Provider {
      kind = "custom";
    }
    expect(workerPlanOf(def, { resources: { db: new Provider() as never } })).toEqual({
      refused: "machine `test` cannot run in workers: resource `db` was given a provider object (pass its configuration instead, or process in this thread)",
    });
    const odd = { resources: { db: { make: () => 1 } } };
    expect(workerPlanOf(def, odd)).toMatchObject({ refused: expect.stringContaining("its options cannot be sent to a worker") });
  });
});
