/**
 * `npm run bench -- stream-db`: a 1,000,000-row SQLite table streamed through the workload
 * machine (bench/workload/workload.fsm) into a Postgres table (issue 6): the SQLite query
 * source reads in keyset batches, the Postgres sink writes 1000 rows per transaction. Reports
 * rows/s and peak RSS (sampled every 50 ms during the stream), and checks every row arrived.
 * Needs initdb/pg_ctl (a throwaway server on a loopback port, as the tests use).
 * Options: --rows=1000000 --batch=1000
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import type { PostgresHandle, SqliteHandle } from "../runtime/index.js";
import { databaseSink, sqliteQuerySource } from "../runtime/index.js";
import { createPostgresProvider } from "../runtime/resources/providers/postgres.js";
import { createSqliteProvider } from "../runtime/resources/providers/sqlite.js";
import { throwawayPostgres } from "../test/support/services.js";
import { buildForBench } from "./compile.js";
import { type Figure, intArg, report, round } from "./lib.js";

const ROWS = intArg("rows", 1_000_000);
const BATCH = intArg("batch", 1000);
const TIERS = ["gold", "silver", "basic"];

interface StreamingMachine {
  processStream(source: unknown, sink: unknown, options?: Record<string, unknown>): Promise<{ read: number; written: number; failed: number; deadLettered: number; filtered: number; elapsedMs: number }>;
  close(): Promise<void>;
}

const server = await throwawayPostgres();
if (server === null) {
  console.log("stream-db: initdb/pg_ctl are not installed; install postgresql to run this benchmark");
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), "fsmc-stream-db-"));
try {
  // The source table.
  const path = join(dir, "src.db");
  const setup = new Database(path);
  setup.pragma("journal_mode = WAL");
  setup.exec("create table src (id integer primary key, name text not null, amount integer not null, tier text not null)");
  const insert = setup.prepare("insert into src (id, name, amount, tier) values (?, ?, ?, ?)");
  setup.transaction(() => {
    for (let i = 0; i < ROWS; i++) insert.run(i, `  User${i}  `, i % 50 === 49 ? -1 : (i * 37) % 1000, TIERS[i % 3]);
  })();
  setup.close();
  // The target table.
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(
    "create table dst (id integer primary key, name text not null, amount integer not null, tier text not null, amount_cents integer, discount integer, label text)",
  );

  const factory = ((await import(buildForBench(fileURLToPath(new URL("workload/workload.fsm", import.meta.url))))) as { default: (o: object) => StreamingMachine }).default;
  const machine = factory({});
  const sqlite = createSqliteProvider("src", { path });
  const postgres = createPostgresProvider("dst", { connection_string: server.url });
  const reader = (await sqlite.acquire()) as SqliteHandle;
  const writer = (await postgres.acquire()) as PostgresHandle;

  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const stats = await machine.processStream(
    sqliteQuerySource(reader, "select id, name, amount, tier from src", [], { batchSize: BATCH }),
    databaseSink(writer, { table: "dst", batchSize: BATCH }),
  );
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const count = Number((await admin.query<{ n: string }>("select count(*) as n from dst")).rows[0]?.n);
  await admin.end();
  await machine.close();
  await sqlite.release(reader);
  await postgres.release(writer);
  if (count !== ROWS || stats.written !== ROWS) throw new Error(`expected ${ROWS} rows in Postgres, found ${count} (stats: ${JSON.stringify(stats)})`);
  const rate = ROWS / (ms / 1000);
  const figures: Record<string, Figure> = {
    rows_per_second: { value: Math.round(rate), unit: "rows/s" },
    peak_rss: { value: round(peak / 1048576, 1), unit: "MiB" },
    seconds: { value: round(ms / 1000, 2), unit: "s" },
  };
  report(
    "stream-db",
    figures,
    [
      `${ROWS} SQLite rows (one cursor, batches of ${BATCH}) → workload machine → Postgres (${BATCH} rows per transaction); every row checked in Postgres`,
      "peak RSS is this process's RSS sampled every 50 ms while streaming (the source table was built before)",
    ],
    `npm run bench -- stream-db --rows=${ROWS} --batch=${BATCH}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await server.stop();
}
