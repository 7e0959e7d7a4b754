/**
 * Edge cases of the machine's `transaction` setting (docs/transactions.md, decision E21) against
 * real SQLite files and the real Postgres of the global setup: pushes, timeouts with a function
 * still running, crashes, pool pressure, two databases in one record, aborted and failing
 * batches, the in-place modes, manual mode. After every test no handle is lent and no owner
 * holds anything.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  type Ctx,
  type DataMode,
  defineMachine,
  type MachineSettings,
  type PostgresHandle,
  type PushIsolation,
  type ResourceDefinition,
  type SqliteHandle,
  type SyncMachine,
  type TransactionSettings,
} from "../../../runtime/index.js";
import { deepCopy } from "../../../runtime/modes/copy.js";
import { COPY } from "../../../runtime/modes/modes.js";
import { RunTransaction, type TxRun } from "../../../runtime/transactions/run-tx.js";
import { TxSession } from "../../../runtime/transactions/session.js";
import { build, type MachineSpec, type StateSpec } from "../engine/support.js";

type Row = { id: number; step: string };
type Rec = Record<string, unknown>;

const single: TransactionSettings = { mode: "single", batchSize: 100, rollbackOnError: "record" };
const manual: TransactionSettings = { mode: "manual", batchSize: 100, rollbackOnError: "record" };
const batchOf = (batchSize: number, rollbackOnError: "record" | "batch" = "record"): TransactionSettings => ({ mode: "batch", batchSize, rollbackOnError });

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fsmc-tx-edge-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open: SyncMachine[] = [];

/** Nothing may stay lent after a test: no owner holds a handle, no pool counts one active or waiting. */
afterEach(async () => {
  const machines = open.splice(0);
  try {
    for (const m of machines) {
      const resources = m.resources;
      if (resources === null) continue;
      expect(resources.owners).toEqual([]);
      for (const [name, metrics] of Object.entries(resources.metrics())) {
        expect({ name, active: metrics.active, waiting: metrics.waiting }).toEqual({ name, active: 0, waiting: 0 });
      }
    }
  } finally {
    await Promise.all(machines.map((m) => m.close()));
  }
});

let dbCount = 0;

/** A fresh SQLite file with table `t(id, step)` (unique pair) and `setup` run on it; returns its path. */
function freshDb(setup = ""): string {
  const path = join(dir, `db${++dbCount}.sqlite`);
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec("create table t (id integer not null, step text not null, unique (id, step))");
  if (setup !== "") db.exec(setup);
  db.close();
  return path;
}

function rows(path: string, table = "t"): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`select id, step from ${table} order by id, step`).all() as Row[];
  } finally {
    db.close();
  }
}

const sqlite = (name: string, path: string, config: Rec = {}): ResourceDefinition => ({ name, type: "sqlite", config: { path, ...config } });

function machine(spec: Omit<MachineSpec, "resources">, resources: readonly ResourceDefinition[], transaction: TransactionSettings | undefined, settings: Partial<MachineSettings> = {}) {
  const m = defineMachine({
    ...build({ ...spec, settings: { ...settings, ...(transaction === undefined ? {} : { transaction }) } }),
    resources: [...resources],
  });
  open.push(m);
  return m;
}

/** One network `main`. */
const states = (s: Readonly<Record<string, StateSpec>>): Omit<MachineSpec, "resources"> => ({ networks: { main: s } });

/** A transform writing (id, step) through the handle of role `role`. */
const write =
  (step: string, role = "db") =>
  (data: Rec, ctx: Ctx): undefined => {
    (ctx.resources[role] as SqliteHandle).run("insert into t (id, step) values (?, ?)", [data["id"], step]);
    return undefined;
  };

const boom = (message = "injected failure") => (): never => {
  throw new Error(message);
};

