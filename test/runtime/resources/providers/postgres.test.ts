import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterEach, describe, expect, inject, it } from "vitest";
import { ResourceConfigError, ResourceError } from "../../../../runtime/resources/errors.js";
import type { PostgresHandle } from "../../../../runtime/resources/handles.js";
import { createPostgresProvider, isRetryablePostgresError, POSTGRES_KEYS } from "../../../../runtime/resources/providers/postgres.js";
import type { ResourceProvider } from "../../../../runtime/resources/types.js";
import { PASSWORD_ROLE } from "../../../support/services.js";

const url = inject("pgUrl");
const SECRET = "Sup3r-Secret-Pw";

describe("postgres provider: configuration", () => {
  it("is an asynchronous provider of kind postgres and lists its keys", () => {
    const provider = createPostgresProvider("pg", { connection_string: "postgres://u@127.0.0.1/db" });
    expect(provider.kind).toBe("postgres");
    expect(provider.sync).toBe(false);
    expect(POSTGRES_KEYS).toEqual(["connection_string", "host", "port", "user", "password", "database", "ssl", "statement_timeout", "application_name"]);
  });

  it("suggests the nearest key for an unknown one", () => {
    expect(() => createPostgresProvider("pg", { conection_string: "postgres://x" })).toThrow(ResourceConfigError);
    expect(() => createPostgresProvider("pg", { conection_string: "postgres://x" })).toThrow(
      "resource `pg`: unknown postgres key `conection_string`; did you mean `connection_string`?",
    );
    expect(() => createPostgresProvider("pg", { host: "h", pasword: SECRET })).toThrow(/did you mean `password`\?/);
  });

  it("refuses keys of the wrong type without echoing secrets", () => {
    expect(() => createPostgresProvider("pg", { host: "h", port: "abc" })).toThrow(/`port` must be a number/);
    expect(() => createPostgresProvider("pg", { host: "h", port: 70_000 })).toThrow(/`port` must be at most 65535/);
    expect(() => createPostgresProvider("pg", { host: "h", ssl: 1 })).toThrow("resource `pg`: `ssl` must be true, false or an object of TLS options, got a number");
    expect(() => createPostgresProvider("pg", { host: "h", statement_timeout: 0 })).toThrow(/`statement_timeout` must be greater than 0/);
    const wrongType = (() => {
      try {
        createPostgresProvider("pg", { host: "h", password: 12345678 });
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    expect(wrongType?.message).toBe("resource `pg`: `password` must be a string, got a number");
  });

  it("needs a connection string or a host, not both", () => {
    expect(() => createPostgresProvider("pg", {})).toThrow("resource `pg`: `connection_string` (or `host`) is required");
    expect(() => createPostgresProvider("pg", { connection_string: `postgres://u:${SECRET}@h/db`, password: SECRET })).toThrow(
      /give `connection_string` or `host`\/`port`\/`user`\/`password`\/`database`, not both \(found `password`\)/,
    );
    expect(() => createPostgresProvider("pg", { host: "h", port: "5432", ssl: "false", statement_timeout: "1.5" })).not.toThrow();
  });

  it("classifies retryable errors", () => {
    expect(isRetryablePostgresError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isRetryablePostgresError(Object.assign(new Error("x"), { code: "57P01" }))).toBe(true);
    expect(isRetryablePostgresError(Object.assign(new Error("x"), { code: "08006" }))).toBe(true);
    expect(isRetryablePostgresError(Object.assign(new Error("x"), { code: "40001" }))).toBe(true);
    expect(isRetryablePostgresError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isRetryablePostgresError(new AggregateError([Object.assign(new Error("a"), { code: "ECONNREFUSED" })], ""))).toBe(true);
    expect(isRetryablePostgresError(Object.assign(new Error("x"), { code: "23505" }))).toBe(false);
    expect(isRetryablePostgresError(Object.assign(new Error("x"), { code: "28P01" }))).toBe(false);
  });
});

/** A TCP port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<ResourceError> {
  try {
    await promise;
  } catch (error) {
    return error as ResourceError;
  }
  throw new Error("expected a rejection");
}

describe.skipIf(!url)("postgres provider (real server)", () => {
  const pgUrl = url ?? "";
  const server = new URL(pgUrl);
  const opened: { provider: ResourceProvider<PostgresHandle>; handles: PostgresHandle[] }[] = [];

  afterEach(async () => {
    for (const { provider, handles } of opened.splice(0)) {
      for (const handle of handles) await provider.release(handle);
    }
  });

  /** A provider on the test database and a way to acquire handles that are released after the test. */
  function open(config: Record<string, unknown> = { connection_string: pgUrl }): { provider: ResourceProvider<PostgresHandle>; acquire(): Promise<PostgresHandle> } {
    const provider = createPostgresProvider("pg", config);
    const entry = { provider, handles: [] as PostgresHandle[] };
    opened.push(entry);
    return {
      provider,
      async acquire() {
        const handle = await provider.acquire();
        entry.handles.push(handle);
        return handle;
      },
    };
  }

  /** A table name no other test uses. */
  const table = (): string => `t_${randomUUID().replaceAll("-", "").slice(0, 12)}`;

  async function itemsTable(handle: PostgresHandle): Promise<string> {
    const name = table();
    await handle.run(`create table ${name} (id int primary key, name text not null, qty int not null default 0, doc jsonb, tags text[])`);
    return name;
  }

  it("runs CRUD with $n parameters", async () => {
    const handle = await open().acquire();
    const items = await itemsTable(handle);
    expect(await handle.run(`insert into ${items} (id, name, qty) values ($1, $2, $3), ($4, $5, $6)`, [1, "apple", 3, 2, "pear", 5])).toEqual({
      changes: 2,
      lastInsertRowid: null,
    });
    expect(await handle.get(`select name, qty from ${items} where id = $1`, [2])).toEqual({ name: "pear", qty: 5 });
    expect(await handle.get(`select * from ${items} where id = $1`, [99])).toBeUndefined();
    expect((await handle.run(`update ${items} set qty = qty + 1 where qty > $1`, [0])).changes).toBe(2);
    expect(await handle.all(`select id from ${items} where id = any($1) order by id`, [[1, 2, 3]])).toEqual([{ id: 1 }, { id: 2 }]);
    expect((await handle.run(`delete from ${items} where name = $1`, ["apple"])).changes).toBe(1);
    expect(await handle.all(`select name, qty from ${items}`)).toEqual([{ name: "pear", qty: 6 }]);
  });

  it("round-trips JSON objects and arrays through jsonb", async () => {
    const handle = await open().acquire();
    const items = await itemsTable(handle);
    const doc = { nested: { list: [1, "two", null], flag: true }, text: "ünïcode" };
    await handle.run(`insert into ${items} (id, name, doc) values ($1, $2, $3)`, [1, "object", doc]);
    await handle.run(`insert into ${items} (id, name, doc) values ($1, $2, $3::jsonb)`, [2, "array", [1, { a: 2 }]]);
    expect(await handle.get(`select doc from ${items} where id = 1`)).toEqual({ doc });
    expect(await handle.get(`select doc from ${items} where id = 2`)).toEqual({ doc: [1, { a: 2 }] });
    expect(await handle.get(`select doc->'nested'->>'flag' as flag from ${items} where doc @> $1::jsonb`, [{ text: "ünïcode" }])).toEqual({ flag: "true" });
  });

  it("sends arrays to jsonb columns as JSON and to array columns as arrays in insertMany and upsert", async () => {
    const handle = await open().acquire();
    const items = await itemsTable(handle);
    await handle.insertMany(items, [
      { id: 1, name: "a", doc: ["x", { y: 1 }], tags: ["red", "green"] },
      { id: 2, name: "b", doc: { k: "v" }, tags: [] },
    ]);
    await handle.upsert(items, [{ id: 2, name: "b", doc: [2], tags: ["blue"] }], { key: ["id"] });
    expect(await handle.all(`select id, doc, tags from ${items} order by id`)).toEqual([
      { id: 1, doc: ["x", { y: 1 }], tags: ["red", "green"] },
      { id: 2, doc: [2], tags: ["blue"] },
    ]);
  });

  it("upserts: updates on a key clash, or keeps the row when asked; repeated keys keep the last", async () => {
    const handle = await open().acquire();
    const items = await itemsTable(handle);
    await handle.insertMany(items, [
      { id: 1, name: "apple", qty: 1 },
      { id: 2, name: "pear", qty: 2 },
    ]);
    const updated = await handle.upsert(
      items,
      [
        { id: 2, name: "pear", qty: 20 },
        { id: 3, name: "plum", qty: 30 },
        { id: 3, name: "plum", qty: 31 },
      ],
      { key: ["id"] },
    );
    expect(updated.changes).toBe(2);
    const ignored = await handle.upsert(
      items,
      [
        { id: 1, name: "apple", qty: 100 },
        { id: 4, name: "fig", qty: 4 },
        { id: 4, name: "fig", qty: 40 },
      ],
      { key: ["id"], onConflict: "ignore" },
    );
    expect(ignored.changes).toBe(1);
    expect(await handle.all(`select id, qty from ${items} order by id`)).toEqual([
      { id: 1, qty: 1 },
      { id: 2, qty: 20 },
      { id: 3, qty: 31 },
      { id: 4, qty: 4 },
    ]);
  });

  it("inserts 1,000 rows, and 2,500 rows over several statements in one transaction", async () => {
    const handle = await open().acquire();
    const items = await itemsTable(handle);
    const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: from + i, name: `item ${from + i}`, qty: i }));
    expect(await handle.insertMany(items, rows(1, 1_000))).toEqual({ changes: 1_000, lastInsertRowid: null });
    expect(await handle.get(`select count(*)::int as n, sum(qty)::int as total from ${items}`)).toEqual({ n: 1_000, total: 499_500 });
    expect((await handle.insertMany(items, rows(1_001, 2_500))).changes).toBe(2_500);
    const clash = [...rows(10_001, 2_400), { id: 1, name: "duplicate", qty: 0 }];
    const error = await rejection(handle.insertMany(items, clash));
    expect(error.message).toMatch(/duplicate key value violates unique constraint .* \(23505\) in `INSERT INTO "t_\w+" \("id", "name", "qty"\) VALUES \(\$1/);
    expect(await handle.get(`select count(*)::int as n from ${items}`)).toEqual({ n: 3_500 });
    expect(handle.inTransaction).toBe(false);
  });

  it("commits, rolls back, and reports a commit of a failed transaction", async () => {
    const handle = await open().acquire();
    const items = await itemsTable(handle);
    await handle.begin();
    expect(handle.inTransaction).toBe(true);
    await handle.run(`insert into ${items} (id, name) values (1, 'kept')`);
    await handle.commit();
    await handle.begin();
    await handle.run(`insert into ${items} (id, name) values (2, 'dropped')`);
    await handle.rollback();
    expect(await handle.all(`select name from ${items}`)).toEqual([{ name: "kept" }]);
    await handle.begin();
    await expect(handle.begin()).rejects.toThrow(/a transaction is already open/);
    await handle.run(`insert into ${items} (id, name) values (3, 'lost')`);
    await expect(handle.run(`insert into ${items} (id, name) values (1, 'clash')`)).rejects.toThrow(ResourceError);
    await expect(handle.commit()).rejects.toThrow("resource `pg`: commit(): a statement of the transaction had failed, so Postgres rolled the transaction back");
    expect(handle.inTransaction).toBe(false);
    await expect(handle.commit()).rejects.toThrow(/no transaction is open/);
    expect(await handle.all(`select name from ${items}`)).toEqual([{ name: "kept" }]);
  });

  it("rolls a scoped transaction back when fn throws, and nests savepoints", async () => {
    const handle = await open().acquire();
    const items = await itemsTable(handle);
    await handle.run(`insert into ${items} (id, name) values (1, 'before')`);
    const failure = new Error("boom");
    await expect(
      handle.transaction(async (tx) => {
        await tx.run(`update ${items} set name = 'changed' where id = 1`);
        await tx.run(`insert into ${items} (id, name) values (2, 'new')`);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await handle.all(`select id, name from ${items}`)).toEqual([{ id: 1, name: "before" }]);
    const result = await handle.transaction(async (outer) => {
      await outer.run(`insert into ${items} (id, name) values (10, 'outer')`);
      await expect(
        outer.transaction(async (inner) => {
          await inner.run(`insert into ${items} (id, name) values (11, 'inner')`);
          await inner.run(`insert into ${items} (id, name) values (10, 'clash')`);
        }),
      ).rejects.toThrow(/duplicate key/);
      await outer.transaction(async (inner) => inner.run(`insert into ${items} (id, name) values (12, 'inner ok')`));
      await expect(outer.commit()).rejects.toThrow(/inside transaction\(fn\)/);
      return "done";
    });
    expect(result).toBe("done");
    expect(await handle.all(`select id from ${items} order by id`)).toEqual([{ id: 1 }, { id: 10 }, { id: 12 }]);
  });

  it("lets two handles take different rows with FOR UPDATE SKIP LOCKED", async () => {
    const { acquire } = open();
    const first = await acquire();
    const second = await acquire();
    const jobs = await itemsTable(first);
    await first.insertMany(jobs, [1, 2, 3].map((id) => ({ id, name: "queued", qty: 0 })));
    const take = `select id from ${jobs} where name = 'queued' order by id limit 1 for update skip locked`;
    await first.begin();
    await second.begin();
    const a = await first.get<{ id: number }>(take);
    const b = await second.get<{ id: number }>(take);
    expect(a?.id).toBe(1);
    expect(b?.id).toBe(2);
    await first.run(`update ${jobs} set name = 'done' where id = $1`, [a?.id]);
    await second.run(`update ${jobs} set name = 'done' where id = $1`, [b?.id]);
    await first.commit();
    await second.commit();
    expect(await first.all(`select id from ${jobs} where name = 'queued'`)).toEqual([{ id: 3 }]);
  });

  it("quotes statement and driver text in errors, never the parameter values", async () => {
    const handle = await open().acquire();
    const items = await itemsTable(handle);
    const error = await rejection(handle.run(`insert into ${items} (id, name) values ($1, $2)`, ["not-a-number-value", "x"]));
    expect(error).toBeInstanceOf(ResourceError);
    expect(error.code).toBe("FSMR0020");
    expect(error.resource).toBe("pg");
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(`resource \`pg\`: invalid input syntax for type integer: "***" (22P02) in \`insert into ${items} (id, name) values ($1, $2)\``);
  });

  it("reports a wrong password without the password, not retryable", async () => {
    const withUrl = open({ connection_string: `postgres://${PASSWORD_ROLE}:${SECRET}@${server.host}/fsmc_test` });
    const error = await rejection(withUrl.acquire());
    expect(error).toBeInstanceOf(ResourceError);
    expect(error.message).toMatch(/^resource `pg`: cannot connect: password authentication failed for user "fsmc_auth" \(28P01\)$/);
    expect(error.message).not.toContain(SECRET);
    expect(error.retryable).toBe(false);
    const discrete = open({ host: server.hostname, port: Number(server.port), user: PASSWORD_ROLE, password: SECRET, database: "fsmc_test" });
    const again = await rejection(discrete.acquire());
    expect(again.message).toContain("password authentication failed");
    expect(again.message).not.toContain(SECRET);
    const health = await discrete.provider.health?.();
    expect(health?.status).toBe("unhealthy");
    expect(health?.detail).toContain("password authentication failed");
    expect(health?.detail).not.toContain(SECRET);
  });

  it("reports a refused connection as retryable, without the password", async () => {
    const port = await closedPort();
    const { acquire, provider } = open({ connection_string: `postgres://postgres:${SECRET}@127.0.0.1:${port}/fsmc_test` });
    const error = await rejection(acquire());
    expect(error.message).toMatch(/^resource `pg`: cannot connect: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
    expect(error.message).not.toContain(SECRET);
    expect(error.retryable).toBe(true);
    expect(await provider.health?.()).toEqual({ status: "unhealthy", detail: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it("marks a connection the server terminated as broken and retryable", async () => {
    const { acquire, provider } = open();
    const victim = await acquire();
    const killer = await acquire();
    const { pid } = (await victim.get<{ pid: number }>("select pg_backend_pid() as pid")) ?? { pid: 0 };
    await killer.run("select pg_terminate_backend($1)", [pid]);
    const error = await rejection(victim.get("select 1"));
    expect(error.retryable).toBe(true);
    expect(await provider.validate?.(victim)).toBe(false);
  });

  it("applies statement_timeout and application_name", async () => {
    const handle = await open({ connection_string: pgUrl, statement_timeout: 0.2, application_name: "fsmc-test" }).acquire();
    expect(await handle.get("select current_setting('application_name') as name")).toEqual({ name: "fsmc-test" });
    await expect(handle.run("select pg_sleep(5)")).rejects.toThrow(/canceling statement due to statement timeout \(57014\)/);
    const defaults = await open().acquire();
    expect(await defaults.get("select current_setting('application_name') as name")).toEqual({ name: "fsmc" });
  });

  it("validates, reports health, counts, and closes the connection on release", async () => {
    const { acquire, provider } = open();
    const handle = await acquire();
    const observer = await acquire();
    expect(await provider.health?.()).toEqual({ status: "healthy" });
    expect(await provider.validate?.(handle)).toBe(true);
    await handle.begin();
    expect(await provider.validate?.(handle)).toBe(false);
    await handle.rollback();
    expect(await provider.validate?.(handle)).toBe(true);
    const metrics = provider.metrics?.() ?? {};
    expect(metrics["connections"]).toBe(2);
    expect(metrics["rollbacks"]).toBe(1);
    const { pid } = (await handle.get<{ pid: number }>("select pg_backend_pid() as pid")) ?? { pid: 0 };
    await provider.release(handle);
    expect(await provider.validate?.(handle)).toBe(false);
    await expect(handle.get("select 1")).rejects.toThrow("resource `pg`: this handle was released; acquire a new one");
    let alive = 1;
    for (let waited = 0; alive > 0 && waited < 10_000; waited += 50) {
      alive = (await observer.get<{ n: number }>("select count(*)::int as n from pg_stat_activity where pid = $1", [pid]))?.n ?? 0;
      if (alive > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(alive).toBe(0);
    expect(provider.metrics?.()["connections"]).toBe(1);
    opened[0]?.handles.splice(0, 1);
  });
});
