/**
 * The database builtins through compiled machines (YAML and DSL, compiled with the compiler API
 * as `fsmc build` does, the emitted module imported): on a real SQLite file, on the real Postgres
 * of the test setup (skipped when absent), and through `fsmc run`. Also the compile-time checks
 * of their params (FSM0309).
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { nodeHost } from "../../compiler/cli/host.js";
import { compile } from "../../compiler/pipeline.js";
import type { ProcessOptions, RunResult } from "../../runtime/index.js";
import { fsmc, jsonLines, tempDir } from "../support/cli.js";

const pgUrl = inject("pgUrl");

/** A generated machine, untyped. */
interface Built {
  process(record: unknown, options?: ProcessOptions): Promise<RunResult>;
  processSync?: (record: unknown, options?: ProcessOptions) => RunResult;
  close(): Promise<void>;
}

type Factory = (options: { env?: Record<string, string> }) => Built;

/**
 * The message of the function that failed the run: a failing transform fails the state ("State
 * transform failed in: <state>", SEMANTICS §2.2) and its error is kept in `metadata.failures`.
 */
function failureOf(result: RunResult): string {
  expect(result.success).toBe(false);
  const failures = result.metadata["failures"] as readonly { error: string }[] | undefined;
  return failures?.map((f) => f.error).join("\n") ?? "";
}

let dir = "";
let cleanup = () => {};
beforeAll(() => {
  ({ dir, cleanup } = tempDir("fsmc-dbm-"));
});
afterAll(() => cleanup());

/** The diagnostics of compiling `text` as `file` (code and message of each). */
function diagnosticsOf(file: string, text: string): string[] {
  const result = compile([{ path: file, text }], { host: nodeHost(dir, {}), typecheck: false });
  return result.diagnostics.map((d) => `${d.code} ${d.message}`);
}

/** Compiles `text` as `file` in the temp folder, writes the module next to it, imports its factory. */
async function build(file: string, text: string): Promise<Factory> {
  writeFileSync(join(dir, file), text);
  const result = compile([{ path: file, text }], { host: nodeHost(dir, {}) });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  const module = result.files.find((f) => f.role === "module");
  if (module === undefined) throw new Error("no module emitted");
  const out = join(dir, `${file}.${randomUUID().slice(0, 8)}.ts`);
  writeFileSync(out, module.text);
  const mod = (await import(pathToFileURL(out).href)) as { default: Factory };
  return mod.default;
}

/** A SQLite file with a fresh `items` table (id key, name not null, qty ≥ 0). */
function sqliteFile(): string {
  const path = join(dir, `${randomUUID().slice(0, 8)}.db`);
  const db = new Database(path);
  db.exec("create table items (id integer primary key, name text not null, qty integer check (qty is null or qty >= 0))");
  db.close();
  return path;
}

function sqliteRows(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("select id, name, qty from items order by id").all();
  } finally {
    db.close();
  }
}

const STOCK_YAML = `name: stock
resources:
  - {name: db, type: sqlite, config: {path: "\${DB_PATH}"}}
states:
  - name: load
    is_start: true
    resources: [db]
    transforms:
      - {type: builtin, name: database.bulk_insert, params: {resource: db, table: items, chunk_size: 2, on_duplicate: update, key_columns: [id], columns: [id, name, qty]}}
  - name: read
    resources: {store: db}
    transforms:
      - {type: builtin, name: database.fetch, params: {resource: store, query: "select id, name, qty from items where qty >= :min order by id", params: {min: 0}}}
  - {name: done, is_end: true}
arcs:
  - {from: load, to: read}
  - {from: read, to: done}
`;

const COMMITS_FSM = `fsm commits {
  resource db: sqlite { path: env("DB_PATH") }
  network main {
    start state route {
      -> careful when \`data.mode === "require"\` priority 1
      -> loose
    }
    state careful uses db {
      do database.batch_commit { resource: "db", table: "items", batch_size: 2 }
      -> done
    }
    state loose uses db {
      do builtin database.batch_commit { resource: "db", table: "items", batch_size: 2, atomicity: "best_effort" }
      -> done
    }
    end state done
  }
}
`;

const UPSERTS_FSM = `fsm upserts {
  resource db: sqlite { path: env("DB_PATH") }
  network main {
    start state route {
      -> strict when \`data.strict === true\` priority 1
      -> merge
    }
    state merge uses db {
      do database.upsert { resource: "db", table: "items", key_columns: ["id"], value_columns: ["name", "qty"] }
      -> done
    }
    state strict uses db {
      do database.upsert { resource: "db", table: "items", key_columns: ["id"], value_columns: ["name", "qty"], on_conflict: "error" }
      -> done
    }
    end state done
  }
}
`;

