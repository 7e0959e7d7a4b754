/**
 * The stream builtins through compiled machines (YAML and DSL, compiled with the compiler API as
 * `fsmc build` does, the emitted module imported) and through `fsmc run`: a looping chunk reader,
 * a parse → aggregate → write pipeline over many records, the machine becoming asynchronous, and
 * the compile-time checks of their params (FSM0309).
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeHost } from "../../compiler/cli/host.js";
import { compile } from "../../compiler/pipeline.js";
import type { RunResult } from "../../runtime/index.js";
import { fsmc, jsonLines, tempDir } from "../support/cli.js";

/** A generated machine, untyped. */
interface Built {
  process(record: unknown): Promise<RunResult>;
  processSync(record: unknown): RunResult;
  close(): Promise<void>;
}

let dir = "";
let cleanup = () => {};
beforeAll(() => {
  ({ dir, cleanup } = tempDir("fsmc-stream-builtins-"));
  const lines = Array.from({ length: 2500 }, (_, id) => (id === 1500 ? "{broken" : JSON.stringify({ id, amount: id % 10 })));
  writeFileSync(join(dir, "orders.jsonl"), lines.join("\n") + "\n");
});
afterAll(() => cleanup());

/** Compiles `text` as `file` in the temp folder; the diagnostics (code and message) and the emitted module's text. */
function compiled(file: string, text: string): { diagnostics: string[]; module: string } {
  const result = compile([{ path: file, text }], { host: nodeHost(dir, {}) });
  return {
    diagnostics: result.diagnostics.map((d) => `${d.code} ${d.message}`),
    module: result.files.find((f) => f.role === "module")?.text ?? "",
  };
}

/** Compiles `text`, writes the module next to it and imports its factory's machine. */
async function build(file: string, text: string): Promise<Built> {
  writeFileSync(join(dir, file), text);
  const { diagnostics, module } = compiled(file, text);
  expect(diagnostics.filter((d) => !d.startsWith("FSM04"))).toEqual([]);
  const out = join(dir, `${file}.${randomUUID().slice(0, 8)}.ts`);
  writeFileSync(out, module);
  const mod = (await import(pathToFileURL(out).href)) as { default: () => Built };
  return mod.default();
}

/** Reads the input 1000 items at a time, appending each chunk's records and unreadable lines to two files, until the input is done. */
const LOOP_YAML = (input: string, output: string) => `name: chunks
states:
  - name: read
    is_start: true
    transforms:
      - {type: builtin, name: stream.chunk_reader, params: {path: "${input}", chunk_size: 1000}}
    arcs:
      - {target: copy}
  - name: copy
    transforms:
      - {type: builtin, name: stream.write, params: {path: "${output}", format: jsonl, field: chunk}}
      - {type: builtin, name: stream.write, params: {path: "${output}.errors", format: jsonl, field: chunk_errors}}
    arcs:
      - {target: read, condition: "data.has_more"}
      - {target: done}
  - {name: done, is_end: true}
`;