/** A transform failing for the records `when` picks. */
const failWhen = (when: (data: Rec) => boolean) => (data: Rec): undefined => {
  if (when(data)) throw new Error(`injected failure for record ${String(data["id"])}`);
  return undefined;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An async registered function. */
const later = (name: string, fn: (data: Rec, ctx: Ctx) => Promise<unknown>) => ({ name, async: true, fn });

describe("push arcs under a transaction (SQLite, single)", () => {
  /**
   * P writes and pushes into `sub` (returning to `r`), whose states write through the handle
   * they inherit from P; `extra` adds states to the main network (`r` is final unless given).
   */
  function pushing(sub: Readonly<Record<string, StateSpec>>, options: { isolation?: PushIsolation; p?: Partial<StateSpec>; extra?: Readonly<Record<string, StateSpec>> } = {}) {
    return {
      networks: {
        main: {
          p: {
            start: true,
            resources: ["db"],
            transforms: [write("p")],
            arcs: [{ push: { to: "sub", isolation: options.isolation ?? "copy", returns: "r" } }],
            ...options.p,
          },
          r: { final: true },
          ...options.extra,
        },
        sub,
      },
    };
  }

  it("the subflow's states write through the pushing state's handle, and it all commits once", async () => {
    const path = freshDb();
    const handles: unknown[] = [];
    const see = (_d: Rec, ctx: Ctx): undefined => {
      handles.push(ctx.resources["db"]);
      return undefined;
    };
    const m = machine(
      pushing({
        s1: { start: true, transforms: [write("s1"), see], arcs: ["s2"] },
        s2: { transforms: [write("s2"), see], arcs: ["end"] },
        end: { final: true },
      }),
      [sqlite("db", path)],
      single,
    );
    const result = await m.process({ id: 1 });
    expect(result.error).toBeNull();
    expect(result.path).toEqual(["p", "s1", "s2", "end", "r"]);
    expect(rows(path)).toEqual([
      { id: 1, step: "p" },
      { id: 1, step: "s1" },
      { id: 1, step: "s2" },
    ]);
    // One connection for the whole record: the transaction's.
    expect(new Set(handles).size).toBe(1);
    expect(m.resources?.metrics("db")["db"]?.acquisitions).toBe(1);
  });

  it("a failed subflow state that `on error` routes on keeps none of its writes; the rest commits", async () => {
    const path = freshDb();
    const m = machine(
      pushing({
        s1: { start: true, transforms: [write("s1"), boom()], onError: "fix", arcs: ["end"] },
        fix: { transforms: [write("fix")], arcs: ["end"] },
        end: { final: true },
      }),
      [sqlite("db", path)],
      single,
    );
    const result = await m.process({ id: 2 });
    expect(result.success).toBe(true);
    expect(rows(path)).toEqual([
      { id: 2, step: "fix" },
      { id: 2, step: "p" },
    ]);
  });

  it("a subflow failure that fails the record rolls back the pushing state's writes too", async () => {
    const path = freshDb();
    const m = machine(pushing({ s1: { start: true, transforms: [write("s1")], arcs: ["s2"] }, s2: { transforms: [boom("sub failed")], arcs: ["end"] }, end: { final: true } }), [sqlite("db", path)], single);
    const input = { id: 3, keep: { nested: true } };
    const result = await m.process(input);
    expect(result.success).toBe(false);
    expect(result.error).toBe("State transform failed in: s2");
    expect(result.data).toEqual({ id: 3, keep: { nested: true } });
    expect(rows(path)).toEqual([]);
  });

  it("a sub-network entry refused by its pre-validator keeps none of its writes; the pushing state's error route goes on", async () => {
    const path = freshDb();
    const refuse = (d: Rec, ctx: Ctx): boolean => {
      write("s1-pre")(d, ctx);
      return false;
    };
    const m = machine(
      pushing(
        { s1: { start: true, resources: ["db"], pre: [refuse], arcs: ["end"] }, end: { final: true } },
        { p: { onError: "recover" }, extra: { recover: { resources: ["db"], transforms: [write("recover")], arcs: ["done"] }, done: { final: true } } },
      ),
      [sqlite("db", path)],
      single,
    );
    const result = await m.process({ id: 4 });
    expect(result.success).toBe(true);
    expect(result.final_state).toBe("done");
    expect(rows(path)).toEqual([
      { id: 4, step: "p" },
      { id: 4, step: "recover" },
    ]);
  });

  for (const mode of ["copy", "reference", "direct"] as const) {
    for (const isolation of ["copy", "reference", "serialize"] as const) {
      it(`data mode ${mode}, isolation ${isolation}: a record that fails after the subflow ends with the record it started with`, async () => {
        const path = freshDb();
        const mark = (field: string) => (data: Rec): undefined => {
          data[field] = true;
          (data["list"] as unknown[]).push(field);
          (data["deep"] as Rec)["n"] = field;
          return undefined;
        };
        const m = machine(
          pushing(
            { s1: { start: true, transforms: [write("s1"), mark("child")], arcs: ["end"] }, end: { final: true } },
            {
              isolation,
              extra: {
                r: { resources: ["db"], transforms: [write("r"), mark("back"), boom("after the subflow")], arcs: ["done"] },
                done: { final: true },
              },
            },
          ),
          [sqlite("db", path)],
          single,
          { dataMode: mode },
        );
        const input = { id: 5, list: ["start"], deep: { n: 1 } };
        const before = structuredClone(input);
        const result = await m.process(input);
        expect(result.success).toBe(false);
        expect(result.error).toBe("State transform failed in: r");
        expect(result.data).toEqual(before);
        expect(input).toEqual(before);
        if (mode !== "copy") expect(result.data).toBe(input);
        expect(rows(path)).toEqual([]);
      });

      it(`data mode ${mode}, isolation ${isolation}: the same record commits when nothing fails`, async () => {
        const path = freshDb();
        const m = machine(
          pushing({ s1: { start: true, transforms: [write("s1"), (d: Rec) => ({ ...d, child: true })], arcs: ["end"] }, end: { final: true } }, { isolation }),
          [sqlite("db", path)],
          single,
          { dataMode: mode },
        );
        const result = await m.process({ id: 6, deep: { n: 1 } });
        expect(result.success).toBe(true);
        expect(result.data["child"]).toBe(true);
        expect(rows(path)).toEqual([
          { id: 6, step: "p" },
          { id: 6, step: "s1" },
        ]);
      });
    }
  }
});

describe("a run that times out while its function awaits inside the transaction", () => {
  it("SQLite: rolls back, destroys the handle (never lent again), and the next record works", async () => {
    const path = freshDb();
    const seen: SqliteHandle[] = [];
    const lateWrites: string[] = [];
    let wake: () => void = () => undefined;
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["db"],
          transforms: [
            later("slow", async (data, ctx) => {
              const db = ctx.resources["db"] as SqliteHandle;
              seen.push(db);
              db.run("insert into t (id, step) values (?, ?)", [data["id"], "a"]);
              if (data["id"] !== 1) return undefined;
              await new Promise<void>((resolve) => (wake = resolve));
              // The run is over: this write must not land anywhere.
              try {
                db.run("insert into t (id, step) values (?, ?)", [data["id"], "late"]);
                lateWrites.push("written");
              } catch (error) {
                lateWrites.push((error as Error).message);
              }
              return undefined;
            }),
          ],
          arcs: ["b"],
        },
        b: { resources: ["db"], transforms: [write("b")], arcs: ["c"] },
        c: { final: true },
      }),
      [sqlite("db", path)],
      single,
    );
    const input = { id: 1 };
    const timedOut = await m.process(input, { timeoutSeconds: 0.03 });
    expect(timedOut.success).toBe(false);
    expect(timedOut.error).toBe("FSM execution exceeded timeout of 0.03 seconds");
    expect(timedOut.data).toEqual({ id: 1 });
    expect(rows(path)).toEqual([]);
    const abandoned = seen[0] as SqliteHandle;
    expect(abandoned.db.open).toBe(false);
    wake();
    await sleep(5);
    expect(lateWrites).toHaveLength(1);
    expect(lateWrites[0]).not.toBe("written");
    expect(rows(path)).toEqual([]);

    const next = await m.process({ id: 2 });
    expect(next.success).toBe(true);
    expect(seen.slice(1).every((handle) => handle !== abandoned)).toBe(true);
    expect(rows(path)).toEqual([
      { id: 2, step: "a" },
      { id: 2, step: "b" },
    ]);
  });

  it("SQLite, REFERENCE mode: the caller's record is put back in place after the timeout", async () => {
    const path = freshDb();
    const m = machine(
      states({
        a: { start: true, resources: ["db"], transforms: [write("a"), (d: Rec) => void (d["touched"] = true)], arcs: ["b"] },
        b: { resources: ["db"], transforms: [later("hang", () => sleep(200))], arcs: ["c"] },
        c: { final: true },
      }),
      [sqlite("db", path)],
      single,
      { dataMode: "reference" },
    );
    const input = { id: 3, nested: { n: 1 } };
    const result = await m.process(input, { timeoutSeconds: 0.03 });
    expect(result.error).toContain("exceeded timeout");
    expect(result.data).toBe(input);
    expect(input).toEqual({ id: 3, nested: { n: 1 } });
    expect(rows(path)).toEqual([]);
  });

  it("batch mode: a timed-out record's function cannot write into the batch's transaction afterwards", async () => {
    const path = freshDb();
    let wake: () => void = () => undefined;
    const lateWrites: string[] = [];
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["db"],
          transforms: [
            write("a"),
            later("maybe_hang", async (data, ctx) => {
              if (data["id"] !== 1) return undefined;
              const db = ctx.resources["db"] as SqliteHandle;
              await new Promise<void>((resolve) => (wake = resolve));
              try {
                db.run("insert into t (id, step) values (?, ?)", [data["id"], "late"]);
                lateWrites.push("written");
              } catch (error) {
                lateWrites.push((error as Error).message);
              }
              return undefined;
            }),
          ],
          arcs: ["b"],
        },
        b: {
          resources: ["db"],
          transforms: [
            later("after", async (data) => {
              // Record 2 runs while record 1's function is still alive: it wakes it up now.
              if (data["id"] === 2) {
                wake();
                await sleep(1);
              }
              return undefined;
            }),
          ],
          arcs: ["c"],
        },
        c: { final: true },
      }),
      [sqlite("db", path)],
      batchOf(10),
    );
    const results = await m.processBatch([{ id: 0 }, { id: 1 }, { id: 2 }, { id: 3 }], { timeoutSeconds: 0.05 });
    expect(results[1]?.error).toContain("exceeded timeout");
    // Its function may still write through the batch's connection: the open batch (record 0) is
    // rolled back and its connection destroyed; records 2 and 3 run in a new batch.
    expect(results[0]?.success).toBe(false);
    expect(results[0]?.error).toMatch(/^Rolled back with its batch: a record of the batch timed out while its function was still running/);
    expect(results[0]?.data).toEqual({ id: 0 });
    expect(results.map((r) => r.success)).toEqual([false, false, true, true]);
    expect(lateWrites).toHaveLength(1);
    expect(lateWrites[0]).not.toBe("written");
    expect(rows(path)).toEqual([
      { id: 2, step: "a" },
      { id: 3, step: "a" },
    ]);
  });
});

