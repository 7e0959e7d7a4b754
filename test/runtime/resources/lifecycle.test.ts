/**
 * Resource lifetimes inside the engine (docs/resources.md "Lifetimes"): a state's handles are
 * held while it is current and inherited by its subflows; an arc's for its condition and its
 * transform chain (once across retries); and every way out of a run gives everything back —
 * transition, pop, terminal, failed entry, timeout, thrown error — one test each.
 */
import { describe, expect, it } from "vitest";
import {
  type Ctx,
  type Data,
  defineMachine,
  MachineClosedError,
  NotSynchronousError,
  type ResourceProvider,
  RetryableError,
  SimulatedClock,
  ValidationError,
} from "../../../runtime/index.js";
import { build, flow } from "../engine/support.js";

/** A provider of numbered handles that counts what it makes and destroys, and the most lent at once. */
class Counting implements ResourceProvider<{ readonly id: number }> {
  readonly kind = "counting";
  made = 0;
  destroyed = 0;
  failNext = 0;
  constructor(readonly sync: boolean) {}
  acquire(): { readonly id: number } | Promise<{ readonly id: number }> {
    if (this.failNext > 0) {
      this.failNext--;
      const error = new Error("connect ECONNREFUSED 127.0.0.1:1 (password=hunter22)");
      if (this.sync) throw error;
      return Promise.reject(error);
    }
    const handle = { id: ++this.made };
    return this.sync ? handle : Promise.resolve(handle);
  }
  release(): void {
    this.destroyed++;
  }
}

type Fn = (data: Data, ctx: Ctx) => unknown;
const see = (into: unknown[]): Fn => (_d, ctx) => {
  into.push({ state: ctx.state_name, db: (ctx.resources as Record<string, { id: number } | undefined>)["db"]?.id });
};

/** Active handles and owners of the machine's `db` right now. */
function held(machine: { resources: { metrics(): Readonly<Record<string, { active: number }>>; owners: readonly string[] } | null }): { active: number; owners: number } {
  const r = machine.resources;
  if (r === null) throw new Error("no resources");
  return { active: r.metrics()["db"]?.active ?? -1, owners: r.owners.length };
}

