/** End to end: `fsmc batch` as users run it (child processes of bin/fsmc.js). */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsmc, jsonLines, ROOT, tempDir } from "../support/cli.js";

const ORDERS = ["examples/orders/orders.fsm", "--input", "examples/orders/records.jsonl"];

/** A machine whose transform sleeps 50 ms per record (asynchronous inline code). */
const SLOW = `fsm slow {
  record In { v: number }
  network main {
    start state start: In {
      do \`\`\`ts
        await new Promise((r) => setTimeout(r, 50));
        return data;
      \`\`\`
      -> finished
    }
    end state finished
  }
}
`;

let dir = "";
let cleanup = () => {};
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  writeFileSync(join(dir, "slow.fsm"), SLOW);
});
afterAll(() => cleanup());

describe("fsmc batch", () => {
  it("writes the results of `fsmc run`, in input order, with a summary on stderr", async () => {
    const run = await fsmc(["run", ...ORDERS]);
    const batch = await fsmc(["batch", ...ORDERS]);
    expect(batch.code).toBe(0);
    expect(jsonLines(batch.stdout)).toHaveLength(20);
    expect(batch.stdout).toBe(run.stdout);
    expect(batch.stderr).toMatch(/^fsmc batch: 20 records in [\d.]+s \(\d+\/s\): 20 succeeded, 0 failed, 0 cancelled; final states: done 16, rejected 4\n$/m);
    const concurrent = await fsmc(["batch", ...ORDERS, "--concurrency", "8", "--batch-size", "3"]);
    expect(concurrent.code).toBe(0);
    expect(concurrent.stdout).toBe(run.stdout);
  });

  it("turns a malformed line into a failure result naming its line, exits 3, runs the others", async () => {
    const lines = readFileSync(join(ROOT, "examples/orders/records.jsonl"), "utf8").trim().split("\n");
    lines.splice(5, 0, "{not json");
    writeFileSync(join(dir, "bad.jsonl"), lines.join("\n") + "\n");
    const r = await fsmc(["batch", join(ROOT, "examples/orders/orders.fsm"), "--input", "bad.jsonl", "--output", "out.jsonl", "--progress", "none"], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    const results = jsonLines(readFileSync(join(dir, "out.jsonl"), "utf8"));
    expect(results).toHaveLength(21);
    expect(results[5]).toMatchObject({ success: false, final_state: null, error: expect.stringContaining("invalid JSON on line 6"), metadata: { line: 6 } });
    expect(results.filter((x) => x["success"] === true)).toHaveLength(20);
    expect(r.stderr).toContain("21 records");
    expect(r.stderr).toContain("20 succeeded, 1 failed, 0 cancelled");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("--progress lines prints at least the final line", async () => {
    const r = await fsmc(["batch", ...ORDERS, "--progress", "lines"]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(/^fsmc batch: 20 records in .*final states: done 16, rejected 4$/);
  });

  it("usage errors exit 2 (missing --input, bad --concurrency)", async () => {
    expect((await fsmc(["batch", ...ORDERS.slice(0, 1)])).code).toBe(2);
    const bad = await fsmc(["batch", ...ORDERS, "--concurrency", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected an integer >= 1");
  });

  it("SIGTERM aborts: records in flight finish, the rest are cancelled, one result per line, exit 143", async () => {
    writeFileSync(join(dir, "many.jsonl"), Array.from({ length: 60 }, (_, v) => JSON.stringify({ v })).join("\n") + "\n");
    const child = spawn(process.execPath, [join(ROOT, "bin/fsmc.js"), "batch", "slow.fsm", "--input", "many.jsonl", "--concurrency", "2", "--batch-size", "2", "--progress", "none"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      // The first results are out: the batch is running.
      if (!signalled) {
        signalled = true;
        child.kill("SIGTERM");
      }
    });
    const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
    expect(code).toBe(143);
    const results = jsonLines(stdout);
    expect(results).toHaveLength(60);
    expect(results.map((x) => (x["data"] as { v: number }).v)).toEqual(Array.from({ length: 60 }, (_, v) => v));
    expect(results[0]).toMatchObject({ success: true, final_state: "finished" });
    const cancelled = results.filter((x) => x["error"] === "Cancelled before it started (batch aborted)");
    expect(cancelled.length).toBeGreaterThan(0);
    expect(cancelled.every((x) => (x["metadata"] as { cancelled?: boolean }).cancelled === true)).toBe(true);
    expect(stderr).toMatch(/60 records in .*, \d+ cancelled.*\(stopped by SIGTERM\)/);
  });
});
