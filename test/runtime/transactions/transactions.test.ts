/**
 * The machine's `transaction` setting against real databases (docs/transactions.md): after every
 * injected failure the tables hold exactly the writes of the records that succeeded — nothing
 * half-written, nothing lost — and each failed record's result carries the record it started with.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  type Ctx,
  defineMachine,
  type MachineDefinition,
  type MachineSettings,
  RetryableError,
  type SqliteHandle,
  type PostgresHandle,
  type TransactionSettings,
} from "../../../runtime/index.js";
import { flow, type StateSpec } from "../engine/support.js";

type Row = { id: number; step: string };

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fsmc-tx-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let dbCount = 0;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

/** A fresh SQLite file with table `t(id, step)`; returns its path. */
function freshDb(): string {
  const path = join(dir, `db${++dbCount}.sqlite`);
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec("create table t (id integer not null, step text not null, unique (id, step))");
  db.close();
  return path;
}

function rows(path: string): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("select id, step from t order by id, step").all() as Row[];
  } finally {
    db.close();
  }
}

/** A transform writing (id, step) through the state's `db` handle. */
const write = (step: string) => (data: Record<string, unknown>, ctx: Ctx): undefined => {
  (ctx.resources["db"] as SqliteHandle).run("insert into t (id, step) values (?, ?)", [data["id"], step]);
  data[`wrote_${step}`] = true;
  return undefined;
};

const fail = (when: (data: Record<string, unknown>) => boolean) => (data: Record<string, unknown>): undefined => {
  if (when(data)) throw new Error(`injected failure for record ${String(data["id"])}`);
  return undefined;
};

function machine(states: Readonly<Record<string, StateSpec>>, path: string, transaction: TransactionSettings | undefined, settings: Partial<MachineSettings> = {}) {
  const def: MachineDefinition = {
    ...flow(states, { settings: { ...settings, ...(transaction === undefined ? {} : { transaction }) } }),
    resources: [{ name: "db", type: "sqlite", config: { path } }],
  };
  const m = defineMachine(def);
  open.push(m);
  return m;
}

const single: TransactionSettings = { mode: "single", batchSize: 100, rollbackOnError: "record" };

/** a writes "a", b writes "b" and fails for the records `failing` picks, c is the end. */
function twoWrites(failing: (data: Record<string, unknown>) => boolean): Readonly<Record<string, StateSpec>> {
  return {
    a: { start: true, resources: ["db"], transforms: [write("a")], arcs: ["b"] },
    b: { resources: ["db"], transforms: [write("b"), fail(failing)], arcs: [{ to: "c", when: (d) => d["wrote_b"] === true }] },
    c: { final: true },
  };
}

