/**
 * `npm run bench -- pool`: what pooling saves. 10,000 records, each doing one lookup, for
 * SQLite (open per record vs the machine's pooled `sqlite` resource), Postgres (connect per
 * record vs the pooled `postgres` resource; a throwaway server is started when `initdb` is
 * installed) and HTTP (a new connection per request vs the `http` resource's keep-alive agent,
 * against a local server). Unpooled and pooled run in the same process, interleaved over
 * rounds; each figure is pooled time / unpooled time (target < 0.5: pooling removes more than
 * half of the per-record cost of connecting).
 * Options: --n=10000 --rounds=3
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { type Ctx, type Data, defineMachine, type HttpHandle, type MachineDefinition, type PostgresHandle, type SqliteHandle, DEFAULT_RETRY } from "../runtime/index.js";
import { HttpClient } from "../runtime/resources/http/client.js";
import { throwawayPostgres } from "../test/support/services.js";
import { type Figure, intArg, median, report, round } from "./lib.js";

const N = intArg("n", 10_000);
const ROUNDS = intArg("rounds", 3);

/** A one-state machine whose state holds resource `db` of `type` and runs `lookup` with it. */
function lookupMachine(type: string, config: Record<string, unknown>, lookup: (data: Data, ctx: Ctx) => unknown, isAsync: boolean): MachineDefinition {
  return {
    name: `pool_${type}`,
    source: "bench/pool.bench.ts",
    mainNetwork: 0,
    networks: [{ name: "main", start: 0 }],
    states: [
      {
        name: "lookup",
        network: 0,
        isStart: true,
        isFinal: false,
        runOnFailure: false,
        emitOutput: true,
        preValidators: [],
        transforms: [{ name: "lookup", kind: "registered", isAsync, fn: lookup as never }],
        validators: [],
        arcs: [{ target: 1, priority: 0, transforms: [], resources: [] }],
        onError: -1,
        resources: [{ role: "db", name: "db" }],
      },
      { name: "done", network: 0, isStart: false, isFinal: true, runOnFailure: false, emitOutput: true, preValidators: [], transforms: [], validators: [], arcs: [], onError: -1, resources: [] },
    ],
    settings: { maxTransitions: 10, strategy: "depth_first", dataMode: "reference", retry: DEFAULT_RETRY },
    resources: [{ name: "db", type, config: { ...config, pool: { max: 4 } } }],
  };
}

/** Runs `once` N times, returns the wall time in ms (and checks every call found its row). */
async function timeIt(once: (i: number) => Promise<boolean> | boolean): Promise<number> {
  const t0 = performance.now();
  let found = 0;
  for (let i = 0; i < N; i++) if (await once(i)) found++;
  const ms = performance.now() - t0;
  if (found !== N) throw new Error(`only ${found} of ${N} lookups found their row`);
  return ms;
}

interface Pair {
  readonly unpooled: number[];
  readonly pooled: number[];
}

async function pair(unpooled: (i: number) => Promise<boolean> | boolean, pooled: (i: number) => Promise<boolean> | boolean): Promise<Pair> {
  const out: Pair = { unpooled: [], pooled: [] };
  // Warm-up of both (JIT, the page cache, the server's first connections).
  for (let i = 0; i < 200; i++) {
    await unpooled(i);
    await pooled(i);
  }
  for (let r = 0; r < ROUNDS; r++) {
    out.unpooled.push(await timeIt(unpooled));
    out.pooled.push(await timeIt(pooled));
  }
  return out;
}

const figures: Record<string, Figure> = {};
const details: string[] = [];
function record(kind: string, p: Pair, what: string): void {
  const ratios = p.pooled.map((x, i) => x / (p.unpooled[i] ?? x));
  const ratio = median(ratios);
  const perUnpooled = (median(p.unpooled) * 1000) / N;
  const perPooled = (median(p.pooled) * 1000) / N;
  figures[`${kind}_pooled_vs_unpooled`] = { value: round(ratio), unit: "x", target: "< 0.5", pass: ratio < 0.5 };
  figures[`${kind}_unpooled_per_record`] = { value: round(perUnpooled, 1), unit: "µs" };
  figures[`${kind}_pooled_per_record`] = { value: round(perPooled, 1), unit: "µs" };
  details.push(`${kind}: ${what}; per-round ms unpooled ${p.unpooled.map((x) => Math.round(x)).join("/")}, pooled ${p.pooled.map((x) => Math.round(x)).join("/")}`);
}

