/**
 * The database builtins called directly (docs/builtins.md "Database functions"), on a real SQLite
 * file and on the real Postgres of the test setup (skipped, like the other Postgres tests, when
 * no server is available): what each returns, what the tables hold afterwards, and how failures
 * read. The context is the smallest one that lends the handle by name, as the engine's does;
 * test/integration/database-builtins.test.ts runs the same functions through compiled machines.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ResourceNotFoundError } from "../../../runtime/errors.js";
import { BuiltinInputError, BuiltinParamsError, DatabaseFunctionError } from "../../../runtime/functions/errors.js";
import { builtin } from "../../../runtime/functions/registry.js";
import { bindNamed, databaseFailure, namedPlaceholders } from "../../../runtime/functions/database-sql.js";
import { ResourceError } from "../../../runtime/resources/errors.js";
import type { PostgresHandle, SqliteHandle } from "../../../runtime/resources/handles.js";
import { createPostgresProvider } from "../../../runtime/resources/providers/postgres.js";
import { createSqliteProvider } from "../../../runtime/resources/providers/sqlite.js";
import type { ResourceProvider } from "../../../runtime/resources/types.js";
import { tempDir } from "../../support/cli.js";

const pgUrl = inject("pgUrl");

type Row = Record<string, unknown>;
type Fn = (data: unknown, ctx?: unknown) => unknown;

/** One database the tests run against, with the handle the context lends as `db`. */
interface Backend {
  readonly dialect: "sqlite" | "postgres";
  readonly handle: SqliteHandle | PostgresHandle;
  /** `?` or `$n`: the positional placeholder number `n`. */
  positional(n: number): string;
  close(): Promise<void>;
}

/** The function context as the engine gives it, reduced to what the builtins use: `db` is declared. */
function ctxOf(backend: Backend): unknown {
  return {
    require_resource(name: string): unknown {
      if (name === "db") return backend.handle;
      throw new ResourceNotFoundError(name);
    },
  };
}

async function sqliteBackend(path: string): Promise<Backend> {
  const provider = createSqliteProvider("db", { path });
  const handle = await provider.acquire();
  const close = async (): Promise<void> => {
    await provider.release(handle);
    await provider.close?.();
  };
  return { dialect: "sqlite", handle, positional: () => "?", close };
}

async function postgresBackend(url: string): Promise<Backend> {
  const provider: ResourceProvider<PostgresHandle> = createPostgresProvider("db", { connection_string: url });
  const handle = await provider.acquire();
  return { dialect: "postgres", handle, positional: (n) => `$${n}`, close: () => Promise.resolve(provider.release(handle)) };
}

const backends: readonly (readonly [string, boolean])[] = [
  ["sqlite", true],
  ["postgres", pgUrl !== undefined && pgUrl !== ""],
];

describe("named placeholders", () => {
  it("finds :name, @name and $name, skipping strings, quoted names, comments, casts and dollar quotes", () => {
    const sql = `select ':no', "@no", $$ :no $$, $tag$ @no $tag$, x::int, -- :no\n /* @no */ :a, @b, $c, :a, ? , $1`;
    const found = namedPlaceholders(sql);
    expect(found.named.map((p) => p.name)).toEqual(["a", "b", "c", "a"]);
    expect(found.positional).toBe(true);
  });

  it("numbers the names for Postgres, one number per name, and keeps them for SQLite", () => {
    expect(bindNamed("postgres", "select :a, @b, :a::text", { a: 1, b: 2, c: 3 })).toEqual({ sql: "select $1, $2, $1::text", params: [1, 2] });
    expect(bindNamed("sqlite", "select :a, @b", { a: 1, b: 2, c: 3 })).toEqual({ sql: "select :a, @b", params: { a: 1, b: 2 } });
    expect(bindNamed("sqlite", "select 1", { a: 1 })).toEqual({ sql: "select 1", params: undefined });
    expect(bindNamed("postgres", "select :a, :b", { a: 1 })).toEqual({ missing: ["b"] });
    expect(bindNamed("postgres", "select :a, $1", { a: 1 })).toEqual({ mixed: true });
  });
});