describe("throws, crashes and abandon()", () => {
  it("a function that throws synchronously inside the transaction rolls back the record's writes (process and processSync)", async () => {
    for (const sync of [false, true]) {
      const path = freshDb();
      const m = machine(
        states({
          a: { start: true, resources: ["db"], transforms: [write("a")], arcs: ["b"] },
          b: { resources: ["db"], transforms: [write("b"), boom("sync throw")], arcs: ["c"] },
          c: { final: true },
        }),
        [sqlite("db", path)],
        single,
      );
      const result = sync ? m.processSync({ id: 1 }) : await m.process({ id: 1 });
      expect(result.success).toBe(false);
      expect(result.error).toBe("State transform failed in: b");
      expect(JSON.stringify(result.metadata["failures"])).toContain("sync throw");
      expect(rows(path)).toEqual([]);
    }
  });

  it("the engine crash path (the record copier throws mid-run) rolls back and returns the input", async () => {
    for (const sync of [false, true]) {
      const path = freshDb();
      const poisoned = (data: Rec): Rec => {
        const next = { ...data };
        Object.defineProperty(next, "poison", {
          enumerable: true,
          get() {
            throw new Error("cannot read poison");
          },
        });
        return next;
      };
      const m = machine(
        states({
          a: { start: true, resources: ["db"], transforms: [write("a"), poisoned], arcs: ["b"] },
          // COPY mode copies the record on entry: the getter throws inside the engine.
          b: { resources: ["db"], transforms: [write("b")], arcs: ["c"] },
          c: { final: true },
        }),
        [sqlite("db", path)],
        single,
      );
      const result = sync ? m.processSync({ id: 1 }) : await m.process({ id: 1 });
      expect(result.success).toBe(false);
      expect(result.error).toContain("cannot read poison");
      expect(result.data).toEqual({ id: 1 });
      expect(rows(path)).toEqual([]);
    }
  });

  /** A `TxRun` as run.ts's `Run` presents itself to run-tx.ts. */
  function txRun(input: Rec): TxRun {
    return { m: { inputCopier: deepCopy }, mode: COPY, input, data: deepCopy(input), success: false, error: null, timedOut: false, abandoned: false, res: null };
  }

  it("abandon() on a run's own session rolls it back and destroys its handles", async () => {
    const path = freshDb();
    const m = machine(states({ a: { start: true, resources: ["db"], arcs: ["c"] }, c: { final: true } }), [sqlite("db", path)], single);
    const manager = m.resources;
    if (manager === null) throw new Error("no resources");
    const tx = new RunTransaction("single", manager);
    tx.start(txRun({ id: 1 }), false);
    const handle = tx.acquire("db", undefined) as SqliteHandle;
    handle.run("insert into t (id, step) values (1, 'a')");
    expect(tx.active).toBe(true);
    tx.abandon();
    expect(tx.active).toBe(false);
    expect(handle.db.open).toBe(false);
    expect(rows(path)).toEqual([]);
    expect(manager.owners).toEqual([]);
  });

  it("abandon() of a record in a batch's session undoes that record's writes and leaves the batch open", async () => {
    const path = freshDb();
    const m = machine(states({ a: { start: true, resources: ["db"], arcs: ["c"] }, c: { final: true } }), [sqlite("db", path)], batchOf(10));
    const manager = m.resources;
    if (manager === null) throw new Error("no resources");
    const shared = new TxSession(manager, "batch");
    await shared.begin();
    const first = new RunTransaction("batch", manager);
    const kept = txRun({ id: 1 });
    first.start(kept, false, shared);
    (first.acquire("db", undefined) as SqliteHandle).run("insert into t (id, step) values (1, 'a')");
    kept.success = true;
    await first.finish();
    const second = new RunTransaction("batch", manager);
    second.start(txRun({ id: 2 }), false, shared);
    (second.acquire("db", undefined) as SqliteHandle).run("insert into t (id, step) values (2, 'a')");
    second.abandon();
    expect(shared.open).toBe(true);
    await shared.commit();
    shared.close();
    expect(rows(path)).toEqual([{ id: 1, step: "a" }]);
  });
});

