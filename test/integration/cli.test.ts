/** End to end: the `fsmc` command as users run it (child processes of bin/fsmc.js). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsmc, jsonLines, tempDir } from "../support/cli.js";

const TINY = `fsm tiny {
  record In { v: number }
  network main {
    start state start: In {
      -> big when \`data.v > 10\` priority 1
      -> small
    }
    end state big
    end state small
  }
}
`;

let dir = "";
let cleanup = () => {};
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  writeFileSync(join(dir, "tiny.fsm"), TINY);
});
afterAll(() => cleanup());

describe("fsmc run", () => {
  it("writes one result per record in input order and exits 0 when all succeed", async () => {
    const r = await fsmc(["run", "tiny.fsm"], { cwd: dir, stdin: '{"v": 1}\n{"v": 20}\n\n{"v": 3}\n' });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const results = jsonLines(r.stdout);
    expect(results.map((x) => x["final_state"])).toEqual(["small", "big", "small"]);
    expect(results[1]).toEqual({ success: true, final_state: "big", data: { v: 20 }, path: ["start", "big"], error: null, metadata: { arc_start_big_usage: 1 } });
    for (const x of results) expect(Object.keys(x).sort()).toEqual(["data", "error", "final_state", "metadata", "path", "success"]);
  });

  it("exits 3 when some records fail, still writing every result (malformed lines included)", async () => {
    writeFileSync(join(dir, "in.jsonl"), '{"v": 1}\nnot json\n{"v": "x"}\n[1]\n');
    const r = await fsmc(["run", "tiny.fsm", "--input", "in.jsonl"], { cwd: dir });
    expect(r.code).toBe(3);
    const results = jsonLines(r.stdout);
    expect(results).toHaveLength(4);
    expect(results[0]?.["success"]).toBe(true);
    expect(results[1]).toMatchObject({ success: false, final_state: null, error: expect.stringContaining("invalid JSON on line 2") });
    expect(results[2]).toMatchObject({ success: false, final_state: "start", error: "Pre-validation failed for state 'start'" });
    expect(results[3]).toMatchObject({ success: false, error: "line 4 is not a JSON object" });
  });

  it("writes results to --output", async () => {
    const r = await fsmc(["run", "tiny.fsm", "--output", "out.jsonl"], { cwd: dir, stdin: '{"v": 11}\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(jsonLines(readFileSync(join(dir, "out.jsonl"), "utf8"))[0]?.["final_state"]).toBe("big");
  });

  it("exits 2 with diagnostics on stderr and nothing on stdout for an invalid definition", async () => {
    writeFileSync(join(dir, "bad.fsm"), TINY.replace("-> small", "-> smal"));
    const r = await fsmc(["run", "bad.fsm"], { cwd: dir, stdin: '{"v": 1}\n' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("bad.fsm:");
    expect(r.stderr).toMatch(/did you mean `small`/);
  });

  it("starts in --initial-state, and rejects an unknown one (FSM0905)", async () => {
    const ok = await fsmc(["run", "tiny.fsm", "--initial-state", "big"], { cwd: dir, stdin: '{"v": 1}\n' });
    expect(ok.code).toBe(0);
    expect(jsonLines(ok.stdout)[0]).toMatchObject({ success: true, final_state: "big", path: ["big"] });
    const bad = await fsmc(["run", "tiny.fsm", "--initial-state", "bgi"], { cwd: dir, stdin: '{"v": 1}\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("FSM0905");
    expect(bad.stdout).toBe("");
  });

  it("loads registered functions from --functions (FSM0904 when it cannot)", async () => {
    writeFileSync(
      join(dir, "reg.yaml"),
      "name: reg\nstates:\n  - {name: a, is_start: true, transforms: [{type: registered, name: double}]}\n  - {name: b, is_end: true}\narcs:\n  - {from: a, to: b}\n",
    );
    writeFileSync(join(dir, "fns.ts"), "export function double(data: { x: number }) { return { x: data.x * 2 }; }\n");
    const r = await fsmc(["run", "reg.yaml", "--functions", "fns.ts"], { cwd: dir, stdin: '{"x": 21}\n' });
    expect(r.stderr).toBe("");
    expect(jsonLines(r.stdout)[0]).toMatchObject({ success: true, data: { x: 42 } });
    const without = await fsmc(["run", "reg.yaml"], { cwd: dir, stdin: '{"x": 21}\n' });
    expect(without.code).toBe(2);
    expect(without.stdout).toBe("");
    expect(without.stderr).toContain("error[FSM0908]: registered function `double` is missing");
    expect(without.stderr).toContain("--functions <module>");
    const missing = await fsmc(["run", "reg.yaml", "--functions", "nope.ts"], { cwd: dir, stdin: '{"x": 21}\n' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("FSM0904");
  });

  it("reports a missing input file or output folder as FSM0901, not a crash", async () => {
    const input = await fsmc(["run", "tiny.fsm", "--input", "nope.jsonl"], { cwd: dir });
    expect(input.code).toBe(2);
    expect(input.stderr).toContain("error[FSM0901]: cannot read `nope.jsonl`");
    const output = await fsmc(["run", "tiny.fsm", "-o", "no/such/dir/out.jsonl"], { cwd: dir, stdin: '{"v": 1}\n' });
    expect(output.code).toBe(2);
    expect(output.stderr).toContain("error[FSM0901]: cannot write `no/such/dir/out.jsonl`");
  });

  it("explains a functions module that does not exist yet (FSM0904)", async () => {
    writeFileSync(join(dir, "nofn.fsm"), 'fsm nofn {\n  functions from "./nofn.functions.ts"\n  network main { start state a { do f -> d } end state d }\n}\n');
    const r = await fsmc(["run", "nofn.fsm", "--typecheck"], { cwd: dir, stdin: "{}\n" });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("`nofn.functions.ts` does not exist; run `fsmc build nofn.fsm`");
  });

  it("refuses a file with several machines (FSM0907)", async () => {
    writeFileSync(join(dir, "two.fsm"), TINY + TINY.replace("fsm tiny", "fsm other"));
    const r = await fsmc(["run", "two.fsm"], { cwd: dir, stdin: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("FSM0907");
  });
});

describe("fsmc check, build, explain", () => {
  it("check: exit 0 on a valid file, 1 with rustc-style diagnostics on errors, JSON on request", async () => {
    expect((await fsmc(["check", "tiny.fsm"], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, "bad2.fsm"), TINY.replace("-> small", "-> smal"));
    const r = await fsmc(["check", "bad2.fsm"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[FSM02\d\d\]: /m);
    expect(r.stderr).toMatch(/--> bad2\.fsm:6:10/);
    const j = await fsmc(["check", "bad2.fsm", "--format", "json"], { cwd: dir });
    const parsed = JSON.parse(j.stderr) as { code: string; line: number; column: number }[];
    expect(parsed[0]).toMatchObject({ line: 6, column: 10 });
  });

  it("check a definition outside the current directory: includes next to it resolve", async () => {
    const { dir: d, cleanup: done } = tempDir();
    try {
      mkdirSync(join(d, "sub"));
      writeFileSync(join(d, "main.yaml"), "name: m\nstates:\n  - {name: a, is_start: true, $include: frag.yaml}\n  - {name: b, is_end: true}\narcs:\n  - {from: a, to: b}\n");
      writeFileSync(join(d, "frag.yaml"), "metadata: {from_fragment: true}\n");
      const r = await fsmc(["check", "../main.yaml"], { cwd: join(d, "sub") });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    } finally {
      done();
    }
  });

  it("check: unknown file types (FSM0902) and missing files (FSM0901)", async () => {
    writeFileSync(join(dir, "x.txt"), "hello");
    const r = await fsmc(["check", "x.txt", "missing.fsm"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("FSM0902");
    expect(r.stderr).toContain("FSM0901");
  });

  it("build writes the module and stubs, never overwrites user code, and --check detects drift (FSM0906)", async () => {
    const { dir: d, cleanup: done } = tempDir();
    try {
      mkdirSync(join(d, "flow"));
      writeFileSync(join(d, "flow/flow.fsm"), 'fsm flow {\n  functions from "./flow.functions.ts"\n  network main {\n    start state a { do first -> b }\n    end state b\n  }\n}\n');
      const first = await fsmc(["build", "flow/flow.fsm"], { cwd: d });
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      const mod = readFileSync(join(d, "flow/flow.fsm.ts"), "utf8");
      expect(mod.split("\n")[0]).toBe("// Code generated by fsmc from flow/flow.fsm. DO NOT EDIT.");
      const stubs = readFileSync(join(d, "flow/flow.functions.ts"), "utf8");
      expect(stubs).toContain('NotImplementedError("first")');
      expect((await fsmc(["build", "--check", "flow/flow.fsm"], { cwd: d })).code).toBe(0);

      // the user edits their functions; a new function is referenced
      writeFileSync(join(d, "flow/flow.functions.ts"), stubs + "\n// my own code\n");
      writeFileSync(join(d, "flow/flow.fsm"), readFileSync(join(d, "flow/flow.fsm"), "utf8").replace("do first", "do first, second"));
      const stale = await fsmc(["build", "--check", "flow/flow.fsm"], { cwd: d });
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain("FSM0906");
      expect((await fsmc(["build", "flow/flow.fsm"], { cwd: d })).code).toBe(0);
      const after = readFileSync(join(d, "flow/flow.functions.ts"), "utf8");
      expect(after.startsWith(stubs + "\n// my own code\n")).toBe(true);
      expect(after).toContain("second");
      expect((await fsmc(["build", "--check", "flow/flow.fsm"], { cwd: d })).code).toBe(0);
    } finally {
      done();
    }
  });

  it("check reads the functions module: a typo is FSM0509 with a suggestion, a wrong type FSM0502", async () => {
    const { dir: d, cleanup: done } = tempDir();
    try {
      writeFileSync(join(d, "t.fsm"), 'fsm t {\n  functions from "./t.functions.ts"\n  record R { v: number }\n  network main {\n    start state a: R { do normalise -> b }\n    end state b\n  }\n}\n');
      writeFileSync(join(d, "t.functions.ts"), 'import type { R } from "./t.fsm.js";\nexport function normalize(data: R): R { return data; }\n');
      const typo = await fsmc(["check", "t.fsm", "--no-typecheck"], { cwd: d });
      expect(typo.code).toBe(0);
      expect(typo.stderr).toContain("warning[FSM0509]: `t.functions.ts` does not export `normalise`");
      expect(typo.stderr).toContain("did you mean `normalize`?");
      expect(typo.stderr).toMatch(/--> t\.fsm:5:27/);
      writeFileSync(join(d, "t.functions.ts"), 'import type { R } from "./t.fsm.js";\nexport function normalise(data: R): number { return data.v; }\n');
      const wrongType = await fsmc(["check", "t.fsm"], { cwd: d, env: { NODE_PATH: "" } });
      expect(wrongType.stderr).toContain("FSM0502");
      expect(wrongType.code).toBe(1);
    } finally {
      done();
    }
  });

  it("build --emit-ir prints the IR", async () => {
    const r = await fsmc(["build", "--emit-ir", "tiny.fsm"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "Machine", irVersion: 1, name: "tiny" });
    expect(existsSync(join(dir, "tiny.fsm.ts"))).toBe(false);
  });

  it("explain prints a code's explanation and rejects unknown codes (FSM0903)", async () => {
    const ok = await fsmc(["explain", "FSM0906"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^# FSM0906: /);
    const bad = await fsmc(["explain", "FSM9998"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("FSM0903");
  });
});

describe("the orders example", () => {
  it("is built and checked in: `fsmc build --check` passes", async () => {
    const r = await fsmc(["build", "--check", "examples/orders/orders.fsm"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("runs through `fsmc run` on its bundled records", async () => {
    const input = readFileSync(new URL("../../examples/orders/records.jsonl", import.meta.url), "utf8");
    const r = await fsmc(["run", "examples/orders/orders.fsm"], { stdin: input });
    const results = jsonLines(r.stdout);
    expect(results).toHaveLength(input.trim().split("\n").length);
    expect(new Set(results.map((x) => x["final_state"]))).toEqual(new Set(["done", "rejected"]));
    expect(r.code).toBe(0);
  });
});