describe("transaction single (SQLite)", () => {
  it("commits every write of a record that succeeds", async () => {
    const path = freshDb();
    const m = machine(twoWrites(() => false), path, single);
    const result = await m.process({ id: 1 });
    expect(result.success).toBe(true);
    expect(rows(path)).toEqual([
      { id: 1, step: "a" },
      { id: 1, step: "b" },
    ]);
  });

  it("rolls back every write of a record that fails, and gives back the record it started with", async () => {
    const path = freshDb();
    const m = machine(twoWrites(() => true), path, single);
    const input = { id: 2 };
    const result = await m.process(input);
    expect(result.success).toBe(false);
    expect(result.data).toEqual({ id: 2 });
    expect(input).toEqual({ id: 2 });
    expect(rows(path)).toEqual([]);
  });

  it("without a transaction the same failure leaves both writes, the failed state's included (the contrast)", async () => {
    const path = freshDb();
    const m = machine(twoWrites(() => true), path, undefined);
    expect((await m.process({ id: 3 })).success).toBe(false);
    expect(rows(path)).toEqual([
      { id: 3, step: "a" },
      { id: 3, step: "b" },
    ]);
  });

  it("undoes the writes of a failed entry that `on error` routes on, and keeps the others", async () => {
    const path = freshDb();
    const m = machine(
      {
        a: { start: true, resources: ["db"], transforms: [write("a")], arcs: ["b"] },
        b: { resources: ["db"], transforms: [write("b"), fail(() => true)], onError: "recover", arcs: ["c"] },
        recover: { resources: ["db"], transforms: [write("recover")], arcs: ["c"] },
        c: { final: true },
      },
      path,
      single,
    );
    const result = await m.process({ id: 4 });
    expect(result.success).toBe(true);
    expect(result.final_state).toBe("c");
    expect(rows(path)).toEqual([
      { id: 4, step: "a" },
      { id: 4, step: "recover" },
    ]);
  });

  it("undoes a failed arc-transform attempt before its retry", async () => {
    const path = freshDb();
    let attempts = 0;
    const m = machine(
      {
        a: {
          start: true,
          resources: ["db"],
          arcs: [
            {
              to: "c",
              resources: ["db"],
              do: (data: Record<string, unknown>, ctx: Ctx) => {
                (ctx.resources["db"] as SqliteHandle).run("insert into t (id, step) values (?, ?)", [data["id"], "arc"]);
                if (++attempts === 1) throw new RetryableError("flaky");
                return undefined;
              },
            },
          ],
        },
        c: { final: true },
      },
      path,
      single,
      { retry: { maxRetries: 2, initialDelayMs: 1, backoffFactor: 1, maxDelayMs: 1 } },
    );
    const result = await m.process({ id: 5 });
    expect(result.success).toBe(true);
    expect(attempts).toBe(2);
    // The first attempt's insert was undone: the unique key would refuse a second row.
    expect(rows(path)).toEqual([{ id: 5, step: "arc" }]);
  });

  it("runs under processSync on SQLite, with the same outcome", () => {
    const path = freshDb();
    const m = machine(twoWrites((d) => d["id"] === 7), path, single);
    expect(m.processSync({ id: 6 }).success).toBe(true);
    expect(m.processSync({ id: 7 }).success).toBe(false);
    expect(rows(path)).toEqual([
      { id: 6, step: "a" },
      { id: 6, step: "b" },
    ]);
  });

  it("processSync cannot wait for another writer: the record fails with FSMR0041 and nothing is written", async () => {
    const path = freshDb();
    const m = machine(twoWrites(() => false), path, single);
    const other = new Database(path);
    other.exec("begin immediate");
    try {
      const result = m.processSync({ id: 8 });
      expect(result.success).toBe(false);
      expect(JSON.stringify(result.metadata["failures"])).toContain("cannot begin a transaction on `db` without waiting");
    } finally {
      other.exec("rollback");
      other.close();
    }
    // process() waits for the lock instead.
    const holder = new Database(path);
    holder.exec("begin immediate");
    const pending = m.process({ id: 9 });
    setTimeout(() => {
      holder.exec("rollback");
      holder.close();
    }, 30);
    expect((await pending).success).toBe(true);
    expect(rows(path)).toEqual([
      { id: 9, step: "a" },
      { id: 9, step: "b" },
    ]);
  });

  it("names the error code of a transaction that cannot begin in time", async () => {
    const path = freshDb();
    const def: MachineDefinition = {
      ...flow(twoWrites(() => false), { settings: { transaction: single } }),
      resources: [{ name: "db", type: "sqlite", config: { path, pool: { acquire_timeout: 0.05 } } }],
    };
    const m = defineMachine(def);
    open.push(m);
    const holder = new Database(path);
    holder.exec("begin immediate");
    try {
      const result = await m.process({ id: 1 });
      expect(result.success).toBe(false);
      const failures = result.metadata["failures"] as { error: string }[];
      expect(failures[0]?.error).toMatch(/cannot begin a transaction on `db`: .*could not begin a transaction within \d+ ms: another writer holds the database lock/);
    } finally {
      holder.exec("rollback");
      holder.close();
    }
    expect(rows(path)).toEqual([]);
  });

  it("keeps concurrent records apart: exactly the successful records' writes, whatever the interleaving", async () => {
    const path = freshDb();
    const slow = async (): Promise<undefined> => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return undefined;
    };
    const m = machine(
      {
        a: { start: true, resources: ["db"], transforms: [write("a"), { name: "slow", fn: slow, async: true }], arcs: ["b"] },
        b: { resources: ["db"], transforms: [write("b"), fail((d) => (d["id"] as number) % 3 === 0)], arcs: [{ to: "c", when: (d) => d["wrote_b"] === true }] },
        c: { final: true },
      },
      path,
      single,
    );
    const input = Array.from({ length: 30 }, (_, id) => ({ id }));
    const results = await m.processBatch(input, { concurrency: 8 });
    const ok = results.filter((r) => r.success).map((r) => r.data["id"] as number);
    expect(ok).toEqual(input.map((r) => r.id).filter((id) => id % 3 !== 0));
    expect(rows(path)).toEqual(ok.flatMap((id) => [{ id, step: "a" }, { id, step: "b" }]));
  });

  it("refuses the handle's own begin/commit while the engine's transaction owns the connection", async () => {
    const path = freshDb();
    const m = machine(
      {
        a: {
          start: true,
          resources: ["db"],
          transforms: [
            (_d: Record<string, unknown>, ctx: Ctx) => {
              (ctx.resources["db"] as SqliteHandle).commit();
              return undefined;
            },
          ],
          arcs: ["c"],
        },
        c: { final: true },
      },
      path,
      single,
    );
    const result = await m.process({ id: 1 });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.metadata["failures"])).toContain("the machine's transaction owns this connection");
  });
});