describe("single mode under pool pressure (SQLite)", () => {
  it("concurrency 8 on a pool of 2: records wait for connections and the write lock, none deadlocks, the counts add up", async () => {
    const path = freshDb();
    let mostActive = 0;
    let mostWaiting = 0;
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["db"],
          transforms: [
            write("a"),
            later("pause", async () => {
              const now = m.resources?.metrics("db")["db"];
              mostActive = Math.max(mostActive, now?.active ?? 0);
              mostWaiting = Math.max(mostWaiting, now?.waiting ?? 0);
              await sleep(1);
              return undefined;
            }),
          ],
          arcs: ["b"],
        },
        b: { resources: ["db"], transforms: [write("b"), failWhen((d) => (d["id"] as number) % 5 === 0)], arcs: ["c"] },
        c: { final: true },
      }),
      [sqlite("db", path, { pool: { max: 2, acquire_timeout: 5 } })],
      single,
    );
    const input = Array.from({ length: 24 }, (_, id) => ({ id }));
    const results = await m.processBatch(input, { concurrency: 8 });
    const ok = results.filter((r) => r.success).map((r) => r.data["id"] as number);
    expect(ok).toEqual(input.map((r) => r.id).filter((id) => id % 5 !== 0));
    expect(results.filter((r) => !r.success)).toHaveLength(input.length - ok.length);
    expect(rows(path)).toEqual(ok.flatMap((id) => [{ id, step: "a" }, { id, step: "b" }]));
    expect(mostActive).toBe(2);
    expect(mostWaiting).toBeGreaterThan(0);
    const metrics = m.resources?.metrics("db")["db"];
    expect(metrics?.timeouts).toBe(0);
    expect(metrics?.acquisitions).toBe(input.length);
  });
});

describe("user savepoints (SQLite, single)", () => {
  it("last until the end of the state entry that took them", async () => {
    const path = freshDb();
    const seen: string[] = [];
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["db"],
          transforms: [later("mark", (_d, ctx) => ctx.tx.savepoint("first")), write("a")],
          arcs: ["b"],
        },
        b: {
          resources: ["db"],
          transforms: [
            later("undo", async (_d, ctx) => {
              await ctx.tx.rollbackTo("first").catch((error: Error & { code?: string }) => seen.push(`${error.code}: ${error.message}`));
              await ctx.tx.savepoint("second");
            }),
            write("b"),
            later("undo_b", (_d, ctx) => ctx.tx.rollbackTo("second")),
          ],
          arcs: ["c"],
        },
        c: { final: true },
      }),
      [sqlite("db", path)],
      single,
    );
    const result = await m.process({ id: 1 });
    expect(result.error).toBeNull();
    expect(seen).toEqual(["FSMR0040: ctx.tx.rollbackTo(): no savepoint `first` is open"]);
    expect(rows(path)).toEqual([{ id: 1, step: "a" }]);
  });
});

describe("a handle whose transaction cannot begin (SQLite, single)", () => {
  it("leaves the session: a later state of the record never gets it back outside the transaction", async () => {
    const path = freshDb();
    const holder = new Database(path);
    holder.exec("begin immediate");
    let released = false;
    const release = (): boolean => {
      if (!released) {
        holder.exec("rollback");
        holder.close();
        released = true;
      }
      return true;
    };
    try {
      const m = machine(
        states({
          a: { start: true, resources: ["db"], transforms: [write("a")], onError: "recover", arcs: ["d"] },
          // Its pre-validator lets the other writer go; the state's handle was acquired before it ran.
          recover: { resources: ["db"], pre: [release], transforms: [write("recover")], arcs: ["d"] },
          d: { final: true },
        }),
        [sqlite("db", path, { pool: { acquire_timeout: 0.05 } })],
        single,
      );
      const result = await m.process({ id: 1 });
      expect(result.success).toBe(false);
      const failures = result.metadata["failures"] as { state: string; error: string }[];
      expect(failures.map((f) => f.state)).toEqual(["a", "recover"]);
      expect(failures[1]?.error).toMatch(/cannot begin a transaction on `db`/);
      expect(released).toBe(false);
      expect(rows(path)).toEqual([]);
      // Nothing was left half-begun: once the other writer is gone, the next record commits.
      release();
      expect((await m.process({ id: 2 })).success).toBe(true);
      expect(rows(path)).toEqual([{ id: 2, step: "a" }]);
    } finally {
      release();
    }
  });
});

