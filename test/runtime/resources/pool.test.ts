/**
 * The pool (pool.ts) and the manager (manager.ts): lending in order, never more than `max`,
 * waiting without polling, acquire timeouts (0 = do not wait), idle eviction, max lifetime,
 * validation on borrow, eager `min`, retries of a failing connect, idempotent loans per owner,
 * scoped use, health and metrics, and an idempotent close.
 */
import { describe, expect, it } from "vitest";
import { SimulatedClock, systemClock } from "../../../runtime/clock.js";
import { ResourceManagerClosedError, ResourceTimeoutError, UnknownResourceError } from "../../../runtime/resources/errors.js";
import { ResourceManager, type ResourceSpec } from "../../../runtime/resources/manager.js";
import { Pool } from "../../../runtime/resources/pool.js";
import type { PoolSettings, ResourceProvider } from "../../../runtime/resources/types.js";

interface H {
  readonly id: number;
  ok: boolean;
}

/** A provider of numbered handles, counting makes and destroys. */
function provider(sync = true): ResourceProvider<H> & { made: number; destroyed: number[]; failures: number; healthy: boolean } {
  const p = {
    kind: "test",
    sync,
    made: 0,
    destroyed: [] as number[],
    failures: 0,
    healthy: true,
    acquire(): H | Promise<H> {
      if (p.failures > 0) {
        p.failures--;
        throw new Error("connect ECONNREFUSED (token=abc123secret)");
      }
      const h = { id: ++p.made, ok: true };
      return sync ? h : Promise.resolve(h);
    },
    release(h: H): void {
      p.destroyed.push(h.id);
    },
    validate: (h: H) => h.ok,
    health: () => (p.healthy ? { status: "healthy" as const } : { status: "unhealthy" as const, detail: "down" }),
    metrics: () => ({ made: p.made }),
  };
  return p;
}

const settings = (over: Partial<PoolSettings> = {}): PoolSettings => ({
  min: 0,
  max: 2,
  acquireTimeoutMs: 1000,
  idleTimeoutMs: 0,
  maxLifetimeMs: 0,
  validateOnBorrow: true,
  ...over,
});

const noRetry = { attempts: 0, delayMs: 0 };

describe("pool", () => {
  it("lends synchronously while it can, reuses returned handles, and never makes more than max", () => {
    const p = provider();
    const pool = new Pool("db", p, settings(), noRetry, systemClock, []);
    const a = pool.acquire() as H;
    const b = pool.acquire() as H;
    expect([a.id, b.id]).toEqual([1, 2]);
    pool.release(a);
    expect(pool.acquire()).toBe(a);
    expect(p.made).toBe(2);
    expect(() => pool.acquire(0)).toThrow(ResourceTimeoutError);
    expect(() => pool.acquire(0)).toThrow("all 2 handles are in use and the acquire timeout is 0");
    expect(pool.counters.timeouts).toBe(2);
  });

  it("serves waiters in order, as soon as a handle comes back", async () => {
    const pool = new Pool("db", provider(), settings({ max: 1 }), noRetry, systemClock, []);
    const first = pool.acquire() as H;
    const order: number[] = [];
    const w1 = (pool.acquire() as Promise<H>).then((h) => {
      order.push(1);
      return h;
    });
    const w2 = (pool.acquire() as Promise<H>).then((h) => {
      order.push(2);
      return h;
    });
    expect(pool.waiting).toBe(2);
    pool.release(first);
    const h1 = await w1;
    pool.release(h1);
    await w2;
    expect(order).toEqual([1, 2]);
    expect(pool.waiting).toBe(0);
  });

  it("rejects a waiter after its timeout with a clear error", async () => {
    const pool = new Pool("db", provider(), settings({ max: 1 }), noRetry, systemClock, []);
    pool.acquire();
    await expect(pool.acquire(20)).rejects.toThrow("resource `db`: no handle became free within 0.02 s (pool max 1)");
    expect(pool.waiting).toBe(0);
  });

  it("destroys idle handles that are idle too long or too old, and invalid ones on borrow", () => {
    const clock = new SimulatedClock();
    const p = provider();
    const pool = new Pool("db", p, settings({ idleTimeoutMs: 100, maxLifetimeMs: 1000 }), noRetry, clock, []);
    const a = pool.acquire() as H;
    pool.release(a);
    clock.advance(150);
    const b = pool.acquire() as H; // a was idle too long
    expect(b.id).toBe(2);
    expect(p.destroyed).toEqual([1]);
    b.ok = false;
    pool.release(b);
    const c = pool.acquire() as H; // b fails validation
    expect(c.id).toBe(3);
    expect(p.destroyed).toEqual([1, 2]);
    clock.advance(1000);
    pool.release(c); // too old: destroyed instead of kept
    expect(p.destroyed).toEqual([1, 2, 3]);
    expect(pool.size).toBe(0);
  });

  it("makes `min` handles eagerly, and keeps them through idle eviction", async () => {
    const clock = new SimulatedClock();
    const p = provider(false);
    const pool = new Pool("db", p, settings({ min: 2, max: 3, idleTimeoutMs: 10 }), noRetry, clock, []);
    await pool.warm();
    expect(p.made).toBe(2);
    clock.advance(50);
    pool.evictIdle();
    expect(pool.size).toBe(2);
  });

  it("retries a failing connect with backoff, then reports a redacted, retryable ResourceError", async () => {
    const clock = new SimulatedClock();
    const p = provider(false);
    p.failures = 2;
    const pool = new Pool("db", p, settings(), { attempts: 2, delayMs: 10 }, clock, ["abc123secret"]);
    const h = await pool.acquire();
    expect((h as H).id).toBe(1);
    p.failures = 5;
    const error = await Promise.resolve(pool.acquire()).catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain("resource `db`: connect ECONNREFUSED");
    expect(String((error as Error).message)).not.toContain("abc123secret");
    expect((error as { retryable: boolean }).retryable).toBe(true);
  });

  it("validates a returned handle before a waiter gets it, synchronously or not", async () => {
    const p = provider();
    const pool = new Pool("db", p, settings({ max: 1 }), noRetry, systemClock, []);
    const a = pool.acquire() as H;
    const waiting = pool.acquire() as Promise<H>;
    a.ok = false; // e.g. left inside a transaction
    pool.release(a);
    expect((await waiting).id).toBe(2);
    expect(p.destroyed).toEqual([1]);
    const slow = { ...provider(false), validate: (h: H) => Promise.resolve(h.ok) };
    const pool2 = new Pool("pg", slow, settings({ max: 1 }), noRetry, systemClock, []);
    const b = (await pool2.acquire()) as H;
    b.ok = false;
    pool2.release(b);
    expect(((await pool2.acquire()) as H).id).toBe(2);
    expect(slow.destroyed).toEqual([1]);
  });

  it("refuses waiters and destroys everything on close", async () => {
    const p = provider();
    const pool = new Pool("db", p, settings({ max: 1 }), noRetry, systemClock, []);
    const a = pool.acquire() as H;
    const waiting = pool.acquire();
    await pool.close();
    await expect(waiting).rejects.toThrow(ResourceManagerClosedError);
    expect(p.destroyed).toEqual([a.id]);
    expect(() => pool.acquire()).toThrow(ResourceManagerClosedError);
  });
});