// ---- SQLite: open a connection per record vs the pooled resource ----------------------------
const dir = mkdtempSync(join(tmpdir(), "fsmc-pool-bench-"));
try {
  const file = join(dir, "lookup.db");
  const setup = new Database(file);
  setup.pragma("journal_mode = WAL");
  setup.exec("create table customers (id integer primary key, name text not null)");
  const insert = setup.prepare("insert into customers (id, name) values (?, ?)");
  setup.transaction(() => {
    for (let i = 0; i < 1000; i++) insert.run(i, `customer ${i}`);
  })();
  setup.close();
  const sqliteMachine = defineMachine(
    lookupMachine("sqlite", { path: file }, (data, ctx) => {
      const db = ctx.resources["db"] as SqliteHandle;
      return { ...data, name: db.get<{ name: string }>("select name from customers where id = ?", [data["id"]])?.name };
    }, false),
  );
  const sqlite = await pair(
    (i) => {
      const db = new Database(file);
      try {
        return db.prepare("select name from customers where id = ?").get(i % 1000) !== undefined;
      } finally {
        db.close();
      }
    },
    (i) => sqliteMachine.processSync({ id: i % 1000 }).data["name"] !== undefined,
  );
  await sqliteMachine.close();
  record("sqlite", sqlite, "unpooled = better-sqlite3 opened and closed per record; pooled = the machine's `sqlite` resource (pool max 4)");

  // ---- HTTP: a new connection per request vs the keep-alive agent ---------------------------
  const server: Server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ id: Number(req.url?.split("/").pop()), name: "customer" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fresh = new HttpClient({ resource: "api", baseUrl: base, timeoutMs: 10_000, maxRetries: 0, retryDelayMs: 0, maxRetryDelayMs: 0, keepAlive: false });
  const httpMachine = defineMachine(
    lookupMachine("http", { base_url: base, max_retries: 0 }, async (data, ctx) => {
      const api = ctx.resources["db"] as HttpHandle;
      const answer = await api.get<{ name: string }>(`/customers/${String(data["id"])}`);
      return { ...data, name: answer.body.name };
    }, true),
  );
  const http = await pair(
    async (i) => (await fresh.request<{ name: string }>("GET", `/customers/${i}`)).body.name === "customer",
    async (i) => (await httpMachine.process({ id: i })).data["name"] === "customer",
  );
  await httpMachine.close();
  await fresh.close();
  server.close();
  record("http", http, "unpooled = a new TCP connection per request (keepAlive: false); pooled = the machine's `http` resource (keep-alive agent)");

  // ---- Postgres: connect per record vs the pooled resource ----------------------------------
  const server2 = await throwawayPostgres();
  if (server2 === null) {
    details.push("postgres: skipped — initdb/pg_ctl not installed (figures not measured)");
  } else {
    try {
      const admin = new pg.Client({ connectionString: server2.url });
      await admin.connect();
      await admin.query("create table customers (id integer primary key, name text not null)");
      await admin.query("insert into customers select g, 'customer ' || g from generate_series(0, 999) g");
      await admin.end();
      const pgMachine = defineMachine(
        lookupMachine("postgres", { connection_string: server2.url }, async (data, ctx) => {
          const db = ctx.resources["db"] as PostgresHandle;
          const row = await db.get<{ name: string }>("select name from customers where id = $1", [data["id"]]);
          return { ...data, name: row?.name };
        }, true),
      );
      const postgres = await pair(
        async (i) => {
          const client = new pg.Client({ connectionString: server2.url });
          await client.connect();
          try {
            return (await client.query("select name from customers where id = $1", [i % 1000])).rowCount === 1;
          } finally {
            await client.end();
          }
        },
        async (i) => (await pgMachine.process({ id: i % 1000 })).data["name"] !== undefined,
      );
      await pgMachine.close();
      record("postgres", postgres, "unpooled = a pg.Client connected and ended per record; pooled = the machine's `postgres` resource (pool max 4)");
    } finally {
      await server2.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

report("pool", figures, [`N = ${N} records per measurement, ${ROUNDS} interleaved rounds (unpooled then pooled), medians; ratio = pooled / unpooled wall time`, ...details], `npm run bench -- pool --n=${N} --rounds=${ROUNDS}`);