describe("two transactional resources in one record (SQLite files)", () => {
  const twoDbs = (failing: boolean) =>
    states({
      a: { start: true, resources: ["one"], transforms: [write("a", "one")], arcs: ["b"] },
      b: { resources: ["two"], transforms: [write("b", "two"), ...(failing ? [boom()] : [])], arcs: ["c"] },
      c: { final: true },
    });

  it("commits both when the record succeeds, rolls both back when it fails", async () => {
    const one = freshDb();
    const two = freshDb();
    const m = machine(twoDbs(false), [sqlite("one", one), sqlite("two", two)], single);
    expect((await m.process({ id: 1 })).success).toBe(true);
    const failing = machine(twoDbs(true), [sqlite("one", one), sqlite("two", two)], single);
    expect((await failing.process({ id: 2 })).success).toBe(false);
    expect(rows(one)).toEqual([{ id: 1, step: "a" }]);
    expect(rows(two)).toEqual([{ id: 1, step: "b" }]);
  });

  /** `two` has a deferred foreign key its record breaks: its commit fails for real. */
  function deferredFk(): string {
    return freshDb("create table parent (id integer primary key); create table child (id integer, parent_id integer references parent (id) deferrable initially deferred)");
  }
  /** Inserts a child row without its parent, unless the record is `fine`. */
  const orphan = (role: string) => (data: Rec, ctx: Ctx): undefined => {
    if (data["fine"] !== true) (ctx.resources[role] as SqliteHandle).run("insert into child (id, parent_id) values (?, 404)", [data["id"]]);
    return undefined;
  };

  it("no two-phase commit: when the second commit fails the first stays committed, and the error names it", async () => {
    const one = freshDb();
    const two = deferredFk();
    const m = machine(
      states({
        a: { start: true, resources: ["one"], transforms: [write("a", "one")], arcs: ["b"] },
        b: { resources: ["two"], transforms: [write("b", "two"), orphan("two")], arcs: ["c"] },
        c: { final: true },
      }),
      [sqlite("one", one), sqlite("two", two, { pragmas: { foreign_keys: "ON" } })],
      single,
    );
    const input = { id: 3 };
    const result = await m.process(input);
    expect(result.success).toBe(false);
    expect(result.error).toMatch(/^Transaction failed: commit failed on `two` \(already committed: `one`\): .*FOREIGN KEY constraint failed/);
    expect(result.data).toEqual({ id: 3 });
    expect(rows(one)).toEqual([{ id: 3, step: "a" }]);
    expect(rows(two)).toEqual([]);
    // Both pools still serve the next record.
    const next = await m.process({ id: 4, fine: true });
    expect(next.success).toBe(true);
    expect(rows(one)).toEqual([
      { id: 3, step: "a" },
      { id: 4, step: "a" },
    ]);
    expect(rows(two)).toEqual([{ id: 4, step: "b" }]);
  });

  it("when the first commit fails, the second database is rolled back and nothing is named committed", async () => {
    const one = deferredFk();
    const two = freshDb();
    const m = machine(
      states({
        a: { start: true, resources: ["one"], transforms: [orphan("one")], arcs: ["b"] },
        b: { resources: ["two"], transforms: [write("b", "two")], arcs: ["c"] },
        c: { final: true },
      }),
      [sqlite("one", one, { pragmas: { foreign_keys: "ON" } }), sqlite("two", two)],
      single,
    );
    const result = await m.process({ id: 5 });
    expect(result.success).toBe(false);
    expect(result.error).toMatch(/^Transaction failed: commit failed on `one`: .*FOREIGN KEY constraint failed/);
    expect(rows(two)).toEqual([]);
  });
});

describe("batch mode: aborts and failing inputs (SQLite)", () => {
  const twoSteps = (extra: StateSpec["transforms"] = []) =>
    states({
      a: { start: true, resources: ["db"], transforms: [write("a"), ...(extra ?? [])], arcs: ["b"] },
      b: { resources: ["db"], transforms: [write("b")], arcs: ["c"] },
      c: { final: true },
    });

  it("an AbortSignal mid-batch: the finished records of the open batch commit, the cancelled ones write nothing", async () => {
    const path = freshDb();
    const controller = new AbortController();
    const m = machine(twoSteps([(d: Rec) => void (d["id"] === 4 && controller.abort())]), [sqlite("db", path)], batchOf(3));
    const input = Array.from({ length: 10 }, (_, id) => ({ id }));
    const results = await m.processBatch(input, { signal: controller.signal });
    expect(results.map((r) => r.success)).toEqual(input.map((r) => r.id <= 4));
    expect(results.slice(5).every((r) => r.metadata["cancelled"] === true)).toBe(true);
    // Batches [0 1 2] (committed when full) and [3 4] (committed at the end).
    expect(rows(path)).toEqual([0, 1, 2, 3, 4].flatMap((id) => [{ id, step: "a" }, { id, step: "b" }]));
  });

  it("an input that throws mid-way: the open batch rolls back, committed batches stay, processBatch rejects with the error", async () => {
    const path = freshDb();
    const m = machine(twoSteps(), [sqlite("db", path)], batchOf(2));
    function* input(): Generator<{ id: number }> {
      for (let id = 0; id < 5; id++) yield { id };
      throw new Error("input broke at 5");
    }
    await expect(m.processBatch(input())).rejects.toThrow("input broke at 5");
    expect(rows(path)).toEqual([0, 1, 2, 3].flatMap((id) => [{ id, step: "a" }, { id, step: "b" }]));
    // The machine goes on with a new batch.
    const again = await m.processBatch([{ id: 7 }]);
    expect(again[0]?.success).toBe(true);
  });

  it("an async input that throws: the same", async () => {
    const path = freshDb();
    const m = machine(twoSteps(), [sqlite("db", path)], batchOf(10));
    async function* input(): AsyncGenerator<{ id: number }> {
      yield { id: 0 };
      await sleep(1);
      yield { id: 1 };
      throw new Error("async input broke");
    }
    await expect(m.processBatch(input())).rejects.toThrow("async input broke");
    expect(rows(path)).toEqual([]);
  });
});

