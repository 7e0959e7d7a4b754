import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ResourceConfigError, ResourceError } from "../../../../runtime/resources/errors.js";
import type { SqliteHandle } from "../../../../runtime/resources/handles.js";
import { createSqliteProvider, SQLITE_KEYS, toSqliteValue } from "../../../../runtime/resources/providers/sqlite.js";
import type { ResourceProvider } from "../../../../runtime/resources/types.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fsmc-sqlite-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Providers and handles a test opened; closed after it whatever its outcome. */
const opened: { provider: ResourceProvider<SqliteHandle>; handles: SqliteHandle[] }[] = [];
afterEach(() => {
  for (const { provider, handles } of opened.splice(0)) {
    for (const handle of handles) if (handle.db.open) provider.release(handle);
    provider.close?.();
  }
});

let fileCount = 0;
/** A provider on a fresh database file in the temp folder (or the given config), and one handle. */
function open(config: Record<string, unknown> = {}): { provider: ResourceProvider<SqliteHandle>; handle: SqliteHandle; acquire(): SqliteHandle } {
  const provider = createSqliteProvider("db", { path: join(dir, `test-${++fileCount}.db`), ...config });
  const entry = { provider, handles: [] as SqliteHandle[] };
  opened.push(entry);
  const acquire = (): SqliteHandle => {
    const handle = provider.acquire();
    if (handle instanceof Promise) throw new Error("sqlite acquire must be synchronous");
    entry.handles.push(handle);
    return handle;
  };
  return { provider, handle: acquire(), acquire };
}

function itemsTable(handle: SqliteHandle): void {
  handle.run("create table items (id integer primary key, name text not null, qty integer not null default 0, meta text)");
}

