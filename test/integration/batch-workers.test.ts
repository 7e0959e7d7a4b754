/** End to end: `fsmc batch --workers n` (child processes of bin/fsmc.js), docs/batch.md "`fsmc batch`". */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsmc, jsonLines, ROOT, tempDir } from "../support/cli.js";

/** A YAML machine whose registered function (a plain .mjs module) says which thread ran it. */
const THREADS_YAML = `name: threads
functions: ./threads.functions.mjs
states:
  - name: start
    is_start: true
    transforms: [{type: registered, name: mark}]
  - {name: done, is_end: true}
arcs:
  - {from: start, to: done}
`;

const THREADS_FUNCTIONS = `import { isMainThread } from "node:worker_threads";
export function mark(data) {
  return { ...data, thread: isMainThread ? "main" : "worker" };
}
`;

/** A machine whose transform sleeps 40 ms per record. */
const SLOW = `fsm slow {
  record In { v: number }
  network main {
    start state start: In {
      do \`\`\`ts
        await new Promise((r) => setTimeout(r, 40));
        return data;
      \`\`\`
      -> finished
    }
    end state finished
  }
}
`;

const TIERS = ["gold", "silver", "basic"] as const;

/**
 * 300 input lines for examples/orders: valid orders of every tier (done), blank names and
 * negative amounts (rejected), a tier outside the record type and a missing name (failures), and
 * malformed lines (failures naming their line).
 */
function ordersInput(): string {
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    const tier = TIERS[i % 3] ?? "basic";
    if (i % 37 === 5) lines.push("{not json");
    else if (i % 23 === 7) lines.push(JSON.stringify({ id: i, name: "Ada", amount: 10, tier: "platinum" }));
    else if (i % 29 === 11) lines.push(JSON.stringify({ id: i, amount: 10, tier }));
    else if (i % 11 === 3) lines.push(JSON.stringify({ id: i, name: "   ", amount: i, tier }));
    else if (i % 13 === 4) lines.push(JSON.stringify({ id: i, name: `n${i}`, amount: -i, tier }));
    else lines.push(JSON.stringify({ id: i, name: ` Name ${i} `, amount: i * 997.5, tier }));
  }
  return lines.join("\n") + "\n";
}

let dir = "";
/** The TMPDIR the children get: the command's temp folder must be created, and removed, here. */
let tmp = "";
let cleanup = () => {};
const env = (): Record<string, string> => ({ TMPDIR: tmp });
const leftovers = (): string[] => readdirSync(tmp).filter((name) => name.startsWith("fsmc-batch-"));

beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  tmp = join(dir, "tmp");
  mkdirSync(tmp);
  writeFileSync(join(dir, "orders.jsonl"), ordersInput());
  writeFileSync(join(dir, "threads.yaml"), THREADS_YAML);
  writeFileSync(join(dir, "threads.functions.mjs"), THREADS_FUNCTIONS);
  writeFileSync(join(dir, "slow.fsm"), SLOW);
  writeFileSync(join(dir, "numbers.jsonl"), Array.from({ length: 200 }, (_, v) => JSON.stringify({ v })).join("\n") + "\n");
});
afterAll(() => cleanup());

