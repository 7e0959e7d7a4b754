/**
 * The database sink (docs/streaming.md, "Sinks") on a real SQLite file and on the real Postgres
 * of the test setup (skipped with the setup's printed reason when there is none): batching, one
 * transaction per batch (a row breaking a constraint rolls its whole batch back, the batches
 * before it stay, and the error names the batch), upserts, nested values, and refused items.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { PostgresHandle, SqliteHandle } from "../../../runtime/resources/handles.js";
import { createPostgresProvider } from "../../../runtime/resources/providers/postgres.js";
import { createSqliteProvider } from "../../../runtime/resources/providers/sqlite.js";
import { databaseSink, SinkClosedError, SinkConfigError, SinkItemError, SinkWriteError } from "../../../runtime/streaming/sinks/index.js";
import { tempDir } from "../../support/cli.js";

const pgUrl = inject("pgUrl");
const temp = tempDir("fsmc-dbsink-");
afterAll(() => temp.cleanup());

type Row = Record<string, unknown>;

/** A database to write to, with what the tests need to set up and read back. */
interface Backend {
  readonly dialect: "sqlite" | "postgres";
  readonly handle: SqliteHandle | PostgresHandle;
  exec(sql: string): Promise<void>;
  rows(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const provider = createSqliteProvider("db", { path: join(temp.dir, `${randomUUID()}.db`) });
  const handle = await provider.acquire();
  return {
    dialect: "sqlite",
    handle,
    exec: async (sql) => void handle.run(sql),
    rows: async (sql) => handle.all(sql),
    close: async () => {
      await provider.release(handle);
      await provider.close?.();
    },
  };
}

async function postgresBackend(url: string): Promise<Backend> {
  const provider = createPostgresProvider("db", { connection_string: url });
  const handle = await provider.acquire();
  return {
    dialect: "postgres",
    handle,
    exec: async (sql) => void (await handle.run(sql)),
    rows: (sql) => handle.all(sql),
    close: async () => {
      await provider.release(handle);
      await provider.close?.();
    },
  };
}

/** A table no other test uses: id primary key, name not null, qty with a default, doc for nested values. */
async function itemsTable(backend: Backend): Promise<string> {
  const name = `sink_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const doc = backend.dialect === "postgres" ? "jsonb" : "text";
  await backend.exec(`create table ${name} (id integer primary key, name text not null, qty integer not null default 7, doc ${doc})`);
  return name;
}

const rowsOf = (from: number, count: number): Row[] => Array.from({ length: count }, (_, i) => ({ id: from + i, name: `item ${from + i}` }));

/** The error a promise (or a value that may be one) rejects with. */
async function rejection(value: unknown): Promise<Error> {
  try {
    await value;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

function databaseSuite(label: string, open: () => Promise<Backend>): void {
  describe(`database sink (${label})`, () => {
    const opened: Backend[] = [];
    afterAll(async () => {
      for (const backend of opened) await backend.close();
    });
    const backend = async (): Promise<Backend> => {
      const b = await open();
      opened.push(b);
      return b;
    };

    it("writes batches of `batchSize` rows, the partial batch on flush; positions count rows committed", async () => {
      const db = await backend();
      const table = await itemsTable(db);
      const sink = databaseSink(db.handle, { table, batchSize: 3 });
      expect(sink.description).toBe(`${db.dialect}:${table}`);
      const returned: unknown[] = [];
      for (const row of rowsOf(1, 7)) {
        const pending = sink.write(row);
        returned.push(pending);
        await pending;
      }
      // Every third write carries a batch: SQLite commits it at once, Postgres answers the promise of its commit.
      const expected = db.dialect === "sqlite" ? [undefined, undefined, undefined] : [undefined, undefined, "promise"];
      expect(returned.slice(0, 3).map((r) => (r instanceof Promise ? "promise" : r))).toEqual(expected);
      expect(await db.rows(`select count(*) as n from ${table}`)).toEqual([{ n: db.dialect === "postgres" ? "6" : 6 }]);
      expect(await sink.flush()).toEqual({ items: 7, bytes: null });
      expect((await db.rows(`select id, name, qty from ${table} order by id`)).map((r) => r["id"])).toEqual([1, 2, 3, 4, 5, 6, 7]);
      await sink.close();
      await sink.close();
      expect(thrown(() => sink.write({ id: 8, name: "late" }))).toBeInstanceOf(SinkClosedError);
    });

    it("inserts a batch whose rows alternate between shapes as one statement per shape, every row stored", async () => {
      const db = await backend();
      const table = await itemsTable(db);
      const sink = databaseSink(db.handle, { table, batchSize: 100 });
      const rows: Row[] = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? { id: i, name: `n${i}` } : { id: i, name: `n${i}`, qty: i }));
      for (const row of rows) await sink.write(row);
      await sink.close();
      const stored = await db.rows(`select id, qty from ${table} order by id`);
      expect(stored.map((r) => [Number(r["id"]), Number(r["qty"])])).toEqual(rows.map((r) => [r["id"], r["qty"] ?? 7]));
    });

    it("rolls back the whole batch holding a row that breaks a constraint; earlier batches stay; the error names the batch", async () => {
      const db = await backend();
      const table = await itemsTable(db);
      const sink = databaseSink(db.handle, { table, batchSize: 3 });
      for (const row of rowsOf(1, 3)) await sink.write(row);
      await sink.write({ id: 4, name: "four" });
      await sink.write({ id: 5, name: "five" });
      // id 2 is already stored: the batch {4, 5, 2} breaks the primary key.
      const error = await rejection(sink.write({ id: 2, name: "again" }));
      expect(error).toBeInstanceOf(SinkWriteError);
      expect((error as SinkWriteError).code).toBe("FSMR0056");
      const cause = db.dialect === "sqlite" ? "SqliteError SQLITE_CONSTRAINT_PRIMARYKEY: UNIQUE constraint failed: " : "DatabaseError 23505: duplicate key value violates unique constraint ";
      expect(error.message.startsWith(`sink \`${db.dialect}:${table}\`: batch 2 (rows 4–6) failed and was rolled back; batch 1 (3 rows) stays committed: ${cause}`)).toBe(true);
      expect((await db.rows(`select id from ${table} order by id`)).map((r) => r["id"])).toEqual([1, 2, 3]);
      // Nothing more is written after a failed batch: the rows after it would land with a hole before them.
      expect(await rejection(sink.write({ id: 9, name: "nine" }))).toBe(error);
      expect(await rejection(sink.flush())).toBe(error);
      expect(await rejection(sink.close())).toBe(error);
      expect((await db.rows(`select id from ${table} order by id`)).map((r) => r["id"])).toEqual([1, 2, 3]);
    });

    it("reports a failing partial batch on flush, with nothing committed before it", async () => {
      const db = await backend();
      const table = await itemsTable(db);
      const sink = databaseSink(db.handle, { table });
      await sink.write({ id: 1, name: "one" });
      await sink.write({ id: 2, name: null });
      const error = await rejection(sink.flush());
      expect(error.message).toMatch(new RegExp(`^sink \`${db.dialect}:${table}\`: batch 1 \\(rows 1–2\\) failed and was rolled back; nothing was committed before it: `));
      expect(await db.rows(`select id from ${table}`)).toEqual([]);
    });

    it("upserts on the key; nested values are stored as JSON; rows with fewer fields keep column defaults", async () => {
      const db = await backend();
      const table = await itemsTable(db);
      const sink = databaseSink(db.handle, { table, mode: "upsert", key: ["id"], batchSize: 10 });
      await sink.write({ id: 1, name: "one", doc: { tags: ["a", "b"], n: 1 } });
      await sink.write({ id: 2, name: "two", qty: 2 });
      await sink.write({ id: 1, name: "one again", qty: 11 });
      expect(await sink.flush()).toEqual({ items: 3, bytes: null });
      const rows = await db.rows(`select id, name, qty, doc from ${table} order by id`);
      const doc = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value);
      expect(rows.map((r) => ({ ...r, doc: doc(r["doc"]) }))).toEqual([
        { id: 1, name: "one again", qty: 11, doc: { tags: ["a", "b"], n: 1 } },
        { id: 2, name: "two", qty: 2, doc: null },
      ]);
      const insert = databaseSink(db.handle, { table, batchSize: 10 });
      await insert.write({ id: 3, name: "three" });
      await insert.close();
      expect(await db.rows(`select qty from ${table} where id = 3`)).toEqual([{ qty: 7 }]);
      await sink.close();
    });

    it("refuses items that are not rows, and options it cannot honour", async () => {
      const db = await backend();
      const table = await itemsTable(db);
      const sink = databaseSink(db.handle, { table, mode: "upsert", key: ["id"] });
      const notObject = thrown(() => sink.write([1, 2]));
      expect(notObject).toBeInstanceOf(SinkItemError);
      expect(notObject.message).toBe(`sink \`${db.dialect}:${table}\`: item 0 is an array, not an object: a row needs named columns`);
      expect(thrown(() => sink.write({})).message).toMatch(/item 0 has no fields/);
      expect(thrown(() => sink.write({ name: "no id" })).message).toMatch(/item 0 lacks the upsert key `id`/);
      await sink.close();
      expect(thrown(() => databaseSink(db.handle, { table, mode: "upsert" }))).toBeInstanceOf(SinkConfigError);
      expect(thrown(() => databaseSink(db.handle, { table, mode: "upsert" })).message).toMatch(/mode upsert needs `key`/);
      expect(thrown(() => databaseSink(db.handle, { table, key: ["id"] })).message).toMatch(/`key` applies to mode upsert only/);
      expect(thrown(() => databaseSink(db.handle, { table, batchSize: 0 })).message).toMatch(/`batchSize` must be a whole number >= 1, got 0/);
      expect(thrown(() => databaseSink(db.handle, { table: "" })).message).toMatch(/`table` is required/);
    });
  });
}

databaseSuite("sqlite", sqliteBackend);

describe.skipIf(!pgUrl)("postgres", () => {
  databaseSuite("postgres", () => postgresBackend(pgUrl ?? ""));
});

describe("database sink: handles", () => {
  it("refuses anything but a sqlite or postgres handle", () => {
    const error = thrown(() => databaseSink({} as SqliteHandle, { table: "t" }));
    expect(error).toBeInstanceOf(SinkConfigError);
    expect((error as SinkConfigError).code).toBe("FSMR0055");
    expect(error.message).toBe("sink `database:t`: the handle is not a sqlite or postgres resource handle");
  });
});