describe("sqlite provider: statements", () => {
  it("is a synchronous provider of kind sqlite and lists its keys", () => {
    const { provider } = open();
    expect(provider.kind).toBe("sqlite");
    expect(provider.sync).toBe(true);
    expect(SQLITE_KEYS).toEqual(["path", "wal", "readonly", "busy_timeout", "pragmas"]);
  });

  it("runs CRUD with positional and named parameters", () => {
    const { handle } = open();
    itemsTable(handle);
    const inserted = handle.run("insert into items (name, qty) values (?, ?)", ["apple", 3]);
    expect(inserted).toEqual({ changes: 1, lastInsertRowid: 1 });
    handle.run("insert into items (name, qty) values (@name, @qty)", { name: "pear", qty: 5 });
    expect(handle.get("select name, qty from items where id = ?", [2])).toEqual({ name: "pear", qty: 5 });
    expect(handle.get<{ name: string }>("select name from items where name = @name", { name: "apple" })?.name).toBe("apple");
    expect(handle.get("select * from items where id = ?", [99])).toBeUndefined();
    expect(handle.run("update items set qty = qty + 1 where qty > ?", [0]).changes).toBe(2);
    expect(handle.run("delete from items where name = :name", { name: "apple" }).changes).toBe(1);
    expect(handle.all("select name, qty from items order by id")).toEqual([{ name: "pear", qty: 6 }]);
  });

  it("converts booleans, dates, objects, arrays and undefined to what SQLite stores", () => {
    const { handle } = open();
    handle.run("create table v (b, d, o, a, u, bytes)");
    const when = new Date("2024-05-06T07:08:09.000Z");
    handle.run("insert into v values (?, ?, ?, ?, ?, ?)", [true, when, { k: [1, 2] }, ["x", "y"], undefined, new Uint8Array([1, 2])]);
    expect(handle.get("select * from v")).toEqual({ b: 1, d: "2024-05-06T07:08:09.000Z", o: '{"k":[1,2]}', a: '["x","y"]', u: null, bytes: Buffer.from([1, 2]) });
    expect(toSqliteValue(false)).toBe(0);
    expect(toSqliteValue(10n)).toBe(10n);
  });

  it("upserts: updates the other columns on a key clash, or keeps the row when asked", () => {
    const { handle } = open();
    itemsTable(handle);
    handle.insertMany("items", [
      { id: 1, name: "apple", qty: 1 },
      { id: 2, name: "pear", qty: 2 },
    ]);
    const updated = handle.upsert(
      "items",
      [
        { id: 2, name: "pear", qty: 20 },
        { id: 3, name: "plum", qty: 30 },
      ],
      { key: ["id"] },
    );
    expect(updated.changes).toBe(2);
    expect(handle.all("select id, qty from items order by id")).toEqual([
      { id: 1, qty: 1 },
      { id: 2, qty: 20 },
      { id: 3, qty: 30 },
    ]);
    const ignored = handle.upsert("items", [{ id: 1, name: "apple", qty: 100 }], { key: ["id"], onConflict: "ignore" });
    expect(ignored.changes).toBe(0);
    expect(handle.get("select qty from items where id = 1")).toEqual({ qty: 1 });
  });

  it("inserts 1,000 rows in one transaction", () => {
    const { handle } = open();
    itemsTable(handle);
    const rows = Array.from({ length: 1_000 }, (_, i) => ({ id: i + 1, name: `item ${i}`, qty: i, meta: { i } }));
    const result = handle.insertMany("items", rows);
    expect(result).toEqual({ changes: 1_000, lastInsertRowid: 1_000 });
    expect(handle.get("select count(*) as n, sum(qty) as total from items")).toEqual({ n: 1_000, total: 499_500 });
    expect(handle.get("select meta from items where id = 1000")).toEqual({ meta: '{"i":999}' });
    expect(handle.inTransaction).toBe(false);
  });

  it("writes nothing of an insertMany whose row fails, even inside an open transaction", () => {
    const { handle } = open();
    itemsTable(handle);
    expect(() => handle.insertMany("items", [{ id: 1, name: "a" }, { id: 1, name: "b" }])).toThrow(ResourceError);
    expect(handle.get("select count(*) as n from items")).toEqual({ n: 0 });
    handle.begin();
    handle.run("insert into items (id, name) values (10, 'kept')");
    expect(() => handle.insertMany("items", [{ id: 11, name: "a" }, { id: 11, name: "b" }])).toThrow(/UNIQUE constraint failed/);
    handle.commit();
    expect(handle.all("select id from items")).toEqual([{ id: 10 }]);
  });

  it("refuses rows of different shapes and bad identifiers before touching the database", () => {
    const { handle } = open();
    itemsTable(handle);
    expect(() => handle.insertMany("items", [{ id: 1, name: "a" }, { id: 2 }])).toThrow("resource `db`: insertMany into `items`: row 1 lacks column `name`");
    expect(() => handle.upsert("items", [{ id: 1, name: "a" }], { key: ["nope"] })).toThrow(/key column `nope` is not a column/);
    expect(() => handle.insertMany("it\0ems", [{ id: 1 }])).toThrow(/NUL/);
    expect(handle.insertMany("items", [])).toEqual({ changes: 0, lastInsertRowid: null });
  });

  it("quotes identifiers, so a column named like SQL stays a column", () => {
    const { handle } = open();
    handle.run('create table "odd table" ("select" text, "we""ird" int)');
    handle.insertMany("odd table", [{ select: "x", 'we"ird': 1 }]);
    expect(handle.all('select * from "odd table"')).toEqual([{ select: "x", 'we"ird': 1 }]);
  });
});