describe("fsmc batch --workers", () => {
  it("gives the results and counts of the in-thread batch on a few hundred records with failures; leaves no temp folder", async () => {
    const orders = join(ROOT, "examples/orders/orders.fsm");
    const args = ["batch", orders, "--input", "orders.jsonl", "--progress", "none", "--batch-size", "100"];
    const inThread = await fsmc(args, { cwd: dir, env: env() });
    const workers = await fsmc([...args, "--workers", "2"], { cwd: dir, env: env() });
    expect(inThread.code).toBe(3);
    expect(workers.code).toBe(3);
    expect(workers.stdout).toBe(inThread.stdout);
    const results = jsonLines(workers.stdout);
    expect(results).toHaveLength(300);
    const byState = (state: string | null) => results.filter((r) => r["final_state"] === state).length;
    expect([byState("done"), byState("rejected"), byState("validate"), byState(null)]).toEqual([227, 43, 22, 8]);
    expect(results.filter((r) => r["success"] === false)).toHaveLength(30);
    expect(results.filter((r) => String(r["error"]).startsWith("invalid JSON on line"))).toHaveLength(8);
    // The summary line: same counts (only the timing differs).
    const counts = (stderr: string) => stderr.replace(/ in [\d.]+s \(\d+\/s\)/, "");
    expect(counts(workers.stderr)).toBe(counts(inThread.stderr));
    // 8 malformed lines and 22 records failing the record type at `validate`.
    expect(counts(workers.stderr)).toBe("fsmc batch: 300 records: 270 succeeded, 30 failed, 0 cancelled; final states: done 227, rejected 43, validate 22\n");
    expect(leftovers()).toEqual([]);
  });

  it("runs the records on worker threads (a YAML machine with a .mjs functions module)", async () => {
    const args = ["batch", "threads.yaml", "--input", "numbers.jsonl", "--progress", "none"];
    const inThread = await fsmc(args, { cwd: dir, env: env() });
    const workers = await fsmc([...args, "--workers", "3", "--concurrency", "4"], { cwd: dir, env: env() });
    expect(inThread.code).toBe(0);
    expect(workers.code).toBe(0);
    const main = jsonLines(inThread.stdout);
    const threaded = jsonLines(workers.stdout);
    expect(main.map((r) => (r["data"] as { thread: string }).thread)).toEqual(Array(200).fill("main"));
    expect(threaded.map((r) => (r["data"] as { thread: string }).thread)).toEqual(Array(200).fill("worker"));
    const strip = (r: Record<string, unknown>) => ({ ...r, data: { ...(r["data"] as object), thread: undefined } });
    expect(threaded.map(strip)).toEqual(main.map(strip));
    expect(workers.stderr).toContain("200 succeeded, 0 failed, 0 cancelled; final states: done 200");
    expect(leftovers()).toEqual([]);
  });

  it("--workers 1 runs in this thread, from the written module", async () => {
    const r = await fsmc(["batch", "threads.yaml", "--input", "numbers.jsonl", "--progress", "none", "--workers", "1"], { cwd: dir, env: env() });
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).every((x) => (x["data"] as { thread: string }).thread === "main")).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it("refuses an invalid count as a usage error (exit 2)", async () => {
    for (const bad of ["0", "-1", "1.5", "two"]) {
      const r = await fsmc(["batch", "threads.yaml", "--input", "numbers.jsonl", "--workers", bad], { cwd: dir, env: env() });
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toContain("option '--workers <n>' argument");
      expect(r.stderr, bad).toContain("expected an integer >= 1");
      expect(r.stdout).toBe("");
    }
    expect(leftovers()).toEqual([]);
  });

  it("a machine that cannot go to workers (--functions) is FSM0910, exit 2, no records run, no stack", async () => {
    const functions = join(ROOT, "examples/orders/orders.functions.ts");
    const r = await fsmc(["batch", join(ROOT, "examples/orders/orders.fsm"), "--input", "orders.jsonl", "--functions", functions, "--workers", "2"], {
      cwd: dir,
      env: env(),
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error[FSM0910]: `--workers 2`: the machine cannot run in worker threads");
    expect(r.stderr).toContain("it was created with `functions`");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain("FSM9");
    expect(leftovers()).toEqual([]);
  });

  it("a definition with errors exits 2 and leaves no temp folder", async () => {
    writeFileSync(join(dir, "broken.fsm"), "fsm broken { network main { start state a { -> nowhere } } }\n");
    const r = await fsmc(["batch", "broken.fsm", "--input", "numbers.jsonl", "--workers", "2"], { cwd: dir, env: env() });
    expect(r.code).toBe(2);
    expect(leftovers()).toEqual([]);
  });

  it("SIGTERM mid-batch: one result per line, exit 143, and the temp folder (there while it ran) is removed", async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin/fsmc.js"), "batch", "slow.fsm", "--input", "numbers.jsonl", "--workers", "2", "--concurrency", "1", "--batch-size", "8", "--progress", "none"],
      { cwd: dir, env: { ...process.env, NO_COLOR: "1", TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    let during: string[] | null = null;
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (during === null) {
        during = leftovers().flatMap((name) => readdirSync(join(tmp, name)));
        child.kill("SIGTERM");
      }
    });
    const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
    expect(code).toBe(143);
    expect(during).toEqual(["slow.fsm.mjs"]);
    const results = jsonLines(stdout);
    expect(results.map((x) => (x["data"] as { v: number }).v)).toEqual(Array.from({ length: 200 }, (_, v) => v));
    expect(results.filter((x) => x["error"] === "Cancelled before it started (batch aborted)").length).toBeGreaterThan(0);
    expect(stderr).toMatch(/200 records in .*\(stopped by SIGTERM\)/);
    expect(leftovers()).toEqual([]);
    expect(existsSync(tmp)).toBe(true);
  });
});