describe("stream builtins in compiled machines", () => {
  it("a looping chunk reader over 2,500 JSONL lines reads 3 chunks, then stops; the malformed line is in chunk_errors", async () => {
    const input = join(dir, "orders.jsonl");
    const output = join(dir, `copy-${randomUUID().slice(0, 8)}.jsonl`);
    const machine = await build("chunks.yaml", LOOP_YAML(input, output));
    const result = await machine.process({});
    expect(result.success).toBe(true);
    expect(result.final_state).toBe("done");
    expect(result.path.filter((state) => state === "read")).toHaveLength(3);
    const data = result.data as Record<string, unknown>;
    expect(data).toMatchObject({ has_more: false, _chunk_state: { index: 2500, line: 2501 } });
    expect((data["chunk"] as unknown[]).length).toBe(500);
    const copied = jsonLines(readFileSync(output, "utf8"));
    expect(copied.map((r) => r["id"])).toEqual(Array.from({ length: 2500 }, (_, id) => id).filter((id) => id !== 1500));
    // The malformed line was in the second chunk's errors; each chunk replaces the previous one's.
    expect(jsonLines(readFileSync(`${output}.errors`, "utf8"))).toEqual([{ index: 1500, line: 1501, error: expect.stringMatching(/^invalid JSON on line 1501: /) as unknown }]);
    expect(data["chunk_errors"]).toEqual([]);
    await machine.close();
  });

  it("makes the machine asynchronous: its module marks the builtin async and processSync refuses (FSMR0003)", async () => {
    const { module } = compiled("chunks-sync.yaml", LOOP_YAML("orders.jsonl", "unused.jsonl"));
    expect(module).toContain('{ name: "stream.chunk_reader", kind: "builtin", isAsync: true');
    expect(module).toContain('{ name: "stream.write", kind: "builtin", isAsync: true');
    expect(module).toMatch(/AsyncMachine/);
    const machine = await build("chunks-sync.yaml", LOOP_YAML(join(dir, "orders.jsonl"), join(dir, "unused.jsonl")));
    expect(() => machine.processSync({})).toThrow(expect.objectContaining({ code: "FSMR0003" }));
    await machine.close();
  });

  it("keeps parse and aggregate synchronous (the DSL by name): processSync runs them", async () => {
    const machine = await build(
      "tally.fsm",
      `fsm tally {
  network main {
    start state parse {
      do stream.parse { format: "csv", field: "csv", output_field: "rows" }
      do stream.aggregate { aggregations: { n: { function: "count" }, total: { function: "sum", field: "amount" } }, group_by: ["region"], max_groups: 2 }
      -> done
    }
    end state done
  }
}
`,
    );
    const first = machine.processSync({ region: "north", amount: 5, csv: "a,b\n1,2\n" });
    expect(first.success).toBe(true);
    expect(first.data).toMatchObject({ rows: [{ a: "1", b: "2" }], aggregations: [{ region: "north", n: 1, total: 5 }] });
    machine.processSync({ region: "south", amount: 1 });
    const third = machine.processSync({ region: "north", amount: 2 });
    expect((third.data as Record<string, unknown>)["aggregations"]).toEqual([
      { region: "north", n: 2, total: 7 },
      { region: "south", n: 1, total: 1 },
    ]);
    const over = machine.processSync({ region: "east", amount: 1 });
    expect(over.success).toBe(false);
    expect(JSON.stringify(over.metadata["failures"])).toContain("max_groups (2) groups are held already");
    await machine.close();
  });
});

describe("stream builtins through `fsmc run`", () => {
  it("parses, aggregates and writes each record of stdin, the state shared by the run's records", async () => {
    writeFileSync(
      join(dir, "sales.yaml"),
      `name: sales
states:
  - name: take
    is_start: true
    transforms:
      - {type: builtin, name: stream.parse, params: {format: json}}
      - {type: builtin, name: stream.aggregate, params: {aggregations: {n: {function: count}, total: {function: sum, field: amount}, biggest: {function: max, field: amount}}}}
      - {type: builtin, name: stream.write, params: {path: sales-out.csv, format: csv, field: parsed}}
    arcs:
      - {target: done}
  - {name: done, is_end: true}
`,
    );
    const stdin = ['{"amount": 3, "raw": "{\\"sku\\": \\"a\\", \\"qty\\": 1}"}', '{"amount": 9, "raw": "{\\"sku\\": \\"b\\", \\"qty\\": 2}"}', '{"amount": 4, "raw": "{\\"sku\\": "}'].join("\n");
    const r = await fsmc(["run", "sales.yaml"], { cwd: dir, stdin: `${stdin}\n` });
    const results = jsonLines(r.stdout);
    expect(results.map((x) => x["success"])).toEqual([true, true, false]);
    expect(results[1]?.["data"]).toMatchObject({ aggregation: { n: 2, total: 12, biggest: 9 }, appended_count: 1 });
    expect(JSON.stringify(results[2])).toContain("field `raw` is not valid JSON: line 1, column 9: Unexpected end of JSON input");
    // The relative path is read from the working directory of the process: the folder `fsmc run` ran in.
    expect(readFileSync(join(dir, "sales-out.csv"), "utf8")).toBe("sku,qty\r\na,1\r\nb,2\r\n");
    expect(r.code).toBe(3);
  });
});