describe("the summary of a failure", () => {
  it("takes the innermost error's class, code and first line; scrubs values, redacts secrets; keeps retryable", () => {
    const driver = Object.assign(new Error("could not reach postgres://app:hunter22@db.internal/x for row 'A-12345'\nDETAIL: more"), { code: "ECONNRESET" });
    const wrapped = new ResourceError("db", "connection lost", { retryable: true, cause: driver });
    expect(databaseFailure(wrapped, [{ sku: "A-12345" }])).toEqual({
      errorType: "Error",
      sqlCode: "ECONNRESET",
      detail: "could not reach postgres://app:***@db.internal/x for row '***'",
      retryable: true,
    });
    const error = new DatabaseFunctionError("database.upsert", "Upsert", databaseFailure(wrapped, []), { cause: wrapped });
    expect(error.message).toBe("Upsert failed (Error ECONNRESET: could not reach postgres://app:***@db.internal/x for row 'A-12345')");
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(wrapped);
    expect(databaseFailure(new ResourceError("db", "this handle was released"), undefined)).toEqual({
      errorType: "ResourceError",
      sqlCode: "FSMR0020",
      detail: "resource `db`: this handle was released",
      retryable: false,
    });
  });
});

describe("database builtins: params", () => {
  it("are checked when the machine is built", () => {
    expect(() => builtin("database.fetch", { query: "select 1" })).toThrow("param `resource` is required");
    expect(() => builtin("database.upsert", { resource: "db", table: "t", key_columns: ["id"], on_conflict: "replace" })).toThrow(
      'param `on_conflict` must be one of "update", "ignore", "error", got "replace"',
    );
    expect(() => builtin("database.fetch", { resource: "db", query: "select 1", fetch_one: "yes" })).toThrow("param `fetch_one` must be true or false, got string");
    expect(() => builtin("database.bulk_insert", { resource: "db", table: "t", chunk_size: 0 })).toThrow("param `chunk_size` must be a whole number > 0, got 0");
    expect(() => builtin("database.batch_commit", { resource: "db", table: "t", batch_size: 2.5 })).toThrow("param `batch_size` must be a whole number > 0, got 2.5");
    expect(() => builtin("database.bulk_insert", { resource: "db", table: "t", on_duplicate: "ignore" })).toThrow(
      'param `key_columns` is required with on_duplicate "ignore"',
    );
    expect(() => builtin("database.batch_commit", { resource: "db", table: "t", atomicity: "best_effort", use_transaction: true })).toThrow(BuiltinParamsError);
    expect(() => builtin("database.transaction", { resource: "db", action: "savepoint" })).toThrow('param `savepoint` is required with action "savepoint"');
    expect(() => builtin("database.transaction", { resource: "db", action: "commit", savepoint: "x" })).toThrow(BuiltinParamsError);
  });

  it("need the function context, and a SQL resource in it", () => {
    const fetch = builtin("database.fetch", { resource: "db", query: "select 1" }) as Fn;
    expect(() => fetch({})).toThrow(BuiltinInputError);
    const notSql = { require_resource: () => ({ get: () => undefined }) };
    expect(() => fetch({}, notSql)).toThrow("param `resource` names `db`, which is not a SQL database");
    const other = builtin("database.fetch", { resource: "elsewhere", query: "select 1" }) as Fn;
    expect(() => other({}, { require_resource: (n: string) => { throw new ResourceNotFoundError(n); } })).toThrow(
      "Resource 'elsewhere' not found in context.resources",
    );
  });
});