describe("transaction batch (SQLite)", () => {
  const input = Array.from({ length: 10 }, (_, id) => ({ id }));

  it("rollback record: a failed record's writes are undone, the rest of its batch commits", async () => {
    const path = freshDb();
    const m = machine(twoWrites((d) => d["id"] === 4), path, { mode: "batch", batchSize: 3, rollbackOnError: "record" });
    const results = await m.processBatch(input);
    expect(results.map((r) => r.success)).toEqual(input.map((r) => r.id !== 4));
    expect(results[4]?.data).toEqual({ id: 4 });
    expect(rows(path)).toEqual(input.filter((r) => r.id !== 4).flatMap(({ id }) => [{ id, step: "a" }, { id, step: "b" }]));
  });

  it("rollback batch: a failure rolls back its whole batch and every record of it is reported failed", async () => {
    const path = freshDb();
    const m = machine(twoWrites((d) => d["id"] === 4), path, { mode: "batch", batchSize: 3, rollbackOnError: "batch" });
    const results = await m.processBatch(input);
    // Batches: [0 1 2] committed, [3 4] rolled back when 4 failed, then [5 6 7], [8 9].
    expect(results.map((r) => r.success)).toEqual(input.map((r) => r.id !== 3 && r.id !== 4));
    expect(results[3]?.error).toContain("Rolled back with its batch");
    expect(results[3]?.data).toEqual({ id: 3 });
    const kept = [0, 1, 2, 5, 6, 7, 8, 9];
    expect(rows(path)).toEqual(kept.flatMap((id) => [{ id, step: "a" }, { id, step: "b" }]));
  });

  it("progress counts records whose batch rolled back as failed", async () => {
    const m = machine(twoWrites((d) => d["id"] === 2), freshDb(), { mode: "batch", batchSize: 10, rollbackOnError: "batch" });
    const seen: { succeeded: number; failed: number }[] = [];
    const results = await m.processBatch(input.slice(0, 3), { onProgress: (p) => seen.push({ succeeded: p.succeeded, failed: p.failed }), progressIntervalMs: 0 });
    expect(results.map((r) => r.success)).toEqual([false, false, false]);
    expect(seen.at(-1)).toEqual({ succeeded: 0, failed: 3 });
  });

  it("refuses concurrency above 1 and workers, with the reason", async () => {
    const m = machine(twoWrites(() => false), freshDb(), { mode: "batch", batchSize: 3, rollbackOnError: "record" });
    await expect(m.processBatch(input, { concurrency: 4 })).rejects.toThrow(/records of a batch run one at a time/);
    await expect(m.processBatch(input, { workers: 2 })).rejects.toThrow(/workers/);
  });

  it("a lone process() call commits its own record", async () => {
    const path = freshDb();
    const m = machine(twoWrites(() => false), path, { mode: "batch", batchSize: 3, rollbackOnError: "record" });
    expect((await m.process({ id: 1 })).success).toBe(true);
    expect(rows(path)).toHaveLength(2);
  });
});

