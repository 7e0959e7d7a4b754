/** Database sources: a SQLite query (better-sqlite3 `iterate()` or key pages) and a Postgres server-side cursor. */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import type { PostgresHandle, SqliteHandle } from "../../../runtime/resources/handles.js";
import { createPostgresProvider } from "../../../runtime/resources/providers/postgres.js";
import { createSqliteProvider } from "../../../runtime/resources/providers/sqlite.js";
import type { ResourceProvider } from "../../../runtime/resources/types.js";
import { postgresCursorSource, SourceOptionsError, SourceReadError, sqliteQuerySource } from "../../../runtime/streaming/sources/index.js";
import type { Source, SourceItem } from "../../../runtime/streaming/types.js";

async function collect(source: Source): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of source) items.push(item);
  return items;
}

const rowsOf = (items: readonly SourceItem[]): unknown[] => items.map((item) => (item.kind === "record" ? item.record : item.error));

describe("sqliteQuerySource", () => {
  const dir = mkdtempSync(join(tmpdir(), "fsmc-source-sqlite-"));
  const opened: { provider: ResourceProvider<SqliteHandle>; handle: SqliteHandle }[] = [];
  afterEach(() => {
    for (const { provider, handle } of opened.splice(0)) {
      provider.release(handle);
      provider.close?.();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A handle on a fresh database with `items(id, name, qty)` holding `count` rows (ids 1…count, inserted in reverse). */
  function database(count: number): SqliteHandle {
    const provider = createSqliteProvider("db", { path: join(dir, `${randomUUID()}.db`) });
    const handle = provider.acquire();
    if (handle instanceof Promise) throw new Error("sqlite acquire must be synchronous");
    opened.push({ provider, handle });
    handle.run("create table items (id integer primary key, name text not null, qty integer not null)");
    handle.run("create table log (note text)");
    handle.insertMany(
      "items",
      Array.from({ length: count }, (_, i) => ({ id: count - i, name: `item ${count - i}`, qty: (count - i) % 4 })),
    );
    return handle;
  }

  it("yields every row as a record, read in batches, with positional or named parameters", async () => {
    const handle = database(10);
    const items = await collect(sqliteQuerySource(handle, "select id, name from items where qty >= ? order by id", [1], { batchSize: 3 }));
    expect(rowsOf(items)).toEqual([1, 2, 3, 5, 6, 7, 9, 10].map((id) => ({ id, name: `item ${id}` })));
    expect(items.map((item) => item.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((index) => ({ index, line: index + 1 })));
    const named = await collect(sqliteQuerySource(handle, "select id from items where id <= @max order by id;", { max: 2 }));
    expect(rowsOf(named)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await collect(sqliteQuerySource(handle, "select * from items where id < 0"))).toEqual([]);
  });

  it("with keyColumn: key order, each position's cursor, resume after the last key, and a free connection between batches", async () => {
    const handle = database(10);
    const source = sqliteQuerySource(handle, "select id, name from items where qty <> ?", [0], { keyColumn: "id", batchSize: 2 });
    const items: SourceItem[] = [];
    for await (const item of source) {
      items.push(item);
      handle.run("insert into log (note) values (?)", [`after ${item.position.index}`]); // the pipeline writes as it reads
    }
    expect(rowsOf(items).map((row) => (row as { id: number }).id)).toEqual([1, 2, 3, 5, 6, 7, 9, 10]);
    expect(items[3]?.position).toEqual({ index: 3, line: 4, cursor: 5 });
    expect(handle.get("select count(*) as n from log")).toEqual({ n: 8 });
    const tail = await collect(sqliteQuerySource(handle, "select id, name from items where qty <> ?", [0], { keyColumn: "id", batchSize: 2, start: { index: 4, cursor: 5 } }));
    expect(tail).toEqual(items.slice(4));
    const byIndex = await collect(sqliteQuerySource(handle, "select id, name from items where qty <> ?", [0], { keyColumn: "id", batchSize: 3, start: { index: 5 } }));
    expect(byIndex).toEqual(items.slice(5));
  });

  it("without keyColumn holds the statement open, resumes by skipping rows, and frees the connection on break", async () => {
    const handle = database(20);
    const full = await collect(sqliteQuerySource(handle, "select id from items order by id", undefined, { batchSize: 4 }));
    expect(await collect(sqliteQuerySource(handle, "select id from items order by id", undefined, { start: { index: 17 } }))).toEqual(full.slice(17));
    const source = sqliteQuerySource(handle, "select id from items order by id", undefined, { batchSize: 4 });
    let seen = 0;
    for await (const _item of source) {
      // better-sqlite3 refuses other statements while the iterator is open.
      expect(() => handle.run("insert into log (note) values ('x')")).toThrow(/busy/);
      if (++seen === 5) break;
    }
    expect(handle.get("select count(*) as n from items")).toEqual({ n: 20 });
    await source.close();
  });

  it("refuses bad statements and options (FSMR0050, FSMR0051)", async () => {
    const handle = database(3);
    expect(() => sqliteQuerySource(handle, "select nope from items")).toThrow(SourceReadError);
    expect(() => sqliteQuerySource(handle, "select nope from items")).toThrow(/sqlite query failed: no such column: nope in `select nope from items`/);
    expect(() => sqliteQuerySource(handle, "delete from items")).toThrow(SourceOptionsError);
    expect(() => sqliteQuerySource(handle, "select * from items", [], { start: { index: 1, cursor: 3 } })).toThrow(/has a `cursor`, but no `keyColumn`/);
    expect(() => sqliteQuerySource(handle, "select * from items", [], { batchSize: 0 })).toThrow(/`batchSize` must be a positive integer/);
    const nullKeys = sqliteQuerySource(handle, "select null as k, id from items", [], { keyColumn: "k" });
    const error = await collect(nullKeys).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceReadError);
    expect((error as SourceReadError).code).toBe("FSMR0051");
  });
});

const url = inject("pgUrl");

describe.skipIf(!url)("postgresCursorSource (real server)", () => {
  const provider = createPostgresProvider("pg", { connection_string: url ?? "" });
  const handles: PostgresHandle[] = [];
  afterEach(async () => {
    for (const handle of handles.splice(0)) await provider.release(handle);
  });

  /** A handle, and a table of `count` rows (ids 1…count) only this test uses. */
  async function table(count: number): Promise<{ handle: PostgresHandle; name: string }> {
    const handle = await provider.acquire();
    handles.push(handle);
    const name = `src_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await handle.run(`create table ${name} (id int primary key, name text not null, doc jsonb)`);
    await handle.run(`insert into ${name} select g, 'item ' || g, jsonb_build_object('g', g) from generate_series(1, $1::int) g`, [count]);
    return { handle, name };
  }

  const openCursors = async (handle: PostgresHandle): Promise<number> => Number((await handle.get<{ n: string }>("select count(*) as n from pg_cursors"))?.n);

  it("fetches every row through a server-side cursor in batches, with parameters, and ends its transaction", async () => {
    const { handle, name } = await table(250);
    const source = postgresCursorSource(handle, `select id, doc from ${name} where id > $1 order by id`, [5], { batchSize: 40 });
    const items = await collect(source);
    expect(items).toHaveLength(245);
    expect(items[0]).toEqual({ kind: "record", record: { id: 6, doc: { g: 6 } }, position: { index: 0, line: 1 } });
    expect(items.at(-1)?.position).toEqual({ index: 244, line: 245 });
    expect(handle.inTransaction).toBe(false);
    expect(await openCursors(handle)).toBe(0);
    expect(await collect(postgresCursorSource(handle, `select id from ${name} where id < 0`))).toEqual([]);
  });

  it("resumes by skipping rows (MOVE), or after the last key with keyColumn", async () => {
    const { handle, name } = await table(30);
    const full = await collect(postgresCursorSource(handle, `select id, name from ${name} where id % 3 <> 0`, [], { keyColumn: "id", batchSize: 7 }));
    expect(full.map((item) => item.position.cursor)).toEqual(full.map((item) => (item.kind === "record" ? (item.record as { id: number }).id : null)));
    expect(full[4]?.position).toEqual({ index: 4, line: 5, cursor: 7 });
    const afterKey = await collect(postgresCursorSource(handle, `select id, name from ${name} where id % 3 <> 0`, [], { keyColumn: "id", batchSize: 7, start: { index: 5, cursor: 7 } }));
    expect(afterKey).toEqual(full.slice(5));
    const skipped = await collect(postgresCursorSource(handle, `select id, name from ${name} where id % 3 <> 0 order by id`, [], { batchSize: 4, start: { index: 12 } }));
    expect(rowsOf(skipped)).toEqual(rowsOf(full.slice(12)));
  });

  it("releases the cursor and its transaction when iteration stops early; the handle is usable again", async () => {
    const { handle, name } = await table(1000);
    const source = postgresCursorSource(handle, `select id from ${name} order by id`, [], { batchSize: 50 });
    let seen = 0;
    for await (const _item of source) {
      expect(handle.inTransaction).toBe(true);
      if (++seen === 3) break;
    }
    expect(handle.inTransaction).toBe(false);
    expect(await openCursors(handle)).toBe(0);
    expect(await handle.get(`select count(*)::int as n from ${name}`)).toEqual({ n: 1000 });
    await source.close(); // idempotent
  });

  it("refuses a second cursor source on a handle whose transaction another one holds", async () => {
    const { handle, name } = await table(10);
    const first = postgresCursorSource(handle, `select id from ${name} order by id`, [], { batchSize: 2 });
    const iterator = first[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ record: { id: 1 } });
    const second = await collect(postgresCursorSource(handle, `select id from ${name}`)).catch((caught: unknown) => caught);
    expect(second).toBeInstanceOf(SourceOptionsError);
    expect(String(second)).toMatch(/already holds the transaction of another open cursor source/);
    expect((await iterator.next()).value).toMatchObject({ record: { id: 2 } });
    await first.close();
    expect(await collect(postgresCursorSource(handle, `select id from ${name}`))).toHaveLength(10);
  });

  it("inside the caller's transaction: closes its cursor and leaves the transaction open", async () => {
    const { handle, name } = await table(20);
    await handle.begin();
    await handle.run(`insert into ${name} (id, name) values (21, 'uncommitted')`);
    const items: SourceItem[] = [];
    for await (const item of postgresCursorSource(handle, `select id, name from ${name} order by id`, [], { batchSize: 8 })) {
      items.push(item);
      if (items.length === 21) break;
    }
    expect(rowsOf(items).at(-1)).toEqual({ id: 21, name: "uncommitted" });
    expect(handle.inTransaction).toBe(true);
    expect(await openCursors(handle)).toBe(0);
    await handle.rollback();
    expect(await handle.get(`select count(*)::int as n from ${name}`)).toEqual({ n: 20 });
  });

  it("rolls back its transaction when the query fails, leaving the handle usable", async () => {
    const { handle, name } = await table(5);
    const error = await collect(postgresCursorSource(handle, `select id / (id - 3) from ${name} order by id`, [], { batchSize: 1 })).catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/division by zero/);
    expect(handle.inTransaction).toBe(false);
    expect(await handle.get("select 1 as one")).toEqual({ one: 1 });
    expect(() => postgresCursorSource(handle, "select 1", [], { start: { index: 0, cursor: 1 } })).toThrow(SourceOptionsError);
  });
});
