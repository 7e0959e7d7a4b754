/**
 * The REFERENCE optimistic-lock pattern end to end (docs/data-modes.md): a `.fsm` machine in
 * `data mode reference` is compiled with the compiler API (type check of its functions module
 * included), imported, and run against a real SQLite file and a real Postgres (skipped with the
 * setup's printed reason when there is none). Its `load` state reads a stock row with
 * `getVersioned` into the record and its `save` state writes it back with `updateVersioned`:
 * of two concurrent runs on one row exactly one wins and the other fails naming the conflict;
 * the caller's object is the record (it carries the bumped version) in REFERENCE mode and is
 * untouched in COPY mode.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { nodeHost } from "../../../compiler/cli/host.js";
import { compile } from "../../../compiler/pipeline.js";
import type { ProcessOptions, RunResult } from "../../../runtime/index.js";

const pgUrl = inject("pgUrl");

/** The machine of one kind of database: `load` reads the row, `save` applies `add` and writes it back. */
function flowText(kind: "sqlite" | "postgres"): string {
  const config = kind === "sqlite" ? 'path: env("STOCK_DB")' : 'connection_string: env("STOCK_PG")';
  return `// Applies a stock change with an optimistic lock (see docs/data-modes.md).
fsm stock {
  functions from "./stock.functions.ts"
  data mode reference

  resource db: ${kind} { ${config} }

  record Change {
    id: integer
    add: integer
    qty?: integer
    version?: integer
  }

  network main {
    start state load: Change uses db {
      do await loadRow
      -> save
    }
    state save uses db {
      do ${kind === "sqlite" ? "saveRow" : "await saveRow"}
      -> done
    }
    end state done
  }
}
`;
}

/** The functions module of that machine; `ctx.variables.gate`, when a test sets one, holds each run after its read. */
function functionsText(kind: "sqlite" | "postgres"): string {
  const handle = kind === "sqlite" ? "SqliteHandle" : "PostgresHandle";
  const wait = kind === "sqlite" ? "" : "await ";
  return `import type { Ctx, ${handle} } from "fsmc/runtime";
import type { Change } from "./stock.fsm.js";

interface Gate {
  arrive(): Promise<void>;
}

/** Reads the stock row with its version into the record (the record is the caller's object in REFERENCE mode). */
export async function loadRow(data: Change, ctx: Ctx<"load", { readonly db: ${handle} }>): Promise<undefined> {
  const row = await ctx.resources.db.getVersioned<{ qty: number; version: number }>("stock", { id: data.id });
  if (row === undefined) throw new Error(\`no stock row \${data.id}\`);
  data.qty = row.qty;
  data.version = row.version;
  await (ctx.variables["gate"] as Gate | undefined)?.arrive();
  return undefined;
}

/** Applies the change and writes the row back if nobody changed it since \`loadRow\` read it. */
export ${kind === "sqlite" ? "" : "async "}function saveRow(data: Change, ctx: Ctx<"save", { readonly db: ${handle} }>): ${kind === "sqlite" ? "undefined" : "Promise<undefined>"} {
  data.qty = (data.qty ?? 0) + data.add;
  ${wait}ctx.resources.db.updateVersioned("stock", data, { key: ["id"], columns: ["qty"] });
  return undefined;
}
`;
}

/** A change as the machine takes it, with what the machine adds. */
interface Change {
  id: number;
  add: number;
  qty?: number;
  version?: number;
}

interface StockMachine {
  process(record: Change, options?: ProcessOptions): Promise<RunResult<Change>>;
  close(): Promise<void>;
}

type CreateStock = (options: { resources?: Record<string, unknown>; env?: Record<string, string> }) => StockMachine;

/** Where the compiled machines go: inside the project, where vitest resolves `fsmc/runtime` for them (gitignored). */
const BUILD_DIR = fileURLToPath(new URL(".build/versioned-machine", import.meta.url));

/** The databases' folder. */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "fsmc-versioned-machine-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Compiles the machine for `kind` in its own folder (type check included) and imports its module. */
async function buildStock(kind: "sqlite" | "postgres"): Promise<CreateStock> {
  const dir = join(BUILD_DIR, kind);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "stock.fsm"), flowText(kind));
  writeFileSync(join(dir, "stock.functions.ts"), functionsText(kind));
  const host = nodeHost(dir, {});
  const result = compile([{ path: "stock.fsm", text: readFileSync(join(dir, "stock.fsm"), "utf8") }], { host });
  expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
  const module = result.files.find((file) => file.role === "module");
  if (module === undefined) throw new Error("the compiler emitted no module");
  writeFileSync(join(dir, "stock.fsm.ts"), module.text);
  const imported = (await import(pathToFileURL(join(dir, "stock.fsm.ts")).href)) as { default: CreateStock };
  return imported.default;
}

/** Lets `parties` runs through once all of them have arrived: every run reads before any writes. */
function gate(parties: number): { arrive(): Promise<void> } {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    arrive() {
      if (++arrived === parties) open();
      return opened;
    },
  };
}

