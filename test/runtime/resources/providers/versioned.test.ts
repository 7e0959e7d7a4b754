/**
 * Versioned rows and optimistic-lock writes (`getVersioned`, `updateVersioned`,
 * `insertVersioned`): the statements both dialects get, then the same scenarios against a real
 * SQLite file and a real Postgres (skipped with the setup's printed reason when there is none) —
 * read, update, version bumped; two readers, the second writer gets `VersionConflictError`; a
 * deleted row; a missing or ill-typed version column; a key that is not unique.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { isRetryable } from "../../../../runtime/errors.js";
import { ResourceError, VersionConflictError } from "../../../../runtime/resources/errors.js";
import type { PostgresHandle, RunInfo, SqliteHandle, VersionedUpdateOptions, VersionOptions } from "../../../../runtime/resources/handles.js";
import { createPostgresProvider } from "../../../../runtime/resources/providers/postgres.js";
import { createSqliteProvider } from "../../../../runtime/resources/providers/sqlite.js";
import { SqlShapeError } from "../../../../runtime/resources/providers/sql.js";
import { nextVersion, planGetVersioned, planInsertVersioned, planUpdateVersioned, versionOf } from "../../../../runtime/resources/providers/versioned.js";

const pgUrl = inject("pgUrl");

describe("versioned statements", () => {
  it("selects the row of a key, asking for two rows to see a key that is not unique", () => {
    expect(planGetVersioned("sqlite", "orders", { id: 7 })).toEqual({ sql: 'SELECT * FROM "orders" WHERE "id" = ? LIMIT 2', params: [7], paramColumns: ["id"] });
    expect(planGetVersioned("postgres", "shop.orders", { region: "eu", id: 7 }).sql).toBe('SELECT * FROM "shop"."orders" WHERE "region" = $1 AND "id" = $2 LIMIT 2');
    expect(() => planGetVersioned("sqlite", "orders", {})).toThrow(SqlShapeError);
    expect(() => planGetVersioned("sqlite", "orders", { id: null })).toThrow("key column `id` is null; NULL matches no row");
  });

  it("updates the other fields and bumps the version where the stored version is the row's and the key names one row", () => {
    const sqlite = planUpdateVersioned("sqlite", "orders", { id: 7, qty: 2, note: "x", version: 3 }, { key: ["id"] });
    expect(sqlite.sql).toBe(
      'UPDATE "orders" SET "qty" = ?, "note" = ?, "version" = "version" + 1 WHERE "id" = ? AND "version" = ? AND (SELECT count(*) FROM "orders" WHERE "id" = ?) = 1',
    );
    expect(sqlite.params).toEqual([2, "x", 7, 3, 7]);
    expect(sqlite.paramColumns).toEqual(["qty", "note", "id", "version", "id"]);
    expect(sqlite.expected).toBe(3);
    expect(sqlite.key).toEqual({ id: 7 });
    expect(sqlite.currentVersion.sql).toBe('SELECT "version" FROM "orders" WHERE "id" = ? LIMIT 2');
    const postgres = planUpdateVersioned("postgres", "orders", { id: 7, qty: 2, note: "x", rev: 3 }, { key: ["id"], versionColumn: "rev", columns: ["qty"] });
    expect(postgres.sql).toBe('UPDATE "orders" SET "qty" = $1, "rev" = "rev" + 1 WHERE "id" = $2 AND "rev" = $3 AND (SELECT count(*) FROM "orders" WHERE "id" = $2) = 1');
    expect(postgres.params).toEqual([2, 7, 3]);
    expect(postgres.currentVersion.sql).toBe('SELECT "rev" FROM "orders" WHERE "id" = $1 LIMIT 2');
  });

  it("refuses rows and options it cannot turn into a safe update", () => {
    const row = { id: 7, qty: 2, version: 3 };
    const refusal = (r: object, options: VersionedUpdateOptions) => () => planUpdateVersioned("sqlite", "orders", r, options);
    expect(refusal(row, { key: [] })).toThrow('updateVersioned needs at least one key column (`{ key: ["id"] }`)');
    expect(refusal(row, { key: ["sku"] })).toThrow("the row has no key column `sku`");
    expect(refusal(row, { key: ["id", "id"] })).toThrow("key column `id` is named twice");
    expect(refusal(row, { key: ["version"] })).toThrow("the version column `version` cannot be part of the key");
    expect(refusal(row, { key: ["id"], columns: ["version"] })).toThrow("`columns` names the version column `version`, which updateVersioned sets itself");
    expect(refusal(row, { key: ["id"], columns: ["id"] })).toThrow("`columns` names the key column `id`; the key identifies the row and is not updated");
    expect(refusal(row, { key: ["id"], columns: ["price"] })).toThrow("`columns` names `price`, which the row does not have");
    expect(refusal({ id: 7, qty: 2 }, { key: ["id"] })).toThrow(
      "the row has no `version` column (its columns: `id`, `qty`); a versioned row carries its version in an integer column (name yours with `{ versionColumn }`)",
    );
    expect(refusal({ id: 7, version: 1.5 }, { key: ["id"] })).toThrow("the row has `version` = 1.5, expected an integer version");
    expect(refusal({ id: 7, version: null }, { key: ["id"] })).toThrow("the row has `version` = NULL, expected an integer version");
    expect(refusal({ id: 7, version: "two" }, { key: ["id"] })).toThrow('the row has `version` = "two", expected an integer version');
    expect(refusal(Object.freeze({ id: 7, version: 1 }), { key: ["id"] })).toThrow("the row object is read-only (`version` cannot be set)");
    expect(refusal(row, { key: ["id"], versionColumn: "" })).toThrow("version column name is empty");
  });

  it("keeps a version's representation when it counts up (pg returns int8 as text)", () => {
    expect(nextVersion(3)).toBe(4);
    expect(nextVersion(9_007_199_254_740_993n)).toBe(9_007_199_254_740_994n);
    expect(nextVersion("9007199254740993")).toBe("9007199254740994");
    expect(versionOf({ version: "12" }, "version", "the row")).toBe("12");
  });

  it("inserts every field of the row with version 1", () => {
    const plan = planInsertVersioned("postgres", "orders", { id: 7, doc: { a: 1 }, version: 9 }, undefined);
    expect(plan.sql).toBe('INSERT INTO "orders" ("id", "doc", "version") VALUES ($1, $2, $3)');
    expect(plan.params).toEqual([7, { a: 1 }, 1]);
  });
});

/** One handle as the scenarios use it: the sqlite handle's answers wrapped in promises. */
interface VersionedDb {
  exec(sql: string): Promise<void>;
  getVersioned(table: string, key: Record<string, unknown>, options?: VersionOptions): Promise<Record<string, unknown> | undefined>;
  updateVersioned(table: string, row: object, options: VersionedUpdateOptions): Promise<RunInfo>;
  insertVersioned(table: string, row: object, options?: VersionOptions): Promise<RunInfo>;
  one(sql: string): Promise<Record<string, unknown> | undefined>;
}