describe("database builtins in compiled machines (SQLite)", () => {
  it("YAML: bulk_insert then fetch by role, with a `param_` field; the machine stays synchronous", async () => {
    const create = await build("stock.yaml", STOCK_YAML);
    const path = sqliteFile();
    const machine = create({ env: { DB_PATH: path } });
    try {
      expect(typeof machine.processSync).toBe("function");
      const records = [{ id: 1, name: "apple", qty: 3 }, { id: 2, name: "pear", qty: 0 }, { id: 3, name: "fig", qty: 7 }];
      const first = machine.processSync?.({ records, param_min: 1 });
      expect(first).toMatchObject({
        success: true,
        final_state: "done",
        path: ["load", "read", "done"],
        data: { inserted_count: 3, param_min: 1, records: [{ id: 1, name: "apple", qty: 3 }, { id: 3, name: "fig", qty: 7 }] },
      });
      expect(sqliteRows(path)).toEqual(records);
      // on_duplicate update: the same ids again change the stored rows.
      const second = await machine.process({ records: [{ id: 2, name: "pear", qty: 5 }], param_min: 5 });
      expect(second.data).toEqual({ param_min: 5, inserted_count: 1, records: [{ id: 2, name: "pear", qty: 5 }, { id: 3, name: "fig", qty: 7 }] });
      expect(sqliteRows(path)).toEqual([{ id: 1, name: "apple", qty: 3 }, { id: 2, name: "pear", qty: 5 }, { id: 3, name: "fig", qty: 7 }]);
    } finally {
      await machine.close();
    }
  });

  it("DSL: batch_commit require rolls everything back on a bad row; best_effort keeps the chunks before it", async () => {
    const create = await build("commits.fsm", COMMITS_FSM);
    const path = sqliteFile();
    const machine = create({ env: { DB_PATH: path } });
    const batch = [1, 2, 3, 4, 5, 6].map((id) => ({ id, name: `n${id}`, qty: id === 5 ? -1 : id }));
    try {
      const careful = await machine.process({ mode: "require", batch });
      expect(careful.error).toBe("State transform failed in: careful");
      expect(failureOf(careful)).toBe("Batch commit failed (SqliteError SQLITE_CONSTRAINT_CHECK: CHECK constraint failed: qty is null or qty >= 0)");
      expect(sqliteRows(path)).toEqual([]);

      const loose = await machine.process({ mode: "best_effort", batch });
      expect(failureOf(loose)).toMatch(/^Batch commit failed \(SqliteError SQLITE_CONSTRAINT_CHECK: .*\); 2 of 3 chunks \(4 rows\) were committed before it$/);
      expect(sqliteRows(path)).toEqual(batch.slice(0, 4));

      const good = machine.processSync?.({ mode: "require", batch: [{ id: 9, name: "n9", qty: 9 }] });
      expect(good).toMatchObject({ success: true, final_state: "done", data: { mode: "require", batch: [], committed_count: 1 } });
      expect(sqliteRows(path)).toEqual([...batch.slice(0, 4), { id: 9, name: "n9", qty: 9 }]);
    } finally {
      await machine.close();
    }
  });

  it("DSL: upsert on_conflict update merges, on_conflict error refuses a stored key (the record fails, the table is unchanged)", async () => {
    const create = await build("upserts.fsm", UPSERTS_FSM);
    const path = sqliteFile();
    const machine = create({ env: { DB_PATH: path } });
    try {
      expect(await machine.process({ id: 1, name: "first", qty: 1, note: "not a column" })).toMatchObject({ success: true, data: { upserted_count: 1 } });
      expect(await machine.process({ id: 1, name: "second", qty: 2 })).toMatchObject({ success: true, data: { upserted_count: 1 } });
      expect(sqliteRows(path)).toEqual([{ id: 1, name: "second", qty: 2 }]);
      const strict = await machine.process({ strict: true, id: 1, name: "third", qty: 3 });
      expect(failureOf(strict)).toBe("Upsert failed (SqliteError SQLITE_CONSTRAINT_PRIMARYKEY: UNIQUE constraint failed: items.id)");
      expect(await machine.process({ strict: true, id: 2, name: "two", qty: 2 })).toMatchObject({ success: true });
      expect(sqliteRows(path)).toEqual([{ id: 1, name: "second", qty: 2 }, { id: 2, name: "two", qty: 2 }]);
    } finally {
      await machine.close();
    }
  });

  it("a state that does not declare the resource fails the record with FSMR0005's message", async () => {
    const create = await build(
      "undeclared.fsm",
      `fsm undeclared {
  resource db: sqlite { path: env("DB_PATH") }
  network main {
    start state read {
      do database.fetch { resource: "db", query: "select 1 as one" }
      -> done
    }
    state other uses db { -> done }
    end state done
  }
}
`,
    );
    const machine = create({ env: { DB_PATH: sqliteFile() } });
    try {
      const result = await machine.process({});
      expect(failureOf(result)).toBe("Resource 'db' not found in context.resources (is it declared in the state's or arc's 'resources'?)");
    } finally {
      await machine.close();
    }
  });

  it("through `fsmc run` (the built CLI): a YAML machine querying SQLite", async () => {
    const path = sqliteFile();
    const db = new Database(path);
    db.exec("insert into items (id, name, qty) values (1, 'apple', 3), (2, 'pear', 8)");
    db.close();
    writeFileSync(
      join(dir, "lookup.yaml"),
      `name: lookup
resources:
  - {name: db, type: sqlite, config: {path: "\${DB_PATH}"}}
states:
  - name: find
    is_start: true
    resources: [db]
    transforms:
      - {type: builtin, name: database.fetch, params: {resource: db, query: "select name, qty from items where id = :id", fetch_one: true}}
  - {name: done, is_end: true}
arcs:
  - {from: find, to: done}
`,
    );
    const r = await fsmc(["run", "lookup.yaml"], { cwd: dir, stdin: '{"param_id": 2}\n{"param_id": 3}\n', env: { DB_PATH: path } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((x) => x["data"])).toEqual([
      { param_id: 2, record: { name: "pear", qty: 8 } },
      { param_id: 3, record: null },
    ]);
  });
});

describe.skipIf(!pgUrl)("database builtins in compiled machines (Postgres)", () => {
  const url = pgUrl ?? "";
  const table = `items_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`create table ${table} (id integer primary key, name text not null, qty integer check (qty is null or qty >= 0))`);
  });
  afterAll(async () => {
    await client.query(`drop table if exists ${table}`);
    await client.end();
  });

  const rows = async () => (await client.query(`select id, name, qty from ${table} order by id`)).rows;

  it("DSL: upsert, batch_commit (require and best_effort), fetch and query, on an asynchronous resource", async () => {
    const create = await build(
      "pg.fsm",
      `fsm pgflow {
  resource pg: postgres { connection_string: env("PG_URL") }
  network main {
    start state route {
      -> write when \`data.op === "write"\` priority 1
      -> commit when \`data.op === "commit"\` priority 2
      -> loose when \`data.op === "loose"\` priority 3
      -> read
    }
    state write uses store = pg {
      do database.upsert { resource: "store", table: "${table}", key_columns: ["id"], on_conflict: "update" }
      -> done
    }
    state commit uses pg {
      do database.batch_commit { resource: "pg", table: "${table}", batch_size: 2, atomicity: "require", key_columns: ["id"] }
      -> done
    }
    state loose uses pg {
      do database.batch_commit { resource: "pg", table: "${table}", batch_size: 2, atomicity: "best_effort" }
      -> done
    }
    state read uses pg {
      do database.fetch { resource: "pg", query: "select id, name from ${table} where qty >= :min order by id", params: { min: 0 } }
      do database.query { resource: "pg", query_field: "sql", params_field: "args", result_field: "total" }
      -> done
    }
    end state done
  }
}
`,
    );
    const machine = create({ env: { PG_URL: url } });
    try {
      expect(() => machine.processSync?.({ op: "read" })).toThrow(/FSMR0003|processSync cannot run this machine/);
      const written = await machine.process({ op: "write", records: [{ id: 1, name: "a", qty: 1 }, { id: 2, name: "b", qty: 2 }] });
      expect(written).toMatchObject({ success: true, data: { upserted_count: 2 } });

      const bad = [3, 4, 5, 6].map((id) => ({ id, name: `n${id}`, qty: id === 5 ? -1 : id }));
      const careful = await machine.process({ op: "commit", batch: bad });
      expect(failureOf(careful)).toContain("Batch commit failed (DatabaseError 23514: new row for relation");
      expect(await rows()).toEqual([{ id: 1, name: "a", qty: 1 }, { id: 2, name: "b", qty: 2 }]);

      const loose = await machine.process({ op: "loose", batch: bad });
      expect(failureOf(loose)).toContain("; 1 of 2 chunks (2 rows) were committed before it");
      expect((await rows()).map((r) => r["id"])).toEqual([1, 2, 3, 4]);

      const read = await machine.process({ op: "read", param_min: 2, sql: `select count(*)::int as n from ${table} where id > $1`, args: [1] });
      expect(read).toMatchObject({
        success: true,
        data: { records: [{ id: 2, name: "b" }, { id: 3, name: "n3" }, { id: 4, name: "n4" }], total: [{ n: 3 }] },
      });
    } finally {
      await machine.close();
    }
  });
});

describe("database builtins: compile-time checks (FSM0309)", () => {
  const state = (fn: string) => `fsm m {
  resource db: sqlite { path: "x.db" }
  network main {
    start state s uses db {
      do ${fn}
      -> done
    }
    end state done
  }
}
`;

  it.each([
    ['database.fetch { query: "select 1" }', "FSM0309 `database.fetch` needs the parameter `resource`"],
    ['database.fetch { resource: "db", query: "select 1", fetch_one: "yes" }', "FSM0309 parameter `fetch_one` of `database.fetch` must be a boolean"],
    ['database.upsert { resource: "db", table: "t", key_columns: ["id"], on_conflict: "replace" }', "FSM0309 parameter `on_conflict` of `database.upsert` cannot be `replace`"],
    ['database.upsert { resource: "db", table: "t" }', "FSM0309 `database.upsert` needs the parameter `key_columns`"],
    ['database.bulk_insert { resource: "db", table: "t", chunk_size: 0 }', "FSM0309 parameter `chunk_size` of `database.bulk_insert` must be a whole number above 0, not 0"],
    ['database.bulk_insert { resource: "db", table: "t", on_duplicate: "update" }', "FSM0309 `database.bulk_insert` needs the parameter `key_columns` when `on_duplicate` is `update`"],
    ['database.batch_commit { resource: "db", table: "t", atomicity: "everything" }', "FSM0309 parameter `atomicity` of `database.batch_commit` cannot be `everything`"],
    ['database.batch_commit { resource: "db", table: "t", batch_size: 1.5 }', "FSM0309 parameter `batch_size` of `database.batch_commit` must be a whole number above 0, not 1.5"],
    [
      'database.batch_commit { resource: "db", table: "t", atomicity: "require", use_transaction: false }',
      "FSM0309 parameters `use_transaction` and `atomicity` of `database.batch_commit` contradict each other",
    ],
    ['database.query { resource: "db", query: "select 1" }', "FSM0309 `database.query` has no parameter `query`"],
  ])("%s", (fn, expected) => {
    expect(diagnosticsOf("m.fsm", state(fn))).toContain(expected);
  });

  it("`resource` must name a SQL resource of the machine, or a role bound to one", () => {
    const machine = `fsm m {
  resource db: sqlite { path: "x.db" }
  resource api: http { base_url: "http://127.0.0.1:1" }
  network main {
    start state s uses store = db, api {
      do database.fetch { resource: "RESOURCE", query: "select 1" }
      -> done
    }
    end state done
  }
}
`;
    const run = (resource: string) => diagnosticsOf("r.fsm", machine.replace("RESOURCE", resource)).filter((d) => d.startsWith("FSM0309"));
    expect(run("db")).toEqual([]);
    expect(run("store")).toEqual([]);
    expect(run("dbb")).toEqual(["FSM0309 `database.fetch` names `dbb`, which is no SQL resource or role of this machine"]);
    expect(run("api")).toEqual(["FSM0309 `database.fetch` needs a SQL resource, but `api` is a `http` resource"]);
    const none = compile([{ path: "n.fsm", text: state('database.fetch { resource: "db", query: "select 1" }').replace('resource db: sqlite { path: "x.db" }', "") }], {
      host: nodeHost(dir, {}),
      typecheck: false,
    }).diagnostics.find((d) => d.code === "FSM0309");
    expect(none?.notes).toEqual(["the machine declares no `sqlite` or `postgres` resource"]);
    const typo = compile([{ path: "t.fsm", text: machine.replace("RESOURCE", "dbb") }], { host: nodeHost(dir, {}), typecheck: false }).diagnostics.find((d) => d.code === "FSM0309");
    expect(typo?.notes).toEqual(["SQL resources and roles: `db`, `store`"]);
    expect(typo?.help).toContain("`db`");
  });

  it("accepts valid params", () => {
    const ok = [
      'database.fetch { resource: "db", query: "select 1", params: { a: 1 }, fetch_one: true }',
      'database.bulk_insert { resource: "db", table: "t", chunk_size: 10, on_duplicate: "ignore", key_columns: ["id"] }',
      'database.batch_commit { resource: "db", table: "t", atomicity: "require", use_transaction: true }',
      'database.query { resource: "db", query_field: "q" }',
    ];
    for (const fn of ok) expect(diagnosticsOf("m.fsm", state(fn)).filter((d) => d.startsWith("FSM03")), fn).toEqual([]);
  });

  it("refuses a database function outside a transform slot (FSM0308)", () => {
    const text = state('database.fetch { resource: "db", query: "select 1" }').replace("do database.fetch", "check database.fetch");
    expect(diagnosticsOf("m.fsm", text).some((d) => d.startsWith("FSM0308"))).toBe(true);
  });
});
