/**
 * Resources against a real Postgres (the throwaway server of test/support/services.ts): a pool
 * of 4 under 50 concurrent records never opens more than 4 connections and never deadlocks, and
 * a server that cannot be reached fails each record with an error naming the resource (its
 * password redacted) instead of a missing handle.
 */
import { inject, describe, expect, it } from "vitest";
import pg from "pg";
import { type Ctx, type Data, DEFAULT_RETRY, defineMachine, type MachineDefinition, type PostgresHandle } from "../../runtime/index.js";

const pgUrl = inject("pgUrl");

function machine(config: Record<string, unknown>, work: (data: Data, ctx: Ctx) => Promise<Data>): MachineDefinition {
  const state = (name: string, index: number, more: Partial<MachineDefinition["states"][number]>) => ({
    name,
    network: 0,
    isStart: index === 0,
    isFinal: false,
    runOnFailure: false,
    emitOutput: true,
    preValidators: [],
    transforms: [],
    validators: [],
    arcs: [],
    onError: -1,
    resources: [],
    ...more,
  });
  return {
    name: "pg_pool",
    source: "test",
    mainNetwork: 0,
    networks: [{ name: "main", start: 0 }],
    states: [
      state("work", 0, {
        transforms: [{ name: "work", kind: "registered", isAsync: true, fn: work as never }],
        arcs: [{ target: 1, priority: 0, transforms: [], resources: [] }],
        resources: [{ role: "db", name: "db" }],
      }),
      state("done", 1, { isFinal: true }),
    ],
    settings: { maxTransitions: 10, strategy: "depth_first", dataMode: "copy", retry: DEFAULT_RETRY },
    resources: [{ name: "db", type: "postgres", config }],
  };
}

describe.skipIf(!pgUrl)("postgres resources (integration)", () => {
  it("a pool of 4 under 50 concurrent records: at most 4 connections, no deadlock, every record done", async () => {
    const url = pgUrl as string;
    const app = `fsmc_pool_${process.pid}`;
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    let most = 0;
    const fsm = defineMachine(
      machine({ connection_string: url, application_name: app, pool: { max: 4, acquire_timeout: 30 } }, async (data, ctx) => {
        const db = ctx.resources["db"] as PostgresHandle;
        const row = await db.get<{ n: number }>("select $1::int * 2 as n, pg_sleep(0.01)", [data["i"]]);
        const open = await watcher.query<{ count: string }>("select count(*) from pg_stat_activity where application_name = $1", [app]);
        most = Math.max(most, Number(open.rows[0]?.count ?? 0));
        return { ...data, doubled: row?.n };
      }),
    );
    try {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => fsm.process({ i })));
      expect(results.every((r) => r.success)).toBe(true);
      expect(results.map((r) => r.data["doubled"])).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(4);
      const m = fsm.resources?.metrics()["db"];
      expect(m?.acquisitions).toBe(50);
      expect(m?.active).toBe(0);
    } finally {
      await fsm.close();
      const left = await watcher.query<{ count: string }>("select count(*) from pg_stat_activity where application_name = $1", [app]);
      await watcher.end();
      expect(Number(left.rows[0]?.count)).toBe(0); // close ended every connection
    }
  });

  it("a server that cannot be reached fails the record, naming the resource, with the password redacted", async () => {
    const fsm = defineMachine(
      machine({ connection_string: "postgres://app:s3cret-pw@127.0.0.1:1/none", pool: { max: 1 } }, async (data) => data),
    );
    try {
      const result = await fsm.process({ i: 1 });
      expect(result.success).toBe(false);
      expect(result.final_state).toBe("work");
      expect(result.error).toContain("Resource acquisition failed in state 'work': resource `db`");
      expect(result.error).not.toContain("s3cret-pw");
      expect(fsm.resources?.metrics()["db"]?.failures).toBeGreaterThan(0);
    } finally {
      await fsm.close();
    }
  });
});