describe("transaction manual (SQLite)", () => {
  const manual: TransactionSettings = { mode: "manual", batchSize: 100, rollbackOnError: "record" };
  const call = (what: (ctx: Ctx, data: Record<string, unknown>) => Promise<unknown>) => ({
    name: "tx",
    async: true,
    fn: async (data: Record<string, unknown>, ctx: Ctx) => {
      await what(ctx, data);
      return undefined;
    },
  });

  it("begin in one state, writes in two, commit in a third", async () => {
    const path = freshDb();
    const m = machine(
      {
        a: { start: true, resources: ["db"], transforms: [call((ctx) => ctx.tx.begin()), write("a")], arcs: ["b"] },
        b: { resources: ["db"], transforms: [write("b")], arcs: ["c"] },
        c: { resources: ["db"], transforms: [call((ctx) => ctx.tx.commit())], arcs: ["d"] },
        d: { final: true },
      },
      path,
      manual,
    );
    expect((await m.process({ id: 1 })).success).toBe(true);
    expect(rows(path)).toEqual([
      { id: 1, step: "a" },
      { id: 1, step: "b" },
    ]);
  });

  it("rollback() undoes the writes; savepoint/rollbackTo undo part of them", async () => {
    const path = freshDb();
    const m = machine(
      {
        a: {
          start: true,
          resources: ["db"],
          transforms: [
            call((ctx) => ctx.tx.begin()),
            write("a"),
            call((ctx) => ctx.tx.savepoint("before_b")),
            write("b"),
            call((ctx) => ctx.tx.rollbackTo("before_b")),
            call((ctx) => ctx.tx.commit()),
            call((ctx) => ctx.tx.begin()),
            write("c"),
            call((ctx) => ctx.tx.rollback()),
          ],
          arcs: ["d"],
        },
        d: { final: true },
      },
      path,
      manual,
    );
    const result = await m.process({ id: 1 });
    expect(result.error).toBeNull();
    expect(rows(path)).toEqual([{ id: 1, step: "a" }]);
  });

  it("a commit the database refuses rejects ctx.tx.commit() with FSMR0041, and nothing is kept", async () => {
    const path = join(dir, `fk${++dbCount}.sqlite`);
    const setup = new Database(path);
    setup.exec("create table parent (id integer primary key); create table child (id integer, parent_id integer references parent (id) deferrable initially deferred)");
    setup.close();
    const seen: string[] = [];
    const def: MachineDefinition = {
      ...flow(
        {
          a: {
            start: true,
            resources: ["db"],
            transforms: [
              call(async (ctx, data) => {
                await ctx.tx.begin();
                (ctx.resources["db"] as SqliteHandle).run("insert into child (id, parent_id) values (?, 404)", [data["id"]]);
                await ctx.tx.commit().catch((error: Error & { code?: string }) => seen.push(`${error.code}: ${error.message}`));
              }),
            ],
            arcs: ["d"],
          },
          d: { final: true },
        },
        { settings: { transaction: manual } },
      ),
      resources: [{ name: "db", type: "sqlite", config: { path, pragmas: { foreign_keys: "ON" } } }],
    };
    const m = defineMachine(def);
    open.push(m);
    const result = await m.process({ id: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^FSMR0041: commit failed on `db`: .*FOREIGN KEY constraint failed/);
    expect(result.success).toBe(true);
    const check = new Database(path, { readonly: true });
    expect(check.prepare("select count(*) as n from child").get()).toEqual({ n: 0 });
    check.close();
  });

  it("a transaction left open when the run ends is rolled back and fails the record", async () => {
    const path = freshDb();
    const m = machine(
      {
        a: { start: true, resources: ["db"], transforms: [call((ctx) => ctx.tx.begin()), write("a")], arcs: ["d"] },
        d: { final: true },
      },
      path,
      manual,
    );
    const result = await m.process({ id: 1 });
    expect(result.success).toBe(false);
    expect(result.error).toContain("Transaction left open");
    expect(rows(path)).toEqual([]);
  });

  it("ctx.tx refuses begin/commit outside mode manual, and everything without engine transactions", async () => {
    const seen: string[] = [];
    const probe = call(async (ctx) => {
      await ctx.tx.begin().catch((error: Error & { code?: string }) => seen.push(`${error.code}: ${error.message}`));
    });
    const states = { a: { start: true, resources: ["db"], transforms: [probe], arcs: ["d"] }, d: { final: true } };
    await machine(states, freshDb(), single).process({ id: 1 });
    await machine(states, freshDb(), undefined).process({ id: 1 });
    expect(seen[0]).toMatch(/^FSMR0040: ctx.tx.begin\(\): the machine's transactions are managed by the engine \(transaction mode single\)/);
    expect(seen[1]).toMatch(/^FSMR0040: ctx.tx.begin\(\): this machine has no engine transactions/);
  });
});

const pgUrl = inject("pgUrl");

describe.skipIf(!pgUrl)("transactions on Postgres (real server)", () => {
  const url = pgUrl ?? "";
  let table = "";
  let tables = 0;

  async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  const pgWrite = (step: string) => ({
    name: `write_${step}`,
    async: true,
    fn: async (data: Record<string, unknown>, ctx: Ctx) => {
      await (ctx.resources["db"] as PostgresHandle).run(`insert into ${table} (id, step) values ($1, $2)`, [data["id"], step]);
      data[`wrote_${step}`] = true;
      return undefined;
    },
  });

  function pgMachine(transaction: TransactionSettings, failing: (d: Record<string, unknown>) => boolean) {
    const def: MachineDefinition = {
      ...flow(
        {
          a: { start: true, resources: ["db"], transforms: [pgWrite("a")], arcs: ["b"] },
          b: { resources: ["db"], transforms: [pgWrite("b"), fail(failing)], arcs: [{ to: "c", when: (d) => d["wrote_b"] === true }] },
          c: { final: true },
        },
        { settings: { transaction } },
      ),
      resources: [{ name: "db", type: "postgres", config: { connection_string: url } }],
    };
    const m = defineMachine(def);
    open.push(m);
    return m;
  }

  async function pgRows(): Promise<Row[]> {
    return query<Row>(`select id, step from ${table} order by id, step`);
  }

  beforeAll(async () => {
    table = `tx_test_${process.pid}_${++tables}`;
    await query(`create table ${table} (id integer not null, step text not null, unique (id, step))`);
  });
  afterAll(async () => {
    await query(`drop table if exists ${table}`);
  });
  afterEach(async () => {
    await query(`delete from ${table}`);
  });

  it("single: failed records leave nothing, successful ones everything, at concurrency 4", async () => {
    const m = pgMachine(single, (d) => (d["id"] as number) % 4 === 1);
    const input = Array.from({ length: 12 }, (_, id) => ({ id }));
    const results = await m.processBatch(input, { concurrency: 4 });
    const ok = input.map((r) => r.id).filter((id) => id % 4 !== 1);
    expect(results.filter((r) => r.success).map((r) => r.data["id"])).toEqual(ok);
    expect(await pgRows()).toEqual(ok.flatMap((id) => [{ id, step: "a" }, { id, step: "b" }]));
  });

  it("batch with rollback record: a failed record's writes are undone by its savepoint", async () => {
    const m = pgMachine({ mode: "batch", batchSize: 4, rollbackOnError: "record" }, (d) => d["id"] === 2);
    const input = Array.from({ length: 6 }, (_, id) => ({ id }));
    const results = await m.processBatch(input);
    expect(results.map((r) => r.success)).toEqual([true, true, false, true, true, true]);
    expect(await pgRows()).toEqual([0, 1, 3, 4, 5].flatMap((id) => [{ id, step: "a" }, { id, step: "b" }]));
  });

  it("a statement error inside a state is undone with the state, and the transaction stays usable", async () => {
    const m = pgMachine(single, () => false);
    // The same record twice: the second's insert breaks the unique key, fails its entry, and rolls back.
    expect((await m.process({ id: 9 })).success).toBe(true);
    const again = await m.process({ id: 9 });
    expect(again.success).toBe(false);
    expect(await pgRows()).toEqual([
      { id: 9, step: "a" },
      { id: 9, step: "b" },
    ]);
  });
});
