/**
 * `fsmc run` with a `custom` resource: the generated module imports the provider class named by
 * `module`/`export`, `fsmc run` links that module like the functions module, and the machine is
 * closed after the last record and on SIGTERM, so every handle the provider made is released.
 * The provider logs each call to a file, which the test reads after the child process ended.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, fsmc, jsonLines, tempDir } from "../support/cli.js";

const PROVIDER = `import { appendFileSync } from "node:fs";
import type { ResourceProvider } from "fsmc/runtime";

/** A counter handle: how often it was bumped. */
export interface Counter {
  bump(): number;
}

/** Makes counters and logs every call to the file \`log\` of its configuration. */
export class CounterProvider implements ResourceProvider<Counter> {
  readonly kind = "counter";
  readonly sync = true;
  readonly #log: string;
  constructor(config: Readonly<Record<string, unknown>>, readonly name: string) {
    this.#log = String(config["log"]);
    appendFileSync(this.#log, \`open \${name} \${Object.keys(config).sort().join(",")}\\n\`);
  }
  acquire(): Counter {
    appendFileSync(this.#log, "acquire\\n");
    let n = 0;
    return { bump: () => ++n };
  }
  release(): void {
    appendFileSync(this.#log, "release\\n");
  }
  close(): void {
    appendFileSync(this.#log, "close\\n");
  }
}
`;

const MACHINE = `fsm counting {
  resource counter: custom { module: "./counter.provider.ts", export: "CounterProvider", log: "events.log" }
  network main {
    start state count uses counter {
      do \`({ ...data, hits: ctx.resources.counter.bump() })\`
      -> done
    }
    end state done
  }
}
`;

let dir = "";
let cleanup = () => {};
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  writeFileSync(join(dir, "counter.provider.ts"), PROVIDER);
  writeFileSync(join(dir, "counting.fsm"), MACHINE);
});
afterAll(() => cleanup());

function events(): string[] {
  return readFileSync(join(dir, "events.log"), "utf8").trim().split("\n");
}

function count(list: readonly string[], event: string): number {
  return list.filter((e) => e === event).length;
}

describe("fsmc run with a custom provider", () => {
  it("imports the provider class, runs every record with its handle, and closes the machine: acquires and releases balance", async () => {
    writeFileSync(join(dir, "events.log"), "");
    const r = await fsmc(["run", "counting.fsm"], { cwd: dir, stdin: '{"id": 1}\n{"id": 2}\n{"id": 3}\n' });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const results = jsonLines(r.stdout);
    expect(results.map((x) => x["final_state"])).toEqual(["done", "done", "done"]);
    for (const x of results) expect(typeof (x["data"] as Record<string, unknown>)["hits"]).toBe("number");
    const log = events();
    // The provider gets its own keys, not `module` and `export`.
    expect(log[0]).toBe("open counter log");
    expect(count(log, "acquire")).toBeGreaterThanOrEqual(1);
    expect(count(log, "release")).toBe(count(log, "acquire"));
    expect(log[log.length - 1]).toBe("close");
  });

  it("closes the machine when SIGTERM stops the run, after the record in flight", async () => {
    writeFileSync(join(dir, "events.log"), "");
    const child = spawn(process.execPath, [join(ROOT, "bin/fsmc.js"), "run", "counting.fsm"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const firstResult = new Promise<void>((resolve) => {
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        if (stdout.includes("\n")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // stdin stays open: only the signal ends the run.
    child.stdin.write('{"id": 1}\n');
    await firstResult;
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(stderr).toBe("");
    expect(jsonLines(stdout).map((x) => x["final_state"])).toEqual(["done"]);
    const log = events();
    expect(count(log, "release")).toBe(count(log, "acquire"));
    expect(log[log.length - 1]).toBe("close");
  });

  it("reports a resource that fails when the machine is created with its FSMR code and name (FSM0909)", async () => {
    writeFileSync(join(dir, "api.fsm"), 'fsm api {\n  resource api: http { base_url: env("FSMC_TEST_UNSET_URL") }\n  network main { start state a uses api { -> b } end state b }\n}\n');
    const r = await fsmc(["run", "api.fsm"], { cwd: dir, stdin: '{"id": 1}\n' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error[FSM0909]: resource `api` failed while the machine was created (FSMR0026)");
    expect(r.stderr).toContain("FSMC_TEST_UNSET_URL");
  });

  it("reports a provider module that does not exist with its path (FSM0512)", async () => {
    writeFileSync(join(dir, "lost.fsm"), MACHINE.replace("./counter.provider.ts", "./lost.provider.ts"));
    const r = await fsmc(["run", "lost.fsm"], { cwd: dir, stdin: '{"id": 1}\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[FSM0512]: provider module `./lost.provider.ts` of resource `counter` not found");
    expect(r.stderr).toContain("lost.provider.ts");
  });
});