function fromSqlite(handle: SqliteHandle): VersionedDb {
  return {
    exec: async (sql) => void handle.db.exec(sql),
    getVersioned: async (table, key, options) => handle.getVersioned(table, key, options),
    updateVersioned: async (table, row, options) => handle.updateVersioned(table, row, options),
    insertVersioned: async (table, row, options) => handle.insertVersioned(table, row, options),
    one: async (sql) => handle.get(sql),
  };
}

function fromPostgres(handle: PostgresHandle): VersionedDb {
  return {
    exec: async (sql) => void (await handle.run(sql)),
    getVersioned: (table, key, options) => handle.getVersioned(table, key, options),
    updateVersioned: (table, row, options) => handle.updateVersioned(table, row, options),
    insertVersioned: (table, row, options) => handle.insertVersioned(table, row, options),
    one: (sql) => handle.get(sql),
  };
}

/** The rejection of a promise (fails the test when it resolves). */
async function rejection<E = Error>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error("expected a rejection");
}

/** The scenarios, against two handles (two connections) of one database. */
function scenarios(dialect: "sqlite" | "postgres", connect: () => Promise<[VersionedDb, VersionedDb]>): void {
  const tableName = (): string => `orders_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const docType = dialect === "sqlite" ? "text" : "jsonb";

  /** A fresh `orders` table with a versioned row id 7 (qty 1, version 1). */
  async function seeded(): Promise<{ a: VersionedDb; b: VersionedDb; orders: string }> {
    const [a, b] = await connect();
    const orders = tableName();
    await a.exec(`create table ${orders} (id integer primary key, item text not null, qty integer not null, doc ${docType}, version integer not null)`);
    const row = { id: 7, item: "pen", qty: 1, doc: { tags: ["blue"] } };
    expect(await a.insertVersioned(orders, row)).toMatchObject({ changes: 1 });
    expect(row).toMatchObject({ version: 1 }); // the object passed in carries its version
    return { a, b, orders };
  }

  it("reads a row with its version, updates it, and bumps the version in the database and on the row", async () => {
    const { a, orders } = await seeded();
    const row = await a.getVersioned(orders, { id: 7 });
    const doc = dialect === "sqlite" ? '{"tags":["blue"]}' : { tags: ["blue"] };
    expect(row).toEqual({ id: 7, item: "pen", qty: 1, doc, version: 1 });
    if (row === undefined) return;
    row["qty"] = 2;
    row["doc"] = { tags: ["red", "green"] };
    expect(await a.updateVersioned(orders, row, { key: ["id"] })).toEqual({ changes: 1, lastInsertRowid: null });
    expect(row["version"]).toBe(2);
    const stored = await a.getVersioned(orders, { id: 7 });
    expect(stored).toMatchObject({ qty: 2, version: 2 });
    expect(dialect === "sqlite" ? JSON.parse(String(stored?.["doc"])) : stored?.["doc"]).toEqual({ tags: ["red", "green"] });
    expect(await a.getVersioned(orders, { id: 8 })).toBeUndefined();
  });

  it("two readers, both update: the second writer gets VersionConflictError and writes nothing", async () => {
    const { a, b, orders } = await seeded();
    const first = (await a.getVersioned(orders, { id: 7 })) ?? {};
    const second = (await b.getVersioned(orders, { id: 7 })) ?? {};
    first["qty"] = 5;
    second["qty"] = 9;
    await a.updateVersioned(orders, first, { key: ["id"], columns: ["qty"] });
    const conflict = await rejection<VersionConflictError>(b.updateVersioned(orders, second, { key: ["id"], columns: ["qty"] }));
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect(conflict.message).toBe(
      `resource \`db\`: optimistic lock conflict on \`${orders}\` (id=7): expected version 1, found 2 — another writer changed the row since it was read`,
    );
    expect(conflict).toMatchObject({ code: "FSMR0029", resource: "db", table: orders, key: { id: 7 }, expected: 1, found: 2, retryable: false });
    expect(isRetryable(conflict)).toBe(false);
    expect(second["version"]).toBe(1); // a refused write leaves the row object as it was
    expect(await a.one(`select qty, version from ${orders} where id = 7`)).toEqual({ qty: 5, version: 2 });
    // Read again, apply again: the fresh version wins.
    const fresh = (await b.getVersioned(orders, { id: 7 })) ?? {};
    fresh["qty"] = Number(fresh["qty"]) + 4;
    await b.updateVersioned(orders, fresh, { key: ["id"], columns: ["qty"] });
    expect(await a.one(`select qty, version from ${orders} where id = 7`)).toEqual({ qty: 9, version: 3 });
  });

  it("a row deleted since it was read: the conflict says so", async () => {
    const { a, b, orders } = await seeded();
    const row = (await a.getVersioned(orders, { id: 7 })) ?? {};
    await b.exec(`delete from ${orders} where id = 7`);
    row["qty"] = 3;
    const conflict = await rejection<VersionConflictError>(a.updateVersioned(orders, row, { key: ["id"] }));
    expect(conflict.message).toBe(
      `resource \`db\`: optimistic lock conflict on \`${orders}\` (id=7): expected version 1, but the row was deleted — another writer deleted it since it was read`,
    );
    expect(conflict.found).toBeNull();
    expect(await a.one(`select count(*) as n from ${orders}`)).toEqual({ n: dialect === "sqlite" ? 0 : "0" });
  });

  it("a missing or ill-typed version column is a clear error; `versionColumn` names another", async () => {
    const [a] = await connect();
    const plain = tableName();
    await a.exec(`create table ${plain} (id integer primary key, name text, version text)`);
    await a.exec(`insert into ${plain} (id, name, version) values (1, 'x', 'v1')`);
    const illTyped = await rejection<ResourceError>(a.getVersioned(plain, { id: 1 }));
    expect(illTyped).toBeInstanceOf(ResourceError);
    expect(illTyped.message).toBe(`resource \`db\`: getVersioned from \`${plain}\`: the stored row has \`version\` = "v1", expected an integer version`);
    const missing = await rejection<ResourceError>(a.getVersioned(plain, { id: 1 }, { versionColumn: "rev" }));
    expect(missing.message).toBe(
      `resource \`db\`: getVersioned from \`${plain}\`: the stored row has no \`rev\` column (its columns: \`id\`, \`name\`, \`version\`); ` +
        "a versioned row carries its version in an integer column (name yours with `{ versionColumn }`)",
    );
    const noVersion = await rejection<ResourceError>(a.updateVersioned(plain, { id: 1, name: "y" }, { key: ["id"] }));
    expect(noVersion.message).toMatch(new RegExp(`^resource \`db\`: updateVersioned on \`${plain}\`: the row has no \`version\` column`));
    expect(await a.one(`select name from ${plain} where id = 1`)).toEqual({ name: "x" });

    const revs = tableName();
    await a.exec(`create table ${revs} (sku text primary key, price integer, rev integer not null)`);
    const item = { sku: "A-1", price: 10 };
    await a.insertVersioned(revs, item, { versionColumn: "rev" });
    expect(item).toEqual({ sku: "A-1", price: 10, rev: 1 });
    const read = (await a.getVersioned(revs, { sku: "A-1" }, { versionColumn: "rev" })) ?? {};
    read["price"] = 12;
    await a.updateVersioned(revs, read, { key: ["sku"], versionColumn: "rev" });
    expect(await a.one(`select price, rev from ${revs}`)).toEqual({ price: 12, rev: 2 });
    const stale = { sku: "A-1", price: 99, rev: 1 };
    expect((await rejection(a.updateVersioned(revs, stale, { key: ["sku"], versionColumn: "rev" }))).message).toContain(
      `optimistic lock conflict on \`${revs}\` (sku="A-1"): expected version 1, found 2`,
    );
  });

  it("a key that names more than one row is refused, and nothing is written", async () => {
    const [a] = await connect();
    const lines = tableName();
    await a.exec(`create table ${lines} (order_id integer, line integer, qty integer, version integer)`);
    await a.exec(`insert into ${lines} values (1, 1, 5, 1), (1, 2, 6, 1)`);
    const read = await rejection<ResourceError>(a.getVersioned(lines, { order_id: 1 }));
    expect(read.message).toBe(
      `resource \`db\`: getVersioned from \`${lines}\`: (order_id=1) matches more than one row of \`${lines}\`; a versioned row needs the columns of a primary or unique key`,
    );
    const write = await rejection<ResourceError>(a.updateVersioned(lines, { order_id: 1, qty: 0, version: 1 }, { key: ["order_id"] }));
    expect(write).not.toBeInstanceOf(VersionConflictError);
    expect(write.message).toContain("(order_id=1) matches more than one row");
    expect(await a.one(`select sum(qty) as total from ${lines}`)).toEqual({ total: dialect === "sqlite" ? 11 : "11" });
    expect(await a.getVersioned(lines, { order_id: 1, line: 2 })).toEqual({ order_id: 1, line: 2, qty: 6, version: 1 });
  });
}