/** The conflict message of row 7 (`expected version 1, found 2`). */
const conflictOn = (table: string): string =>
  `resource \`db\`: optimistic lock conflict on \`${table}\` (id=7): expected version 1, found 2 — another writer changed the row since it was read`;

/** The scenarios, on a machine whose `stock` row 7 holds qty 10 at version 1 before each. */
function scenarios(open: () => Promise<{ fsm: StockMachine; stored(): Promise<{ qty: number; version: number }> }>): void {
  it("two concurrent runs load the same row and both update it: exactly one wins, the other fails naming the conflict", async () => {
    const { fsm, stored } = await open();
    const variables = { gate: gate(2) };
    const inputs: Change[] = [
      { id: 7, add: 5 },
      { id: 7, add: 3 },
    ];
    const results = await Promise.all(inputs.map((input) => fsm.process(input, { variables })));
    expect(results.map((r) => r.success).sort()).toEqual([false, true]);
    const winner = results.findIndex((r) => r.success);
    const won = results[winner] as RunResult<Change>;
    const lost = results[1 - winner] as RunResult<Change>;
    expect(won).toMatchObject({ final_state: "done", error: null, path: ["load", "save", "done"] });
    expect(lost.success).toBe(false);
    expect(lost.error).toBe("State transform failed in: save");
    expect(lost.metadata["failures"]).toEqual([{ state: "save", function: "saveRow", phase: "transform", error: conflictOn("stock") }]);
    // The database holds the winner's change only, at the next version.
    const add = (inputs[winner] as Change).add;
    expect(await stored()).toEqual({ qty: 10 + add, version: 2 });
    // REFERENCE: each result's record is the caller's own object; the winner's carries the new version.
    expect(won.data).toBe(inputs[winner]);
    expect(inputs[winner]).toEqual({ id: 7, add, qty: 10 + add, version: 2 });
    expect(lost.data).toBe(inputs[1 - winner]);
    expect(lost.data.version).toBe(1); // the refused write left the version; nothing rolls the qty back in REFERENCE
  });

  it("REFERENCE: the caller's input object carries the bumped version after the run; COPY leaves it untouched", async () => {
    const { fsm, stored } = await open();
    const shared: Change = { id: 7, add: 1 };
    const byReference = await fsm.process(shared);
    expect(byReference.success).toBe(true);
    expect(byReference.data).toBe(shared);
    expect(shared).toEqual({ id: 7, add: 1, qty: 11, version: 2 });

    const copied: Change = { id: 7, add: 2 };
    const byCopy = await fsm.process(copied, { dataMode: "copy" });
    expect(byCopy.success).toBe(true);
    expect(copied).toEqual({ id: 7, add: 2 });
    expect(byCopy.data).not.toBe(copied);
    expect(byCopy.data).toEqual({ id: 7, add: 2, qty: 13, version: 3 });
    expect(await stored()).toEqual({ qty: 13, version: 3 });
  });
}

describe("a REFERENCE machine with optimistic-lock writes on SQLite", () => {
  let createStock: CreateStock;
  const machines: StockMachine[] = [];
  beforeAll(async () => {
    createStock = await buildStock("sqlite");
  });
  afterAll(async () => {
    for (const fsm of machines) await fsm.close();
  });

  scenarios(async () => {
    const path = join(root, `stock-${randomUUID()}.db`);
    const seed = new Database(path);
    seed.exec("create table stock (id integer primary key, qty integer not null, version integer not null); insert into stock values (7, 10, 1)");
    seed.close();
    const fsm = createStock({ env: { STOCK_DB: path } });
    machines.push(fsm);
    const stored = async () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare("select qty, version from stock where id = 7").get() as { qty: number; version: number };
      } finally {
        db.close();
      }
    };
    return { fsm, stored };
  });
});

describe.skipIf(!pgUrl)("a REFERENCE machine with optimistic-lock writes on Postgres", () => {
  let createStock: CreateStock;
  const machines: StockMachine[] = [];
  const schemas: string[] = [];
  const admin = new pg.Client({ connectionString: pgUrl ?? "" });
  beforeAll(async () => {
    createStock = await buildStock("postgres");
    await admin.connect();
  });
  afterAll(async () => {
    for (const fsm of machines) await fsm.close();
    for (const schema of schemas) await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });

  scenarios(async () => {
    // Each scenario gets its own schema, first on the search path, so the machine's `stock` is its own.
    const schema = `stock_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    schemas.push(schema);
    await admin.query(`create schema ${schema}`);
    await admin.query(`create table ${schema}.stock (id int primary key, qty int not null, version int not null); insert into ${schema}.stock values (7, 10, 1)`);
    const url = new URL(pgUrl ?? "");
    url.searchParams.set("options", `-c search_path=${schema}`);
    const fsm = createStock({ env: { STOCK_PG: url.href } });
    machines.push(fsm);
    const stored = async () => (await admin.query<{ qty: number; version: number }>(`select qty, version from ${schema}.stock where id = 7`)).rows[0] as { qty: number; version: number };
    return { fsm, stored };
  });
});
