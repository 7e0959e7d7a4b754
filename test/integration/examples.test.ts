/**
 * The resource examples, end to end: each is built and checked in (`fsmc build --check`), its
 * script runs against real components (a seeded SQLite file; the local fake LLM server), and
 * `fsmc run` opens its resources from the declared configuration and the environment.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { seedCustomers } from "../../examples/enrich-sqlite/seed.js";
import { startFakeLlm } from "../support/fake-llm.js";
import { fsmc, jsonLines } from "../support/cli.js";

const run = promisify(execFile);
const tsx = (script: string, env: Record<string, string> = {}) =>
  run(process.execPath, ["--import", "tsx", script], { cwd: join(import.meta.dirname, "../.."), env: { ...process.env, ...env } });

describe("examples/enrich-sqlite", () => {
  it("is built and checked in", async () => {
    const r = await fsmc(["build", "--check", "examples/enrich-sqlite/enrich.fsm"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("runs its demo: orders enriched from a seeded SQLite database, every handle back in the pool", async () => {
    const { stdout } = await tsx("examples/enrich-sqlite/demo.ts");
    expect(stdout).toContain("enrich.fsm: 20 orders enriched");
    expect(stdout).toMatch(/done\s+18/);
    expect(stdout).toMatch(/unknown\s+2/);
    expect(stdout).toContain("pool of `db`: 20 loans, 0 in use now");
  });

  it("opens its database from the environment under `fsmc run`", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fsmc-enrich-run-"));
    try {
      const db = join(dir, "c.db");
      seedCustomers(db, 10);
      const input = '{"id": 1, "customer_id": 3, "amount": 10}\n{"id": 2, "customer_id": 99, "amount": 5}\n';
      const r = await fsmc(["run", "examples/enrich-sqlite/enrich.fsm"], { stdin: input, env: { ENRICH_DB: db } });
      expect(r.code).toBe(0);
      const results = jsonLines(r.stdout);
      expect(results.map((x) => x["final_state"])).toEqual(["done", "unknown"]);
      expect((results[0]?.["data"] as Record<string, unknown>)["customer"]).toBe("Customer 3");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("examples/llm-classify", () => {
  it("is built and checked in", async () => {
    const r = await fsmc(["build", "--check", "examples/llm-classify/classify.fsm"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("runs its script against the local fake LLM server", async () => {
    const { stdout } = await tsx("examples/llm-classify/run.ts");
    expect(stdout).toMatch(/#1 routed\s+billing/);
    expect(stdout).toMatch(/#5 unsure\s+other/);
    expect(stdout).toContain("llm usage: 7 requests");
  });

  it("reaches the server named by LLM_URL under `fsmc run`, with the key from LLM_API_KEY", async () => {
    const llm = await startFakeLlm({ apiKey: "sk-test-123456" });
    try {
      const input = '{"id": 1, "text": "where is my parcel delivery"}\n';
      const r = await fsmc(["run", "examples/llm-classify/classify.fsm"], { stdin: input, env: { LLM_URL: llm.url, LLM_API_KEY: "sk-test-123456" } });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(jsonLines(r.stdout)[0]?.["final_state"]).toBe("routed");
      expect(llm.calls.some((c) => c.authorization === "Bearer sk-test-123456")).toBe(true);
    } finally {
      await llm.close();
    }
  });
});