describe("sqlite: versioned rows on a real database file", () => {
  const dir = mkdtempSync(join(tmpdir(), "fsmc-versioned-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const opened: { release(): void }[] = [];
  afterEach(() => {
    for (const entry of opened.splice(0)) entry.release();
  });
  let files = 0;

  /** Two handles (two connections) of one fresh database file. */
  function handles(): [SqliteHandle, SqliteHandle] {
    const provider = createSqliteProvider("db", { path: join(dir, `v-${++files}.db`) });
    const a = provider.acquire() as SqliteHandle;
    const b = provider.acquire() as SqliteHandle;
    opened.push({ release: () => [a, b].forEach((handle) => provider.release(handle)) });
    return [a, b];
  }

  scenarios("sqlite", async () => handles().map(fromSqlite) as [VersionedDb, VersionedDb]);

  it("answers synchronously, and a conflict inside transaction(fn) rolls back the transaction's other writes", () => {
    const [a, b] = handles();
    a.run("create table orders (id integer primary key, qty integer, version integer)");
    a.run("create table audit (note text)");
    const row: Record<string, unknown> = { id: 1, qty: 1 };
    a.insertVersioned("orders", row);
    const stale = { ...row };
    row["qty"] = 2;
    expect(a.updateVersioned("orders", row, { key: ["id"] }).changes).toBe(1);
    expect(() =>
      b.transaction((tx) => {
        tx.run("insert into audit values ('qty 5')");
        tx.updateVersioned("orders", { ...stale, qty: 5 }, { key: ["id"] });
      }),
    ).toThrow(VersionConflictError);
    expect(a.all("select * from audit")).toEqual([]);
    expect(a.get("select qty, version from orders")).toEqual({ qty: 2, version: 2 });
  });
});

describe.skipIf(!pgUrl)("postgres: versioned rows on a real server", () => {
  const url = pgUrl ?? "";
  const released: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const release of released.splice(0)) await release();
  });

  /** Two handles (two connections) of the test database, released after the test. */
  async function handles(config: Record<string, unknown> = { connection_string: url }): Promise<[PostgresHandle, PostgresHandle]> {
    const provider = createPostgresProvider("db", config);
    const a = await provider.acquire();
    const b = await provider.acquire();
    released.push(async () => {
      await provider.release(a);
      await provider.release(b);
    });
    return [a, b];
  }

  scenarios("postgres", async () => (await handles()).map(fromPostgres) as [VersionedDb, VersionedDb]);

  it("an int8 version comes back as text and counts up as text; arrays go to jsonb columns as JSON", async () => {
    const [a] = await handles();
    const table = `big_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
    await a.run(`create table ${table} (id int primary key, tags jsonb, version bigint not null)`);
    await a.insertVersioned(table, { id: 1, tags: ["a"] });
    const row = (await a.getVersioned(table, { id: 1 })) ?? {};
    expect(row).toEqual({ id: 1, tags: ["a"], version: "1" });
    row["tags"] = ["a", "b"];
    await a.updateVersioned(table, row, { key: ["id"] });
    expect(row["version"]).toBe("2");
    expect(await a.get(`select tags, version from ${table}`)).toEqual({ tags: ["a", "b"], version: "2" });
  });

  it("concurrent writers on open transactions: the one that waited on the row lock gets the conflict", async () => {
    const [a, b] = await handles();
    const table = `tx_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
    await a.run(`create table ${table} (id int primary key, qty int, version int not null)`);
    await a.insertVersioned(table, { id: 1, qty: 0 });
    const first = (await a.getVersioned(table, { id: 1 })) ?? {};
    const second = (await b.getVersioned(table, { id: 1 })) ?? {};
    await a.begin();
    await a.updateVersioned(table, { ...first, qty: 1 }, { key: ["id"] });
    // b's update waits on a's row lock (or arrives after the commit); either way it finds the version moved on.
    const waiting = rejection<VersionConflictError>(b.updateVersioned(table, { ...second, qty: 2 }, { key: ["id"] }));
    await a.commit();
    const conflict = await waiting;
    expect(conflict).toMatchObject({ code: "FSMR0029", expected: 1, found: 2 });
    expect(await a.get(`select qty, version from ${table}`)).toEqual({ qty: 1, version: 2 });
  });

  it("the conflict message carries no secret of the configuration", async () => {
    const secret = "Sup3r-Secret-Key-Value";
    const server = new URL(url);
    // The test server trusts `postgres`, so the password is never asked for.
    const [a] = await handles({ host: server.hostname, port: Number(server.port), user: "postgres", password: secret, database: server.pathname.slice(1) });
    const table = `s_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
    await a.run(`create table ${table} (code text primary key, version int not null)`);
    await a.insertVersioned(table, { code: secret });
    const conflict = await rejection(a.updateVersioned(table, { code: secret, version: 7 }, { key: ["code"] }));
    expect(conflict.message).toBe(`resource \`db\`: optimistic lock conflict on \`${table}\` (code="***"): expected version 7, found 1 — another writer changed the row since it was read`);
  });
});
