/**
 * The `transaction` setting checked through the real front ends and `check` (FSM0223–FSM0226):
 * which settings pass, what each problem reports and where its primary label points, and which
 * resources count as transactional. The diagnostics fixtures `transaction-*` show the rendered text.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import { compileToIr } from "../../../compiler/pipeline.js";

const host = { readFile: () => undefined, env: {}, projectRoot: "/project" };

/** The check-phase codes of a machine with `setting` and `resources` (one state uses each resource). */
function dslProblems(setting: string, resources: readonly string[] = ['db: sqlite { path: "a.db" }']): string[] {
  const names = resources.map((r) => r.slice(0, r.indexOf(":")));
  const uses = names.length > 0 ? ` uses ${names.join(", ")}` : "";
  const declarations = resources.map((r) => `  resource ${r}\n`).join("");
  const text = `fsm m {\n${declarations}  ${setting}\n  network main { start state a${uses} { -> b } end state b }\n}\n`;
  return shown(text, compileToIr([{ path: "m.fsm", text }], host).log.sorted());
}

function yamlProblems(transaction: string, resource = "{name: db, type: sqlite, config: {path: a.db}}"): string[] {
  const text = `name: m\nresources:\n  - ${resource}\ntransaction: ${transaction}\nstates: [{name: a, is_start: true, resources: [db]}, {name: b, is_end: true}]\narcs: [{from: a, to: b}]\n`;
  return shown(text, compileToIr([{ path: "m.yaml", text }], host).log.sorted());
}

function shown(text: string, diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const at = d.labels.find((l) => l.primary)?.span;
    return `${d.code} ${at ? text.slice(at.start, at.end) : "?"}: ${d.message}`;
  });
}

describe("transaction settings: accepted", () => {
  it.each([
    "transaction none",
    "transaction single",
    "transaction manual",
    "transaction batch",
    "transaction batch size 1",
    "transaction batch size 500 rollback batch",
    "transaction batch rollback record size 9007199254740991",
  ])("%s", (setting) => {
    expect(dslProblems(setting)).toEqual([]);
  });

  it.each([
    "{mode: batch, batch_size: 500, rollback_on_error: batch}",
    "{strategy: batch, batch_size: 1.0, rollback_on_error: true}",
    "{mode: batch, rollback_on_error: false}",
    "{strategy: single}",
    "{mode: manual}",
  ])("YAML %s", (transaction) => {
    expect(yamlProblems(transaction)).toEqual([]);
  });

  it.each([
    ['db: postgres { connection_string: "postgres://localhost/a" }'],
    ['db: database { path: "a.db" }'],
    ['db: database { backend: "postgres", connection_string: "postgres://localhost/a" }'],
    ['db: database { backend: "postgresql", connection_string: "postgres://localhost/a" }'],
  ])("a transactional resource: %s", (resource) => {
    expect(dslProblems("transaction single", [resource])).toEqual([]);
  });

  it("`transaction none` needs no database", () => {
    expect(dslProblems("transaction none", [])).toEqual([]);
  });
});

describe("transaction settings: problems", () => {
  it("FSM0223: a batch size on a mode without batches, at the size", () => {
    expect(dslProblems("transaction single size 10")).toEqual(["FSM0223 size 10: a batch size is set, but transaction mode `single` has no batches"]);
    expect(yamlProblems("{mode: manual, batch_size: 10}")).toEqual([
      "FSM0223 batch_size: 10: a batch size is set, but transaction mode `manual` has no batches",
    ]);
  });

  it("FSM0224: a rollback setting on a mode without batches, `rollback_on_error: false` included", () => {
    expect(dslProblems("transaction manual rollback record")).toEqual([
      "FSM0224 rollback record: what a failed record rolls back is set, but transaction mode `manual` has no batches",
    ]);
    expect(yamlProblems("{strategy: single, rollback_on_error: false}")).toEqual([
      "FSM0224 rollback_on_error: false: what a failed record rolls back is set, but transaction mode `single` has no batches",
    ]);
  });

  it("FSM0225: a mode other than `none` without a SQLite or Postgres resource is a warning", () => {
    const http = 'api: http { base_url: "https://example.com" }';
    expect(dslProblems("transaction batch", [http])).toEqual(["FSM0225 batch: transaction mode `batch` has no effect: no SQLite or Postgres resource"]);
    expect(dslProblems("transaction manual", [])).toEqual(["FSM0225 manual: transaction mode `manual` has no effect: no SQLite or Postgres resource"]);
    // A vector store on SQLite or Postgres and a custom resource do not take part in transactions.
    expect(dslProblems("transaction single", ['db: vector { backend: "sqlite", dimensions: 3, path: "v.db" }'])).toEqual([
      "FSM0225 single: transaction mode `single` has no effect: no SQLite or Postgres resource",
    ]);
    const custom = compileToIr(
      [{ path: "m.fsm", text: 'fsm m {\n  resource db: custom { module: "./p.ts" }\n  transaction single\n  network main { start end state x }\n}\n' }],
      host,
    ).log.sorted();
    expect(custom.map((d) => `${d.code} ${d.severity}`)).toContain("FSM0225 warning");
    expect(yamlProblems("{mode: single}", "{name: db, type: filesystem, config: {base_path: /tmp}}")).toEqual([
      "FSM0225 single: transaction mode `single` has no effect: no SQLite or Postgres resource",
    ]);
  });

  it("FSM0226: a batch size below 1 or not whole, at the size", () => {
    expect(dslProblems("transaction batch size 0")).toEqual(["FSM0226 size 0: the batch size must be a whole number ≥ 1, not 0"]);
    expect(dslProblems("transaction batch size 12.5")).toEqual(["FSM0226 size 12.5: the batch size must be a whole number ≥ 1, not 12.5"]);
    expect(dslProblems("transaction batch size 1e300")).toEqual(["FSM0226 size 1e300: the batch size must be a whole number ≥ 1, not 1e+300"]);
    expect(yamlProblems("{mode: batch, batch_size: -1}")).toEqual(["FSM0226 batch_size: -1: the batch size must be a whole number ≥ 1, not -1"]);
  });

  it("one cause, one error: a bad size on a mode without batches is FSM0223 only", () => {
    expect(dslProblems("transaction single size 0").map((p) => p.slice(0, 7))).toEqual(["FSM0223"]);
  });
});