function spec(name: string, p: ResourceProvider, over: Partial<ResourceSpec> = {}): ResourceSpec {
  return { name, provider: p, pool: settings(), retry: noRetry, stateTimeoutMs: 1000, healthIntervalMs: 0, secrets: [], ...over };
}

describe("resource manager", () => {
  it("lends idempotently per (owner, name) and releases per owner", () => {
    const p = provider();
    const m = new ResourceManager([spec("db", p)], systemClock);
    const a = m.acquire("db", "run1/s");
    expect(m.acquire("db", "run1/s")).toBe(a);
    const b = m.acquire("db", "run2/s");
    expect(b).not.toBe(a);
    expect(m.owners).toEqual(["run1/s", "run2/s"]);
    m.releaseAll("run1/s");
    m.release("db", "run2/s");
    m.release("db", "nobody"); // a no-op
    expect(m.owners).toEqual([]);
    expect(m.metrics()["db"]).toMatchObject({ acquisitions: 2, active: 0, idle: 2, provider: { made: 2 } });
  });

  it("gives one pending acquisition to an owner that asks twice while waiting", async () => {
    const p = provider(false);
    const m = new ResourceManager([spec("db", p)], systemClock);
    const x = m.acquire("db", "o");
    const y = m.acquire("db", "o");
    expect(x).toBe(y);
    await x;
    expect(p.made).toBe(1);
  });

  it("scopes a handle with `await using` and with `use`", async () => {
    const m = new ResourceManager([spec("db", provider())], systemClock);
    {
      await using lease = await m.scoped<H>("db");
      expect(lease.handle.id).toBe(1);
      expect(m.metrics()["db"]?.active).toBe(1);
    }
    expect(m.metrics()["db"]?.active).toBe(0);
    await expect(m.use<H, number>("db", () => Promise.reject(new Error("inner")))).rejects.toThrow("inner");
    expect(m.metrics()["db"]?.active).toBe(0);
    expect(() => m.acquire("dbx", "o")).toThrow(UnknownResourceError);
  });

  it("reports health on demand and in the background, and counts failures", async () => {
    const p = provider();
    const m = new ResourceManager([spec("db", p, { healthIntervalMs: 10 })], systemClock);
    expect(await m.health()).toEqual({ db: { status: "healthy" } });
    p.healthy = false;
    await new Promise((r) => setTimeout(r, 40));
    expect(m.metrics()["db"]?.healthStatus).toBe("unhealthy");
    expect(m.metrics()["db"]?.healthCheckFailures).toBeGreaterThan(0);
    await m.close();
  });

  it("closes once: releases every loan, closes pools and providers, refuses new acquires", async () => {
    let closed = 0;
    const p = { ...provider(), close: () => void closed++ };
    const m = new ResourceManager([spec("db", p)], systemClock);
    m.acquire("db", "o");
    await Promise.all([m.close(), m.close()]);
    expect(closed).toBe(1);
    expect(m.owners).toEqual([]);
    expect(() => m.acquire("db", "o2")).toThrow(ResourceManagerClosedError);
  });
});