describe("DIRECT and REFERENCE: the caller's object is restored in place on rollback", () => {
  for (const mode of ["reference", "direct"] as DataMode[]) {
    it(`${mode}: every change to the record (set, delete, nested) is undone along with the writes`, async () => {
      const path = freshDb();
      const mutate = (data: Rec): undefined => {
        data["added"] = "x";
        delete data["removable"];
        (data["nested"] as Rec)["n"] = 2;
        (data["items"] as unknown[]).push(3);
        return undefined;
      };
      const m = machine(
        states({
          a: { start: true, resources: ["db"], transforms: [write("a"), mutate], arcs: ["b"] },
          b: { resources: ["db"], transforms: [write("b"), failWhen((d) => d["fail"] === true)], arcs: ["c"] },
          c: { final: true },
        }),
        [sqlite("db", path)],
        single,
        { dataMode: mode },
      );
      const nested = { n: 1 };
      const input: Rec = { id: 1, fail: true, removable: "r", nested, items: [1, 2] };
      const before = structuredClone(input);
      const result = await m.process(input);
      expect(result.success).toBe(false);
      expect(result.data).toBe(input);
      expect(input).toEqual(before);
      expect(rows(path)).toEqual([]);

      const ok: Rec = { id: 2, removable: "r", nested: { n: 1 }, items: [1] };
      const done = await m.process(ok);
      expect(done.success).toBe(true);
      expect(ok).toEqual({ id: 2, added: "x", nested: { n: 2 }, items: [1, 3] });
      expect(rows(path)).toEqual([
        { id: 2, step: "a" },
        { id: 2, step: "b" },
      ]);
    });

    it(`${mode}, batch mode with rollback batch: every record of the rolled-back batch gets its object back in place`, async () => {
      const path = freshDb();
      const m = machine(
        states({
          a: { start: true, resources: ["db"], transforms: [write("a"), (d: Rec) => void (d["seen"] = true)], arcs: ["b"] },
          b: { resources: ["db"], transforms: [failWhen((d) => d["id"] === 4)], arcs: ["c"] },
          c: { final: true },
        }),
        [sqlite("db", path)],
        batchOf(3, "batch"),
        { dataMode: mode },
      );
      const input: Rec[] = Array.from({ length: 6 }, (_, id) => ({ id, nested: { id } }));
      const results = await m.processBatch(input);
      expect(results.map((r) => r.success)).toEqual([true, true, true, false, false, true]);
      for (const id of [3, 4]) {
        expect(results[id]?.data).toBe(input[id]);
        expect(input[id]).toEqual({ id, nested: { id } });
      }
      expect(input[5]).toEqual({ id: 5, nested: { id: 5 }, seen: true });
      expect(rows(path)).toEqual([0, 1, 2, 5].map((id) => ({ id, step: "a" })));
    });

    it(`${mode}: a failed commit restores the caller's object too`, async () => {
      const path = freshDb("create table parent (id integer primary key); create table child (id integer, parent_id integer references parent (id) deferrable initially deferred)");
      const m = machine(
        states({
          a: {
            start: true,
            resources: ["db"],
            transforms: [
              (data: Rec, ctx: Ctx): undefined => {
                (ctx.resources["db"] as SqliteHandle).run("insert into child (id, parent_id) values (?, 404)", [data["id"]]);
                data["changed"] = true;
                return undefined;
              },
            ],
            arcs: ["c"],
          },
          c: { final: true },
        }),
        [sqlite("db", path, { pragmas: { foreign_keys: "ON" } })],
        single,
        { dataMode: mode },
      );
      const input: Rec = { id: 1 };
      const result = await m.process(input);
      expect(result.error).toMatch(/^Transaction failed: commit failed on `db`/);
      expect(result.data).toBe(input);
      expect(input).toEqual({ id: 1 });
    });
  }
});