describe("stream builtins: compile-time checks (FSM0309)", () => {
  const diagnosticsOf = (params: string, name = "stream.aggregate"): string[] =>
    compiled(
      "check.yaml",
      `name: check
states:
  - name: s
    is_start: true
    transforms:
      - {type: builtin, name: ${name}, params: ${params}}
    arcs: [{target: e}]
  - {name: e, is_end: true}
`,
    ).diagnostics;

  it("requires path and format, knows the formats, refuses yaml and xml", () => {
    expect(diagnosticsOf("{chunk_size: 10}", "stream.chunk_reader")).toEqual(["FSM0309 `stream.chunk_reader` needs the parameter `path`"]);
    expect(diagnosticsOf("{path: a.jsonl}", "stream.write")).toEqual(["FSM0309 `stream.write` needs the parameter `format`"]);
    expect(diagnosticsOf("{format: xml}", "stream.parse")).toEqual(["FSM0309 parameter `format` of `stream.parse` cannot be `xml`"]);
    expect(diagnosticsOf("{format: yaml}", "stream.parse")).toEqual(["FSM0309 parameter `format` of `stream.parse` cannot be `yaml`"]);
    expect(diagnosticsOf("{path: a.jsonl, format: parquet}", "stream.write")).toEqual(["FSM0309 parameter `format` of `stream.write` cannot be `parquet`"]);
  });

  it("requires positive whole counts", () => {
    expect(diagnosticsOf("{path: a.jsonl, chunk_size: 0}", "stream.chunk_reader")).toEqual([
      "FSM0309 parameter `chunk_size` of `stream.chunk_reader` must be a whole number above 0, not 0",
    ]);
    expect(diagnosticsOf("{aggregations: {n: {function: count}}, max_groups: 2.5}")).toEqual([
      "FSM0309 parameter `max_groups` of `stream.aggregate` must be a whole number above 0, not 2.5",
    ]);
  });

  it("checks each aggregation: its function, its field, its keys, its name against group_by", () => {
    expect(diagnosticsOf("{aggregations: {n: {function: median, field: x}}}")).toEqual(["FSM0309 parameter `aggregations.n.function` of `stream.aggregate` cannot be `median`"]);
    expect(diagnosticsOf("{aggregations: {n: {field: x}}}")).toEqual(["FSM0309 `stream.aggregate` needs the parameter `aggregations.n.function`"]);
    expect(diagnosticsOf("{aggregations: {n: {function: avg}}}")).toEqual([
      "FSM0309 `stream.aggregate` needs the parameter `aggregations.n.field` when `aggregations.n.function` is `avg`",
    ]);
    expect(diagnosticsOf("{aggregations: {n: count}}")).toEqual(["FSM0309 parameter `aggregations.n` of `stream.aggregate` must be an object `{function, field}`"]);
    expect(diagnosticsOf("{aggregations: {n: {function: count, window_size: 3}}}")).toEqual(["FSM0309 `stream.aggregate` has no parameter `aggregations.n.window_size`"]);
    expect(diagnosticsOf("{aggregations: {region: {function: count}}, group_by: [region]}")).toEqual([
      "FSM0309 `stream.aggregate` writes `region` both as a group field and as an aggregation",
    ]);
    expect(diagnosticsOf("{aggregations: {n: {function: count}, total: {function: sum, field: amount}}, group_by: [region], max_groups: 50}")).toEqual([]);
  });
});