describe("resource lifetimes in the engine", () => {
  it("holds a state's handle while it is current and gives it back on the transition (pool of 1: no deadlock)", () => {
    const provider = new Counting(true);
    const seen: unknown[] = [];
    let during = { active: 0, owners: 0 };
    const def = flow(
      {
        a: { start: true, resources: ["db"], transforms: [see(seen)], arcs: ["b"] },
        b: { resources: ["db"], transforms: [see(seen), () => void (during = held(machine))], arcs: ["c"] },
        c: { transforms: [see(seen)], arcs: ["done"] },
        done: { final: true },
      },
      { resources: ["db"] },
    );
    const machine = defineMachine({ ...def, resources: [{ name: "db", type: "custom", config: { pool: { max: 1, acquire_timeout: 0 } } }] }, { resources: { db: provider } });
    const result = machine.processSync({});
    expect(result.success).toBe(true);
    expect(seen).toEqual([
      { state: "a", db: 1 },
      { state: "b", db: 1 }, // the same pooled handle, lent again after `a` gave it back
      { state: "c", db: undefined },
    ]);
    expect(during).toEqual({ active: 1, owners: 1 });
    expect(held(machine)).toEqual({ active: 0, owners: 0 });
    expect(provider.made).toBe(1);
  });

  it("lends the pushing state's handle to its subflow and gives it back at the pop", async () => {
    const provider = new Counting(false);
    const seen: unknown[] = [];
    const def = build({
      networks: {
        main: {
          a: { start: true, resources: ["db"], transforms: [see(seen)], arcs: [{ push: { to: "sub", returns: "after" } }] },
          after: { transforms: [see(seen), () => void seen.push(held(machine))], arcs: ["done"] },
          done: { final: true },
        },
        sub: {
          s1: { start: true, resources: ["db"], transforms: [see(seen)], arcs: ["s2"] },
          s2: { final: true, transforms: [see(seen)] },
        },
      },
      resources: ["db"],
    });
    const machine = defineMachine(def, { resources: { db: provider } });
    const result = await machine.process({});
    expect(result.success).toBe(true);
    expect(seen).toEqual([
      { state: "a", db: 1 },
      { state: "s1", db: 1 }, // uses db itself: the inherited handle, not a second one
      { state: "s2", db: 1 }, // inherits it
      { state: "after", db: undefined },
      { active: 0, owners: 0 }, // released at the pop
    ]);
    expect(provider.made).toBe(1);
  });

  it("gives everything back when the run ends in a terminal that holds resources", () => {
    const provider = new Counting(true);
    const def = flow({ a: { start: true, arcs: ["end"] }, end: { final: true, resources: ["db"], transforms: [() => undefined] } }, { resources: ["db"] });
    const machine = defineMachine(def, { resources: { db: provider } });
    expect(machine.processSync({}).success).toBe(true);
    expect(held(machine)).toEqual({ active: 0, owners: 0 });
    expect(machine.resources?.metrics()["db"]?.acquisitions).toBe(1);
  });

  it("gives everything back after a failed entry (a refusing pre-validator)", () => {
    const provider = new Counting(true);
    const def = flow(
      { a: { start: true, resources: ["db"], arcs: ["b"] }, b: { resources: ["db"], pre: [() => false], arcs: ["end"] }, end: { final: true } },
      { resources: ["db"] },
    );
    const machine = defineMachine(def, { resources: { db: provider } });
    const result = machine.processSync({});
    expect(result.success).toBe(false);
    expect(result.error).toBe("Transition failed: a -> b");
    expect(held(machine)).toEqual({ active: 0, owners: 0 });
  });

  it("gives everything back after a timeout while a function holds the handle", async () => {
    const clock = new SimulatedClock();
    const provider = new Counting(false);
    const never = { name: "hang", async: true, fn: () => new Promise<never>(() => undefined) };
    const def = flow({ a: { start: true, resources: ["db"], transforms: [never], arcs: ["end"] }, end: { final: true } }, { resources: ["db"], settings: { timeoutSeconds: 0.05 } });
    const machine = defineMachine(def, { resources: { db: provider }, clock });
    const result = await machine.process({});
    expect(result.error).toBe("FSM execution exceeded timeout of 0.05 seconds");
    expect(held(machine)).toEqual({ active: 0, owners: 0 });
  });

  it("gives everything back after a thrown error (a condition that throws, a transform that throws)", () => {
    const provider = new Counting(true);
    const boom = (): never => {
      throw new Error("boom");
    };
    const failing = flow({ a: { start: true, resources: ["db"], arcs: [{ to: "end", when: boom }] }, end: { final: true } }, { resources: ["db"] });
    const m1 = defineMachine(failing, { resources: { db: provider } });
    expect(m1.processSync({}).error).toBe("boom");
    expect(held(m1)).toEqual({ active: 0, owners: 0 });
    const transform = flow({ a: { start: true, resources: ["db"], transforms: [boom], arcs: ["end"] }, end: { final: true } }, { resources: ["db"] });
    const m2 = defineMachine(transform, { resources: { db: provider } });
    expect(m2.processSync({}).error).toBe("State transform failed in: a");
    expect(held(m2)).toEqual({ active: 0, owners: 0 });
  });

  it("acquires an arc's resources for its condition and, once across retries, for its transform chain", async () => {
    const provider = new Counting(false);
    const seen: unknown[] = [];
    let attempts = 0;
    const flaky: Fn = (data, ctx) => {
      seen.push({ phase: "transform", db: (ctx.resources as Record<string, { id: number }>)["db"]?.id, active: held(machine).active });
      if (++attempts < 3) throw new RetryableError("try again");
      return data;
    };
    const condition: Fn = (_d, ctx) => {
      seen.push({ phase: "condition", db: (ctx.resources as Record<string, { id: number }>)["db"]?.id, active: held(machine).active });
      return true;
    };
    const def = flow(
      { a: { start: true, arcs: [{ to: "end", when: condition, do: flaky, resources: ["db"] }] }, end: { final: true, transforms: [() => void seen.push(held(machine))] } },
      { resources: ["db"], settings: { retry: { maxRetries: 3, initialDelayMs: 0, backoffFactor: 1, maxDelayMs: 0 } } },
    );
    const machine = defineMachine(def, { resources: { db: provider } });
    const result = await machine.process({});
    expect(result.success).toBe(true);
    expect(seen).toEqual([
      { phase: "condition", db: 1, active: 1 },
      { phase: "transform", db: 1, active: 1 }, // the condition's handle came back and was lent again
      { phase: "transform", db: 1, active: 1 },
      { phase: "transform", db: 1, active: 1 },
      { active: 0, owners: 0 }, // released right after the chain
    ]);
    expect(machine.resources?.metrics()["db"]?.acquisitions).toBe(2); // condition + chain, not per retry
  });

  it("gives each concurrent record its own handle, and a pool of 4 under 50 records never lends more than 4", async () => {
    let lent = 0;
    let most = 0;
    let made = 0;
    const provider: ResourceProvider<{ id: number }> = {
      kind: "slow",
      sync: false,
      acquire: async () => ({ id: ++made }),
      release: () => undefined,
    };
    const work: Fn = async (data, ctx) => {
      const handle = (ctx.resources as Record<string, { id: number }>)["db"] as { id: number };
      lent++;
      most = Math.max(most, lent);
      await new Promise((r) => setTimeout(r, 2));
      lent--;
      return { ...data, handle: handle.id };
    };
    const def = flow({ a: { start: true, resources: ["db"], transforms: [{ name: "work", async: true, fn: work }], arcs: ["end"] }, end: { final: true } }, { resources: ["db"] });
    const machine = defineMachine({ ...def, resources: [{ name: "db", type: "custom", config: { pool: { max: 4, acquire_timeout: 10 } } }] }, { resources: { db: provider } });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => machine.process({ i })));
    expect(results.every((r) => r.success)).toBe(true);
    expect(most).toBeLessThanOrEqual(4);
    expect(made).toBeLessThanOrEqual(4);
    expect(held(machine)).toEqual({ active: 0, owners: 0 });
    expect(machine.resources?.metrics()["db"]?.acquisitions).toBe(50);
  });

  it("fails a record with an error naming the resource when its provider throws on acquire (secrets redacted)", async () => {
    const provider = new Counting(false);
    provider.failNext = 1;
    const def = flow({ a: { start: true, resources: ["db"], arcs: ["end"] }, end: { final: true } }, { resources: ["db"] });
    const machine = defineMachine(def, { resources: { db: provider } });
    const result = await machine.process({});
    expect(result.success).toBe(false);
    expect(result.final_state).toBe("a");
    expect(result.error).toContain("Resource acquisition failed in state 'a': resource `db`: connect ECONNREFUSED");
    expect(result.error).not.toContain("hunter22");
    expect(held(machine)).toEqual({ active: 0, owners: 0 });
    expect((await machine.process({})).success).toBe(true); // the next record gets a handle
  });

  it("routes an acquisition failure through the state's `on error` target", () => {
    const provider = new Counting(true);
    provider.failNext = 1;
    const def = flow({ a: { start: true, arcs: ["b"] }, b: { resources: ["db"], onError: "oops", arcs: ["end"] }, end: { final: true }, oops: { final: true } }, { resources: ["db"] });
    const result = defineMachine(def, { resources: { db: provider } }).processSync({});
    expect(result.final_state).toBe("oops");
    expect((result.metadata["errors"] as { error: string }[])[0]?.error).toContain("resource `db`");
  });

  it("has no processSync with an asynchronous provider, and says which resource", () => {
    const def = flow({ a: { start: true, resources: ["db"], arcs: ["end"] }, end: { final: true } }, { resources: ["db"] });
    const machine = defineMachine(def, { resources: { db: new Counting(false) } });
    expect(() => machine.processSync({})).toThrow(NotSynchronousError);
    expect(() => machine.processSync({})).toThrow("it uses resources with asynchronous providers (`db`)");
  });

  it("close releases everything, closes the providers once, and refuses new records", async () => {
    let closes = 0;
    const provider: ResourceProvider<object> = { kind: "c", sync: true, acquire: () => ({}), release: () => undefined, close: () => void closes++ };
    const def = flow({ a: { start: true, resources: ["db"], arcs: ["end"] }, end: { final: true } }, { resources: ["db"] });
    const machine = defineMachine(def, { resources: { db: provider } });
    machine.processSync({});
    await Promise.all([machine.close(), machine.close()]);
    await machine.close();
    expect(closes).toBe(1);
    expect(() => machine.processSync({})).toThrow(MachineClosedError);
  });

  it("a soft reject in a condition that holds an arc resource still gives the handle back", () => {
    const provider = new Counting(true);
    const reject: Fn = (_d, ctx) => ctx.reject("no");
    const def = flow({ a: { start: true, arcs: [{ to: "x", when: reject, resources: ["db"] }, "end"] }, x: { final: true }, end: { final: true } }, { resources: ["db"] });
    const machine = defineMachine(def, { resources: { db: provider } });
    expect(machine.processSync({}).final_state).toBe("end");
    expect(held(machine)).toEqual({ active: 0, owners: 0 });
    expect(new ValidationError("x")).toBeInstanceOf(Error);
  });

  it("a run that times out while waiting for a handle gets nothing: the handle goes back to the pool when it frees", async () => {
    const provider = new Counting(false);
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const hold = { name: "hold", async: true, fn: (d: Data) => gate.then(() => d) };
    const def = flow({ a: { start: true, resources: ["db"], transforms: [hold], arcs: ["end"] }, end: { final: true } }, { resources: ["db"] });
    const machine = defineMachine({ ...def, resources: [{ name: "db", type: "custom", config: { pool: { max: 1, acquire_timeout: 30 } } }] }, { resources: { db: provider } });
    const first = machine.process({ n: 1 });
    const second = await machine.process({ n: 2 }, { timeoutSeconds: 0.02 });
    expect(second.error).toBe("FSM execution exceeded timeout of 0.02 seconds");
    release();
    expect((await first).success).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(held(machine)).toEqual({ active: 0, owners: 0 });
    expect(machine.resources?.metrics()["db"]?.idle).toBe(1);
    expect((await machine.process({ n: 3 })).success).toBe(true); // the pool still works
  });

  it("destroys the handles of a run that timed out while a function still used them (never lent to the next record)", async () => {
    const clock = new SimulatedClock();
    const provider = new Counting(false);
    const never = { name: "hang", async: true, fn: () => new Promise<never>(() => undefined) };
    const def = flow({ a: { start: true, resources: ["db"], transforms: [never], arcs: ["end"] }, end: { final: true } }, { resources: ["db"], settings: { timeoutSeconds: 0.01 } });
    const machine = defineMachine(def, { resources: { db: provider }, clock });
    await machine.process({});
    expect(provider.destroyed).toBe(1);
    await machine.process({});
    expect(provider.made).toBe(2); // the second record got a fresh handle
  });

  it("an arc using a resource its state holds shares the state's handle (a pool of 1 does not starve)", () => {
    const provider = new Counting(true);
    const seen: unknown[] = [];
    const when: Fn = (_d, ctx) => {
      seen.push((ctx.resources as Record<string, { id: number }>)["db"]?.id);
      return true;
    };
    const def = flow({ a: { start: true, resources: ["db"], arcs: [{ to: "end", when, resources: ["db"] }] }, end: { final: true } }, { resources: ["db"] });
    const machine = defineMachine({ ...def, resources: [{ name: "db", type: "custom", config: { pool: { max: 1 } } }] }, { resources: { db: provider } });
    expect(machine.processSync({}).success).toBe(true);
    expect(seen).toEqual([1]);
    expect(held(machine)).toEqual({ active: 0, owners: 0 });
  });

  it("an `on error` cycle of failing acquisitions stops at the transition limit", () => {
    const provider = new Counting(true);
    provider.failNext = 1_000;
    const def = flow({ a: { start: true, arcs: ["b"] }, b: { resources: ["db"], onError: "b", arcs: ["end"] }, end: { final: true } }, { resources: ["db"], settings: { maxTransitions: 5 } });
    const result = defineMachine(def, { resources: { db: provider } }).processSync({});
    expect(result.error).toBe("Maximum transitions (5) exceeded");
    expect((result.metadata["errors"] as unknown[]).length).toBe(5);
  });
});