for (const [dialect, available] of backends) {
  describe.skipIf(!available)(`database builtins on ${dialect}`, () => {
    let backend: Backend;
    let ctx: unknown;
    let cleanup = () => {};

    beforeAll(async () => {
      if (dialect === "sqlite") {
        const temp = tempDir("fsmc-dbfn-");
        cleanup = temp.cleanup;
        backend = await sqliteBackend(join(temp.dir, "test.db"));
      } else {
        backend = await postgresBackend(pgUrl ?? "");
      }
      ctx = ctxOf(backend);
    });
    afterAll(async () => {
      await backend.close();
      cleanup();
    });

    /** Calls a builtin as the engine does; SQLite answers synchronously, Postgres with a promise (when there is database work). */
    async function call(name: string, params: Record<string, unknown>, data: unknown, touchesDatabase = true): Promise<Row> {
      const answer = (builtin(name, params) as Fn)(data, ctx);
      const promised = dialect === "postgres" && touchesDatabase;
      expect(answer instanceof Promise, `${name} answers ${promised ? "with a promise" : "synchronously"}`).toBe(promised);
      return (await answer) as Row;
    }

    async function failure(name: string, params: Record<string, unknown>, data: unknown): Promise<Error> {
      try {
        await call(name, params, data);
      } catch (error) {
        return error as Error;
      }
      throw new Error(`${name} did not fail`);
    }

    /** A fresh `items` table: id (key), name (not null), qty. */
    async function itemsTable(): Promise<string> {
      const name = `items_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
      await backend.handle.run(`create table ${name} (id integer primary key, name text not null, qty integer check (qty is null or qty >= 0))`);
      return name;
    }

    async function contents(table: string): Promise<Row[]> {
      return await backend.handle.all(`select id, name, qty from ${table} order by id`);
    }

    describe("database.fetch", () => {
      it("runs a string query with `params` and the record's `param_*` fields (prefix stripped, winning); adds `records`", async () => {
        const t = await itemsTable();
        await backend.handle.run(`insert into ${t} (id, name, qty) values (1, 'apple', 3), (2, 'pear', 5), (3, 'fig', 9)`);
        const params = { resource: "db", query: `select id, name from ${t} where qty >= :min and qty <= :max order by id`, params: { min: 0, max: 100 } };
        const out = await call("database.fetch", params, { param_min: 4, other: "kept" });
        expect(out).toEqual({ param_min: 4, other: "kept", records: [{ id: 2, name: "pear" }, { id: 3, name: "fig" }] });
        expect(await call("database.fetch", params, { param_max: 4 })).toEqual({ param_max: 4, records: [{ id: 1, name: "apple" }] });
      });

      it("fetch_one adds `record`: the first row, or null", async () => {
        const t = await itemsTable();
        await backend.handle.run(`insert into ${t} (id, name, qty) values (7, 'kiwi', 1)`);
        const params = { resource: "db", query: `select name, qty from ${t} where id = :id`, fetch_one: true };
        expect(await call("database.fetch", params, { param_id: 7 })).toEqual({ param_id: 7, record: { name: "kiwi", qty: 1 } });
        expect(await call("database.fetch", params, { param_id: 8 })).toEqual({ param_id: 8, record: null });
      });

      it("a parameter without a value is the record's problem (FSMR0012), named with both ways to give it", async () => {
        const error = await failure("database.fetch", { resource: "db", query: "select :id as x" }, {});
        expect(error).toBeInstanceOf(BuiltinInputError);
        expect(error.message).toBe("Built-in function `database.fetch`: query parameter `id` has no value (give it in `params` or as the record field `param_id`)");
      });

      it("a failing statement is `Fetch failed (<ErrorType> <code>: …)` without the statement", async () => {
        const error = await failure("database.fetch", { resource: "db", query: "select * from no_such_table_here where id = :id" }, { param_id: 1 });
        expect(error).toBeInstanceOf(DatabaseFunctionError);
        expect((error as DatabaseFunctionError).code).toBe("FSMR0013");
        expect(error.message).toMatch(dialect === "sqlite" ? /^Fetch failed \(SqliteError SQLITE_ERROR: no such table: no_such_table_here\)$/ : /^Fetch failed \(DatabaseError 42P01: relation "no_such_table_here" does not exist\)$/);
        expect(error.message).not.toContain("select");
      });
    });

    describe("database.query", () => {
      it("runs the record's SQL with positional or named params; a write gives no rows and is done", async () => {
        const t = await itemsTable();
        const query = { resource: "db" };
        expect(await call("database.query", query, { query: `insert into ${t} (id, name, qty) values (:id, :name, 2)`, params: { id: 1, name: "plum" } })).toMatchObject({ result: [] });
        const read = await call("database.query", query, { query: `select name from ${t} where id = ${backend.positional(1)}`, params: [1] });
        expect(read).toEqual({ query: `select name from ${t} where id = ${backend.positional(1)}`, params: [1], result: [{ name: "plum" }] });
        const custom = { resource: "db", query_field: "sql", params_field: "args", result_field: "rows" };
        expect(await call("database.query", custom, { sql: `select id, qty from ${t}` })).toEqual({ sql: `select id, qty from ${t}`, rows: [{ id: 1, qty: 2 }] });
      });

      it("a missing query field is \"Query field 'query' not found\"", async () => {
        expect((await failure("database.query", { resource: "db" }, { sql: "select 1" })).message).toBe(
          "Built-in function `database.query`: Query field 'query' not found",
        );
        expect((await failure("database.query", { resource: "db", query_field: "sql" }, {})).message).toContain("Query field 'sql' not found");
        expect((await failure("database.query", { resource: "db" }, { query: "select 1", params: "x" })).message).toContain("Params field 'params' must be an array or an object");
      });
    });

    describe("database.upsert", () => {
      it("on_conflict update (default): inserts new keys, updates stored ones; rows from `records`", async () => {
        const t = await itemsTable();
        await backend.handle.run(`insert into ${t} (id, name, qty) values (1, 'old', 1)`);
        const records = [{ id: 1, name: "new", qty: 5 }, { id: 2, name: "two", qty: 2 }];
        const out = await call("database.upsert", { resource: "db", table: t, key_columns: ["id"] }, { records, batch: 7 });
        expect(out).toEqual({ records, batch: 7, upserted_count: 2 });
        expect(await contents(t)).toEqual([{ id: 1, name: "new", qty: 5 }, { id: 2, name: "two", qty: 2 }]);
      });

      it("on_conflict ignore keeps the stored row and counts only what it wrote; rows from `record`, else the record itself", async () => {
        const t = await itemsTable();
        await backend.handle.run(`insert into ${t} (id, name, qty) values (1, 'kept', 1)`);
        const params = { resource: "db", table: t, key_columns: ["id"], on_conflict: "ignore" };
        expect(await call("database.upsert", params, { record: { id: 1, name: "lost", qty: 9 } })).toMatchObject({ upserted_count: 0 });
        expect(await call("database.upsert", params, { id: 3, name: "three", qty: 3 })).toEqual({ id: 3, name: "three", qty: 3, upserted_count: 1 });
        expect(await contents(t)).toEqual([{ id: 1, name: "kept", qty: 1 }, { id: 3, name: "three", qty: 3 }]);
      });

      it("value_columns limits what is written (other fields of the record stay out)", async () => {
        const t = await itemsTable();
        const params = { resource: "db", table: t, key_columns: ["id"], value_columns: ["name"] };
        expect(await call("database.upsert", params, { id: 4, name: "four", qty: 44, note: "not a column" })).toMatchObject({ upserted_count: 1 });
        expect(await contents(t)).toEqual([{ id: 4, name: "four", qty: null }]);
      });

      it("on_conflict error fails on a stored key, writing none of the rows", async () => {
        const t = await itemsTable();
        await backend.handle.run(`insert into ${t} (id, name, qty) values (2, 'stored', 1)`);
        const error = await failure("database.upsert", { resource: "db", table: t, key_columns: ["id"], on_conflict: "error" }, {
          records: [{ id: 1, name: "one", qty: 1 }, { id: 2, name: "clash", qty: 1 }],
        });
        expect(error).toBeInstanceOf(DatabaseFunctionError);
        expect(error.message).toBe(
          dialect === "sqlite"
            ? `Upsert failed (SqliteError SQLITE_CONSTRAINT_PRIMARYKEY: UNIQUE constraint failed: ${t}.id)`
            : `Upsert failed (DatabaseError 23505: duplicate key value violates unique constraint "${t}_pkey")`,
        );
        expect(await contents(t)).toEqual([{ id: 2, name: "stored", qty: 1 }]);
      });

      it("a row without a key value is refused before anything is written", async () => {
        const t = await itemsTable();
        const error = await failure("database.upsert", { resource: "db", table: t, key_columns: ["id"] }, { records: [{ id: 1, name: "a" }, { name: "no id" }] });
        expect(error.message).toBe("Built-in function `database.upsert`: row 1 has no value for the key column `id`");
        expect(await contents(t)).toEqual([]);
      });

      it.skipIf(dialect !== "postgres")("never relays a value from the driver's message", async () => {
        const t = await itemsTable();
        const error = await failure("database.upsert", { resource: "db", table: t, key_columns: ["id"] }, { id: 1, name: "x", qty: "s3cret-value-42" });
        expect(error.message).toBe('Upsert failed (DatabaseError 22P02: invalid input syntax for type integer: "***")');
        expect(error.message).not.toContain("s3cret");
      });
    });

    describe("database.bulk_insert", () => {
      it("inserts `records` in chunks; `columns` picks the fields (a missing one is NULL)", async () => {
        const t = await itemsTable();
        const records = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `n${i + 1}`, qty: i, extra: "x" }));
        const out = await call("database.bulk_insert", { resource: "db", table: t, chunk_size: 2, columns: ["id", "name"] }, { records });
        expect(out["inserted_count"]).toBe(5);
        expect(await contents(t)).toEqual(records.map(({ id, name }) => ({ id, name, qty: null })));
      });

      it("on_duplicate error (default): one duplicate and no chunk is written (one transaction)", async () => {
        const t = await itemsTable();
        await backend.handle.run(`insert into ${t} (id, name, qty) values (5, 'stored', 1)`);
        const records = Array.from({ length: 6 }, (_, i) => ({ id: i + 1, name: `n${i + 1}`, qty: 1 }));
        const error = await failure("database.bulk_insert", { resource: "db", table: t, chunk_size: 2 }, { records });
        expect(error.message).toMatch(/^Bulk insert failed \((SqliteError SQLITE_CONSTRAINT_PRIMARYKEY|DatabaseError 23505): /);
        expect(await contents(t)).toEqual([{ id: 5, name: "stored", qty: 1 }]);
      });

      it("on_duplicate ignore and update, on key_columns", async () => {
        const t = await itemsTable();
        await backend.handle.run(`insert into ${t} (id, name, qty) values (1, 'stored', 1)`);
        const records = [{ id: 1, name: "again", qty: 2 }, { id: 2, name: "two", qty: 2 }];
        expect(await call("database.bulk_insert", { resource: "db", table: t, on_duplicate: "ignore", key_columns: ["id"] }, { records })).toMatchObject({ inserted_count: 1 });
        expect(await contents(t)).toEqual([{ id: 1, name: "stored", qty: 1 }, { id: 2, name: "two", qty: 2 }]);
        expect(await call("database.bulk_insert", { resource: "db", table: t, on_duplicate: "update", key_columns: ["id"] }, { records })).toMatchObject({ inserted_count: 2 });
        expect(await contents(t)).toEqual([{ id: 1, name: "again", qty: 2 }, { id: 2, name: "two", qty: 2 }]);
      });
    });

    describe("database.batch_commit", () => {
      const batch = (ids: readonly number[]) => ids.map((id) => ({ id, name: `n${id}`, qty: id === 5 ? -1 : id }));

      it("commits `batch`, adds committed_count and empties it", async () => {
        const t = await itemsTable();
        const out = await call("database.batch_commit", { resource: "db", table: t, batch_size: 2 }, { batch: batch([1, 2, 3]), run: "a" });
        expect(out).toEqual({ batch: [], run: "a", committed_count: 3 });
        expect((await contents(t)).map((r) => r["id"])).toEqual([1, 2, 3]);
        // Nothing to commit: no statement, so an answer at once on either database.
        expect(await call("database.batch_commit", { resource: "db", table: t }, { batch: [] }, false)).toEqual({ batch: [], committed_count: 0 });
        expect(await call("database.batch_commit", { resource: "db", table: t }, { other: 1 }, false)).toEqual({ other: 1, batch: [], committed_count: 0 });
      });

      it("require (default) rolls the whole batch back on a bad row, whatever the chunk", async () => {
        const t = await itemsTable();
        const error = await failure("database.batch_commit", { resource: "db", table: t, batch_size: 2 }, { batch: batch([1, 2, 3, 4, 5, 6]) });
        expect(error.message).toMatch(/^Batch commit failed \((SqliteError SQLITE_CONSTRAINT_CHECK: CHECK constraint failed|DatabaseError 23514: new row for relation)/);
        expect(error.message).not.toContain("were committed");
        expect(await contents(t)).toEqual([]);
        const legacy = await failure("database.batch_commit", { resource: "db", table: t, batch_size: 2, use_transaction: true }, { batch: batch([1, 5]) });
        expect(legacy).toBeInstanceOf(DatabaseFunctionError);
        expect(await contents(t)).toEqual([]);
      });

      it("best_effort keeps the chunks before the failing one and says how many were committed", async () => {
        const t = await itemsTable();
        const error = await failure("database.batch_commit", { resource: "db", table: t, batch_size: 2, atomicity: "best_effort" }, { batch: batch([1, 2, 3, 4, 5, 6]) });
        expect(error).toBeInstanceOf(DatabaseFunctionError);
        expect(error.message).toMatch(/^Batch commit failed \(.*\); 2 of 3 chunks \(4 rows\) were committed before it$/);
        expect((error as DatabaseFunctionError).committed).toEqual({ chunks: 2, ofChunks: 3, rows: 4 });
        expect((await contents(t)).map((r) => r["id"])).toEqual([1, 2, 3, 4]);
        const legacy = await failure("database.batch_commit", { resource: "db", table: t, batch_size: 1, use_transaction: false }, { batch: batch([7, 5, 8]) });
        expect(legacy.message).toContain("1 of 3 chunks (1 rows) were committed");
        expect((await contents(t)).map((r) => r["id"])).toEqual([1, 2, 3, 4, 7]);
      });

      it("with key_columns, rows already stored are updated", async () => {
        const t = await itemsTable();
        await backend.handle.run(`insert into ${t} (id, name, qty) values (1, 'old', 1)`);
        const out = await call("database.batch_commit", { resource: "db", table: t, key_columns: ["id"] }, { batch: batch([1, 2]) });
        expect(out["committed_count"]).toBe(2);
        expect(await contents(t)).toEqual([{ id: 1, name: "n1", qty: 1 }, { id: 2, name: "n2", qty: 2 }]);
      });

      it("a `batch` that is not an array of objects is the record's problem", async () => {
        const t = await itemsTable();
        expect((await failure("database.batch_commit", { resource: "db", table: t }, { batch: "rows" })).message).toContain("`batch` must be an array of objects, got string");
        expect((await failure("database.batch_commit", { resource: "db", table: t }, { batch: [{ id: 1, name: "a" }, 3] })).message).toContain("`batch` item 1 must be an object, got number");
      });
    });
  });
}