describe("sqlite provider: transactions", () => {
  it("commits and rolls back with begin/commit/rollback", () => {
    const { handle } = open();
    itemsTable(handle);
    handle.begin();
    expect(handle.inTransaction).toBe(true);
    handle.run("insert into items (name) values ('kept')");
    handle.commit();
    expect(handle.inTransaction).toBe(false);
    handle.begin();
    handle.run("insert into items (name) values ('dropped')");
    handle.rollback();
    expect(handle.all("select name from items")).toEqual([{ name: "kept" }]);
  });

  it("refuses begin twice and commit/rollback without a transaction", () => {
    const { handle } = open();
    handle.begin();
    expect(() => handle.begin()).toThrow("resource `db`: begin(): a transaction is already open; use transaction(fn) to nest one");
    handle.rollback();
    expect(() => handle.commit()).toThrow(/commit\(\): no transaction is open/);
    expect(() => handle.rollback()).toThrow(/rollback\(\): no transaction is open/);
  });

  it("rolls a scoped transaction back when fn throws, leaving the table unchanged", () => {
    const { handle } = open();
    itemsTable(handle);
    handle.run("insert into items (id, name) values (1, 'before')");
    const failure = new Error("boom");
    expect(() =>
      handle.transaction((tx) => {
        tx.run("update items set name = 'changed' where id = 1");
        tx.run("insert into items (id, name) values (2, 'new')");
        throw failure;
      }),
    ).toThrow(failure);
    expect(handle.all("select id, name from items")).toEqual([{ id: 1, name: "before" }]);
    expect(handle.inTransaction).toBe(false);
    expect(handle.transaction((tx) => tx.run("insert into items (id, name) values (3, 'c')").changes)).toBe(1);
    expect(handle.get("select count(*) as n from items")).toEqual({ n: 2 });
  });

  it("nests a scoped transaction as a savepoint: its rollback keeps the outer work", () => {
    const { handle } = open();
    itemsTable(handle);
    handle.transaction((outer) => {
      outer.run("insert into items (id, name) values (1, 'outer')");
      expect(() =>
        outer.transaction((inner) => {
          inner.run("insert into items (id, name) values (2, 'inner')");
          throw new Error("inner fails");
        }),
      ).toThrow("inner fails");
      outer.transaction((inner) => inner.run("insert into items (id, name) values (3, 'inner ok')"));
      expect(() => outer.commit()).toThrow(/inside transaction\(fn\)/);
    });
    expect(handle.all("select id from items order by id")).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it("nests a scoped transaction inside begin()", () => {
    const { handle } = open();
    itemsTable(handle);
    handle.begin();
    handle.run("insert into items (id, name) values (1, 'a')");
    expect(() => handle.transaction(() => { handle.run("insert into items (id, name) values (2, 'b')"); throw new Error("no"); })).toThrow("no");
    handle.commit();
    expect(handle.all("select id from items")).toEqual([{ id: 1 }]);
  });

  it("refuses an async transaction body and rolls it back", () => {
    const { handle } = open();
    itemsTable(handle);
    const body = (tx: SqliteHandle): Promise<void> => {
      tx.run("insert into items (name) values ('x')");
      return Promise.resolve();
    };
    expect(() => handle.transaction(body)).toThrow(/fn returned a promise/);
    expect(handle.get("select count(*) as n from items")).toEqual({ n: 0 });
  });
});

describe("sqlite provider: errors", () => {
  it("names the resource, quotes the statement and never the parameter values", () => {
    const { handle } = open();
    itemsTable(handle);
    handle.run("insert into items (id, name) values (?, ?)", [1, "first-secret-value"]);
    let caught: unknown;
    try {
      handle.run("insert into items (id, name) values (?, ?)", [1, "second-secret-value"]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ResourceError);
    const error = caught as ResourceError;
    expect(error.code).toBe("FSMR0020");
    expect(error.resource).toBe("db");
    expect(error.message).toBe(
      "resource `db`: UNIQUE constraint failed: items.id (SQLITE_CONSTRAINT_PRIMARYKEY) in `insert into items (id, name) values (?, ?)`",
    );
    expect(error.message).not.toContain("secret");
    expect(error.retryable).toBe(false);
    expect(error.cause).toBeDefined();
  });

  it("wraps syntax errors and wrong parameter use", () => {
    const { handle } = open();
    expect(() => handle.all("selec 1")).toThrow(/resource `db`: near "selec": syntax error \(SQLITE_ERROR\) in `selec 1`/);
    expect(() => handle.get("select @a as a", { b: 1 })).toThrow(ResourceError);
    expect(() => handle.get("create table t (a)")).toThrow(/does not return data/);
  });

  it("reports a database file it cannot open", () => {
    const provider = createSqliteProvider("db", { path: join(dir, "missing-dir", "x.db") });
    expect(() => provider.acquire()).toThrow(/resource `db`: cannot open `.*missing-dir.*`: .*directory does not exist/);
    expect(provider.health?.()).toMatchObject({ status: "unhealthy" });
  });

  it("reports a locked database as retryable (a second writer with busy_timeout 0)", () => {
    const { handle, acquire } = open({ busy_timeout: 0 });
    const other = acquire();
    itemsTable(handle);
    handle.begin();
    let caught: unknown;
    try {
      other.begin();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ResourceError);
    expect((caught as ResourceError).message).toBe("resource `db`: database is locked (SQLITE_BUSY) in `BEGIN IMMEDIATE`");
    expect((caught as ResourceError).retryable).toBe(true);
    expect(other.inTransaction).toBe(false);
    expect(other.all("select * from items")).toEqual([]);
    handle.rollback();
  });

  it("refuses a released handle", () => {
    const { provider, handle } = open();
    provider.release(handle);
    expect(() => handle.get("select 1")).toThrow("resource `db`: this handle was released; acquire a new one");
  });
});

describe("sqlite provider: configuration", () => {
  it("suggests the nearest key for an unknown one", () => {
    expect(() => createSqliteProvider("db", { patth: "x.db" })).toThrow(ResourceConfigError);
    expect(() => createSqliteProvider("db", { patth: "x.db" })).toThrow("resource `db`: unknown sqlite key `patth`; did you mean `path`?");
    expect(() => createSqliteProvider("db", { busytimeout: 1 })).toThrow(/did you mean `busy_timeout`\?/);
    expect(() => createSqliteProvider("db", { pool: { max: 1 } })).toThrow(/unknown sqlite key `pool`/);
  });

  it("refuses keys of the wrong type", () => {
    expect(() => createSqliteProvider("db", { wal: "yes" })).toThrow("resource `db`: `wal` must be true or false, got a string");
    expect(() => createSqliteProvider("db", { busy_timeout: "soon" })).toThrow(/`busy_timeout` must be a number/);
    expect(() => createSqliteProvider("db", { busy_timeout: -1 })).toThrow(/`busy_timeout` must be at least 0/);
    expect(() => createSqliteProvider("db", { path: 3 })).toThrow(/`path` must be a string, got a number/);
    expect(() => createSqliteProvider("db", { pragmas: ["x"] })).toThrow(/`pragmas` must be an object/);
    expect(() => createSqliteProvider("db", { pragmas: { "x; drop": 1 } })).toThrow(/is not a pragma name/);
    expect(() => createSqliteProvider("db", { pragmas: { cache_size: {} } })).toThrow(/`pragmas.cache_size` must be a string, number or boolean/);
    expect(() => createSqliteProvider("db", { readonly: true })).toThrow(/needs a database file/);
    expect(() => createSqliteProvider("db", { path: "" })).toThrow(/`path` is empty/);
  });

  it("accepts strings that spell numbers and booleans (environment values)", () => {
    const { handle } = open({ busy_timeout: "2", wal: "false" });
    expect(handle.db.pragma("busy_timeout", { simple: true })).toBe(2_000);
    expect(handle.db.pragma("journal_mode", { simple: true })).toBe("delete");
  });

  it("puts file databases in WAL mode, applies busy_timeout and pragmas", () => {
    const { handle } = open({ busy_timeout: 1.5, pragmas: { foreign_keys: true, synchronous: "NORMAL", cache_size: -4000 } });
    expect(handle.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(handle.db.pragma("busy_timeout", { simple: true })).toBe(1_500);
    expect(handle.db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(handle.db.pragma("synchronous", { simple: true })).toBe(1);
    expect(handle.db.pragma("cache_size", { simple: true })).toBe(-4000);
  });

  it("opens a readonly connection that refuses writes", () => {
    const path = join(dir, "readonly.db");
    const writer = open({ path });
    itemsTable(writer.handle);
    writer.handle.run("insert into items (name) values ('a')");
    const reader = open({ path, readonly: true });
    expect(reader.handle.all("select name from items")).toEqual([{ name: "a" }]);
    expect(() => reader.handle.run("insert into items (name) values ('b')")).toThrow(/readonly/);
  });
});

describe("sqlite provider: lifecycle", () => {
  it("gives each handle of a file database its own connection, and they see committed data", () => {
    const { handle, acquire } = open();
    const other = acquire();
    expect(other.db).not.toBe(handle.db);
    itemsTable(handle);
    handle.run("insert into items (name) values ('shared')");
    expect(other.all("select name from items")).toEqual([{ name: "shared" }]);
  });

  it("shares one connection between the handles of a :memory: database", () => {
    const provider = createSqliteProvider("mem", {});
    const first = provider.acquire() as SqliteHandle;
    const second = provider.acquire() as SqliteHandle;
    opened.push({ provider, handles: [] });
    expect(first).not.toBe(second);
    expect(first.db).toBe(second.db);
    first.run("create table t (v)");
    first.run("insert into t values (1)");
    expect(second.all("select v from t")).toEqual([{ v: 1 }]);
    first.begin();
    first.run("insert into t values (2)");
    expect(() => second.run("insert into t values (3)")).toThrow("resource `mem`: the shared in-memory connection is inside another handle's transaction; wait until it commits or rolls back");
    provider.release(first);
    expect(second.all("select v from t")).toEqual([{ v: 1 }]);
    expect(second.db.open).toBe(true);
    provider.release(second);
    const third = provider.acquire() as SqliteHandle;
    expect(third.all("select v from t")).toEqual([{ v: 1 }]);
    provider.release(third);
    provider.close?.();
    expect(third.db.open).toBe(false);
  });

  it("release rolls back an open transaction and closes the connection", () => {
    const path = join(dir, "release.db");
    const { provider, handle } = open({ path });
    itemsTable(handle);
    handle.begin();
    handle.run("insert into items (name) values ('uncommitted')");
    const db = handle.db;
    provider.release(handle);
    expect(db.open).toBe(false);
    const again = open({ path }).handle;
    expect(again.all("select * from items")).toEqual([]);
  });

  it("validates a usable handle, and refuses a released one or one left in a transaction", () => {
    const { provider, handle, acquire } = open();
    expect(provider.validate?.(handle)).toBe(true);
    handle.begin();
    expect(provider.validate?.(handle)).toBe(false);
    handle.rollback();
    expect(provider.validate?.(handle)).toBe(true);
    const other = acquire();
    provider.release(other);
    expect(provider.validate?.(other)).toBe(false);
  });

  it("reports health and counts statements, commits and rollbacks", () => {
    const { provider, handle } = open();
    expect(provider.health?.()).toEqual({ status: "healthy" });
    const before = provider.metrics?.() ?? {};
    handle.transaction((tx) => tx.run("create table t (v)"));
    expect(() => handle.transaction(() => { throw new Error("x"); })).toThrow("x");
    expect(() => handle.run("nonsense")).toThrow(ResourceError);
    const after = provider.metrics?.() ?? {};
    expect(after["statements"]).toBe((before["statements"] ?? 0) + 1);
    expect(after["commits"]).toBe((before["commits"] ?? 0) + 1);
    expect(after["rollbacks"]).toBe((before["rollbacks"] ?? 0) + 1);
    expect(after["errors"]).toBe((before["errors"] ?? 0) + 1);
    expect(after["connections"]).toBe(1);
  });
});