describe("manual mode (SQLite)", () => {
  const tx = (name: string, what: (ctx: Ctx) => Promise<void>) => later(name, async (_d, ctx) => void (await what(ctx)));

  it("begin in a state that already holds the handle, writes in a later state, commit: one connection, given back after the run", async () => {
    const path = freshDb();
    const during: { active: number; owners: number }[] = [];
    const look = (): undefined => {
      const manager = m.resources;
      during.push({ active: manager?.metrics("db")["db"]?.active ?? -1, owners: manager?.owners.length ?? -1 });
      return undefined;
    };
    const m = machine(
      states({
        a: { start: true, resources: ["db"], transforms: [write("before"), tx("begin", (ctx) => ctx.tx.begin()), write("a"), look], arcs: ["b"] },
        b: { resources: ["db"], transforms: [write("b"), look], arcs: ["c"] },
        c: { resources: ["db"], transforms: [tx("commit", (ctx) => ctx.tx.commit()), look], arcs: ["d"] },
        d: { final: true },
      }),
      [sqlite("db", path)],
      manual,
    );
    const result = await m.process({ id: 1 });
    expect(result.error).toBeNull();
    expect(during).toEqual([
      { active: 1, owners: 1 },
      { active: 1, owners: 1 },
      { active: 1, owners: 1 },
    ]);
    expect(rows(path)).toEqual([
      { id: 1, step: "a" },
      { id: 1, step: "b" },
      { id: 1, step: "before" },
    ]);
    expect(m.resources?.metrics("db")["db"]?.active).toBe(0);
  });

  it("begin inside an entry that then fails: an `on error` route that commits keeps none of that entry's writes", async () => {
    const path = freshDb();
    const m = machine(
      states({
        a: { start: true, resources: ["db"], transforms: [tx("begin", (ctx) => ctx.tx.begin()), write("a"), boom()], onError: "recover", arcs: ["d"] },
        recover: { resources: ["db"], transforms: [write("recover"), tx("commit", (ctx) => ctx.tx.commit())], arcs: ["d"] },
        d: { final: true },
      }),
      [sqlite("db", path)],
      manual,
    );
    const result = await m.process({ id: 2 });
    expect(result.success).toBe(true);
    expect(rows(path)).toEqual([{ id: 2, step: "recover" }]);
  });

  it("after a commit the database refused, later writes outside a transaction are kept and the handle's own begin works", async () => {
    const path = freshDb("create table parent (id integer primary key); create table child (id integer, parent_id integer references parent (id) deferrable initially deferred)");
    const seen: string[] = [];
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["db"],
          transforms: [
            later("refused", async (data, ctx) => {
              await ctx.tx.begin();
              (ctx.resources["db"] as SqliteHandle).run("insert into child (id, parent_id) values (?, 404)", [data["id"]]);
              await ctx.tx.commit().catch((error: Error) => seen.push(error.message));
              seen.push(`active: ${ctx.tx.active}`);
            }),
          ],
          arcs: ["b"],
        },
        b: {
          resources: ["db"],
          transforms: [
            write("b"),
            (data: Rec, ctx: Ctx): undefined => {
              const db = ctx.resources["db"] as SqliteHandle;
              db.begin();
              db.run("insert into t (id, step) values (?, ?)", [data["id"], "own"]);
              db.commit();
              return undefined;
            },
          ],
          arcs: ["d"],
        },
        d: { final: true },
      }),
      [sqlite("db", path, { pragmas: { foreign_keys: "ON" } })],
      manual,
    );
    const result = await m.process({ id: 3 });
    expect(seen[0]).toMatch(/^commit failed on `db`: .*FOREIGN KEY constraint failed/);
    expect(seen[1]).toBe("active: false");
    expect(result.error).toBeNull();
    expect(rows(path)).toEqual([
      { id: 3, step: "b" },
      { id: 3, step: "own" },
    ]);
    const check = new Database(path, { readonly: true });
    expect(check.prepare("select count(*) as n from child").get()).toEqual({ n: 0 });
    check.close();
  });

  it("a failure after the commit keeps what was committed; a failure before it keeps nothing", async () => {
    const path = freshDb();
    const m = machine(
      states({
        a: { start: true, resources: ["db"], transforms: [tx("begin", (ctx) => ctx.tx.begin()), write("a")], arcs: ["b"] },
        b: { resources: ["db"], transforms: [failWhen((d) => d["id"] === 2), tx("commit", (ctx) => ctx.tx.commit()), failWhen((d) => d["id"] === 1)], arcs: ["d"] },
        d: { final: true },
      }),
      [sqlite("db", path)],
      manual,
    );
    expect((await m.process({ id: 1 })).success).toBe(false);
    expect((await m.process({ id: 2 })).success).toBe(false);
    expect(rows(path)).toEqual([{ id: 1, step: "a" }]);
  });

  it("begin inside an arc transform chain that gives up: the chain's writes are undone with it", async () => {
    const path = freshDb();
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["db"],
          onError: "recover",
          arcs: [{ to: "d", do: [tx("begin", (ctx) => ctx.tx.begin()), write("arc"), boom("chain failed")] }],
        },
        recover: { resources: ["db"], transforms: [write("recover"), tx("commit", (ctx) => ctx.tx.commit())], arcs: ["d"] },
        d: { final: true },
      }),
      [sqlite("db", path)],
      manual,
    );
    const result = await m.process({ id: 6 });
    expect(result.success).toBe(true);
    expect(result.path).toEqual(["a", "recover", "d"]);
    expect(rows(path)).toEqual([{ id: 6, step: "recover" }]);
  });

  it("processSync: an un-awaited begin() takes effect at once, under the entry's savepoint", () => {
    const path = freshDb();
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["db"],
          transforms: [(_d: Rec, ctx: Ctx) => void ctx.tx.begin(), write("a"), boom()],
          onError: "recover",
          arcs: ["d"],
        },
        recover: { resources: ["db"], transforms: [write("recover"), (_d: Rec, ctx: Ctx) => void ctx.tx.commit()], arcs: ["d"] },
        d: { final: true },
      }),
      [sqlite("db", path)],
      manual,
    );
    const result = m.processSync({ id: 4 });
    expect(result.success).toBe(true);
    expect(rows(path)).toEqual([{ id: 4, step: "recover" }]);
  });

  it("a begin() that cannot open every resource rolls back the ones it opened and leaves no transaction open", async () => {
    const one = freshDb();
    const two = freshDb();
    const seen: string[] = [];
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["one", "two"],
          transforms: [
            later("try_begin", async (_d, ctx) => {
              await ctx.tx.begin().catch((error: Error) => seen.push(error.message));
              seen.push(`active: ${ctx.tx.active}`);
            }),
            write("a", "one"),
          ],
          arcs: ["d"],
        },
        d: { final: true },
      }),
      [sqlite("one", one), sqlite("two", two, { pool: { acquire_timeout: 0.05 } })],
      manual,
    );
    const holder = new Database(two);
    holder.exec("begin immediate");
    try {
      const result = await m.process({ id: 5 });
      expect(seen[0]).toMatch(/^cannot begin a transaction on `two`: .*another writer holds the database lock/);
      expect(seen[1]).toBe("active: false");
      // Not inside a transaction: the write to `one` is kept, and nothing is left open.
      expect(result.error).toBeNull();
      expect(rows(one)).toEqual([{ id: 5, step: "a" }]);
    } finally {
      holder.exec("rollback");
      holder.close();
    }
  });
});

