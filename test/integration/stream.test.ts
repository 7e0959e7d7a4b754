/**
 * End to end: `fsmc stream` as users run it — formats, gzip, rejects, the accounting line, and
 * resume after `kill -9` of the child mid-stream giving outputs identical to an uninterrupted run.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsmc, jsonLines, ROOT, tempDir } from "../support/cli.js";

/** Doubles `n`; `n % 7 === 3` fails; `n % 5 === 0` ends in a silent terminal. */
const FLOW = `fsm doubler {
  record In { n: number }
  network main {
    start state double: In {
      do \`\`\`ts
        if (data.n % 7 === 3) throw new Error("unlucky " + data.n);
        data.twice = data.n * 2;
        return undefined;
      \`\`\`
      -> skipped when \`data.n % 5 === 0\` priority 1
      -> done
    }
    end state done
    end state skipped emit false
  }
}
`;

/** The same machine, slowed down (1 ms per record), for the kill test. */
const SLOW = FLOW.replace("if (data.n % 7", "await new Promise((r) => setTimeout(r, 1));\n        if (data.n % 7");

const N = 3000;
let dir = "";
let cleanup = () => {};
beforeAll(() => {
  ({ dir, cleanup } = tempDir("fsmc-stream-"));
  writeFileSync(join(dir, "flow.fsm"), FLOW);
  writeFileSync(join(dir, "slow.fsm"), SLOW);
  const lines = Array.from({ length: N }, (_, n) => (n === 42 ? "{not json" : JSON.stringify({ n })));
  writeFileSync(join(dir, "in.jsonl"), lines.join("\n") + "\n");
  writeFileSync(join(dir, "in.data"), gzipSync(lines.join("\n") + "\n"));
  writeFileSync(join(dir, "in.csv"), "n\n" + Array.from({ length: 50 }, (_, n) => String(n)).join("\n") + "\n");
});
afterAll(() => cleanup());

const expectedWritten = (count: number): number[] => Array.from({ length: count }, (_, n) => n).filter((n) => n !== 42 && n % 7 !== 3 && n % 5 !== 0);

describe("fsmc stream", () => {
  it("writes results in order, failures and unreadable lines to rejects, and a summary that adds up", async () => {
    const r = await fsmc(["stream", "flow.fsm", "--input", "in.jsonl", "--output", "out.jsonl", "--progress", "none"], { cwd: dir });
    expect(r.code).toBe(3);
    const out = jsonLines(readFileSync(join(dir, "out.jsonl"), "utf8"));
    expect(out.map((x) => x["n"])).toEqual(expectedWritten(N));
    expect(out[1]).toEqual({ n: 2, twice: 4 });
    const rejects = jsonLines(readFileSync(join(dir, "out.rejects.jsonl"), "utf8"));
    const failing = Array.from({ length: N }, (_, n) => n).filter((n) => n % 7 === 3 && n % 5 !== 0 || n === 42 || (n % 7 === 3 && n % 5 === 0));
    expect(rejects.map((x) => x["index"])).toEqual(failing);
    expect(rejects.find((x) => x["index"] === 42)).toMatchObject({ line: 43, raw: "{not json" });
    const skipped = Array.from({ length: N }, (_, n) => n).filter((n) => n !== 42 && n % 7 !== 3 && n % 5 === 0).length;
    expect(r.stderr).toContain(`fsmc stream: ${N} records`);
    expect(r.stderr).toContain(`${out.length} written, ${skipped} filtered, ${rejects.length - 1} failed, 1 unreadable`);
    expect(out.length + skipped + rejects.length).toBe(N);
  });

  it("reads gzip by its magic bytes whatever the name, and CSV with --format", async () => {
    const gz = await fsmc(["stream", "flow.fsm", "--input", "in.data", "--format", "jsonl", "--output", "gz.jsonl", "--progress", "none"], { cwd: dir });
    expect(readFileSync(join(dir, "gz.jsonl"), "utf8")).toBe(readFileSync(join(dir, "out.jsonl"), "utf8"));
    expect(gz.code).toBe(3);
    // CSV values are strings unless typed: the record type says number, so every row fails its check…
    const untyped = await fsmc(["stream", "flow.fsm", "--input", "in.csv", "--output", "-", "--rejects", "csv-rejects.jsonl", "--progress", "none"], { cwd: dir });
    expect(untyped.stderr).toContain("50 records");
    expect(untyped.stderr).toContain("0 written, 0 filtered, 50 failed");
    // …and with --columns they are numbers.
    const typed = await fsmc(["stream", "flow.fsm", "--input", "in.csv", "--columns", "n:number", "--output", "-", "--rejects", "csv-rejects.jsonl", "--progress", "none"], { cwd: dir });
    expect(jsonLines(typed.stdout).map((x) => x["n"])).toEqual(Array.from({ length: 50 }, (_, n) => n).filter((n) => n % 7 !== 3 && n % 5 !== 0));
  });

  it("resumes after kill -9 with outputs identical to an uninterrupted run", async () => {
    const full = await fsmc(["stream", "slow.fsm", "--input", "in.jsonl", "--output", "full.jsonl", "--progress", "none"], { cwd: dir });
    expect(full.code).toBe(3);
    const args = ["stream", "slow.fsm", "--input", "in.jsonl", "--output", "part.jsonl", "--checkpoint", "part.ckpt", "--checkpoint-every", "100", "--progress", "none"];
    // Start, wait for a checkpoint and some more output, then kill -9.
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, "bin/fsmc.js"), ...args], { cwd: dir, stdio: "ignore" });
      const timer = setInterval(() => {
        if (existsSync(join(dir, "part.ckpt")) && readFileSync(join(dir, "part.jsonl"), "utf8").split("\n").length > 800) {
          clearInterval(timer);
          child.kill("SIGKILL");
        }
      }, 20);
      child.on("exit", (_code, signal) => {
        clearInterval(timer);
        if (signal === "SIGKILL") resolve();
        else reject(new Error("the stream ended before it could be killed; slow it down"));
      });
    });
    expect(existsSync(join(dir, "part.ckpt"))).toBe(true);
    const resumed = await fsmc(args, { cwd: dir });
    expect(resumed.code).toBe(3);
    expect(resumed.stderr).toContain("resumed checkpoint");
    expect(readFileSync(join(dir, "part.jsonl"), "utf8")).toBe(readFileSync(join(dir, "full.jsonl"), "utf8"));
    expect(readFileSync(join(dir, "part.rejects.jsonl"), "utf8")).toBe(readFileSync(join(dir, "full.rejects.jsonl"), "utf8"));
    expect(existsSync(join(dir, "part.ckpt"))).toBe(false);
  });

  it("refuses a checkpoint with stdout output, and a missing input, with exit 2", async () => {
    const r = await fsmc(["stream", "flow.fsm", "--input", "in.jsonl", "--checkpoint", "x.ckpt", "--progress", "none"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("stdout cannot be resumed");
    const missing = await fsmc(["stream", "flow.fsm", "--input", "nope.jsonl", "--output", "o.jsonl"], { cwd: dir });
    expect(missing.code).toBe(2);
  });
});