const pgUrl = inject("pgUrl");

describe.skipIf(!pgUrl)("Postgres (real server)", () => {
  const url = pgUrl ?? "";
  const table = `tx_edge_${process.pid}`;

  async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }
  const pgRows = (): Promise<Row[]> => query<Row>(`select id, step from ${table} order by id, step`);
  const postgres = (config: Rec = {}): ResourceDefinition => ({ name: "pg", type: "postgres", config: { connection_string: url, ...config } });
  const pgWrite = (step: string) =>
    later(`pg_${step}`, async (data, ctx) => {
      await (ctx.resources["pg"] as PostgresHandle).run(`insert into ${table} (id, step) values ($1, $2)`, [data["id"], step]);
      return undefined;
    });

  beforeAll(async () => {
    await query(`create table if not exists ${table} (id integer not null, step text not null, unique (id, step))`);
  });
  afterAll(async () => {
    await query(`drop table if exists ${table}`);
  });
  afterEach(async () => {
    await query(`delete from ${table}`);
  });

  it("a timeout while a query runs: nothing the abandoned function does afterwards is committed, and the next record works", async () => {
    let zombie: Promise<string> = Promise.resolve("not started");
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["pg"],
          transforms: [
            later("slow", (data, ctx) => {
              const db = ctx.resources["pg"] as PostgresHandle;
              const work = (async (): Promise<string> => {
                await db.run(`insert into ${table} (id, step) values ($1, 'a')`, [data["id"]]);
                if (data["id"] !== 1) return "done";
                await db.run("select pg_sleep(0.15)");
                await db.run(`insert into ${table} (id, step) values ($1, 'late')`, [data["id"]]);
                return "written";
              })();
              zombie = work.catch((error: Error) => `failed: ${error.message}`);
              return work.then(() => undefined);
            }),
          ],
          arcs: ["b"],
        },
        b: { resources: ["pg"], transforms: [pgWrite("b")], arcs: ["c"] },
        c: { final: true },
      }),
      [postgres()],
      single,
    );
    const result = await m.process({ id: 1 }, { timeoutSeconds: 0.05 });
    expect(result.error).toContain("exceeded timeout");
    expect(await zombie).not.toBe("written");
    expect(await pgRows()).toEqual([]);
    const next = await m.process({ id: 2 });
    expect(next.error).toBeNull();
    expect(await pgRows()).toEqual([
      { id: 2, step: "a" },
      { id: 2, step: "b" },
    ]);
  });

  it("single mode, concurrency 8 on a pool of 2: no deadlock, the counts add up", async () => {
    let mostActive = 0;
    const m = machine(
      states({
        a: { start: true, resources: ["pg"], transforms: [pgWrite("a")], arcs: ["b"] },
        b: {
          resources: ["pg"],
          transforms: [
            pgWrite("b"),
            (d: Rec): undefined => {
              mostActive = Math.max(mostActive, m.resources?.metrics("pg")["pg"]?.active ?? 0);
              if ((d["id"] as number) % 4 === 3) throw new Error("injected");
              return undefined;
            },
          ],
          arcs: ["c"],
        },
        c: { final: true },
      }),
      [postgres({ pool: { max: 2, acquire_timeout: 5 } })],
      single,
    );
    const input = Array.from({ length: 16 }, (_, id) => ({ id }));
    const results = await m.processBatch(input, { concurrency: 8 });
    const ok = input.map((r) => r.id).filter((id) => id % 4 !== 3);
    expect(results.filter((r) => r.success).map((r) => r.data["id"])).toEqual(ok);
    expect(await pgRows()).toEqual(ok.flatMap((id) => [{ id, step: "a" }, { id, step: "b" }]));
    expect(mostActive).toBe(2);
    expect(m.resources?.metrics("pg")["pg"]?.timeouts).toBe(0);
  });

  it("SQLite and Postgres in one record: both commit, or both roll back", async () => {
    const path = freshDb();
    const m = machine(
      states({
        a: { start: true, resources: ["db"], transforms: [write("a")], arcs: ["b"] },
        b: { resources: ["pg"], transforms: [pgWrite("b"), failWhen((d) => d["fail"] === true)], arcs: ["c"] },
        c: { final: true },
      }),
      [sqlite("db", path), postgres()],
      single,
    );
    expect((await m.process({ id: 1 })).success).toBe(true);
    expect((await m.process({ id: 2, fail: true })).success).toBe(false);
    expect(rows(path)).toEqual([{ id: 1, step: "a" }]);
    expect(await pgRows()).toEqual([{ id: 1, step: "b" }]);
  });

  it("batch mode: a timed-out record's query cannot commit anything later, and the next batch works", async () => {
    const m = machine(
      states({
        a: {
          start: true,
          resources: ["pg"],
          transforms: [
            pgWrite("a"),
            later("maybe_slow", async (data, ctx) => {
              if (data["id"] !== 1) return undefined;
              const db = ctx.resources["pg"] as PostgresHandle;
              await db.run("select pg_sleep(0.1)");
              await db.run(`insert into ${table} (id, step) values ($1, 'late')`, [data["id"]]);
              return undefined;
            }),
          ],
          arcs: ["c"],
        },
        c: { final: true },
      }),
      [postgres()],
      batchOf(10),
    );
    const results = await m.processBatch([{ id: 0 }, { id: 1 }, { id: 2 }], { timeoutSeconds: 0.05 });
    expect(results[1]?.error).toContain("exceeded timeout");
    expect(results.map((r) => r.success)).toEqual([false, false, true]);
    await sleep(120);
    expect(await pgRows()).toEqual([{ id: 2, step: "a" }]);
  });
});
