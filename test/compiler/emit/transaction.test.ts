/**
 * The `transaction` setting in the emitted definition (`settings.transaction`): written only
 * when the source sets it, with the runtime's defaults filled in for what the source leaves
 * out, the same from both front ends, and type-checked against the runtime's
 * `TransactionSettings`. The golden `test/fixtures/emit/transaction` shows the whole module.
 */
import { describe, expect, it } from "vitest";
import { TRANSACTION_DEFAULTS } from "../../../compiler/emit/table.js";
import { compile } from "../../../compiler/pipeline.js";
import { DEFAULT_TRANSACTION } from "../../../runtime/index.js";
import { memoryHost } from "./host.js";

/** The `transaction:` line of the module compiled from `path` (undefined when there is none). */
function transactionLine(path: string, text: string, typecheck = false): { line: string | undefined; errors: string[] } {
  const host = { ...memoryHost({}), env: {}, projectRoot: "/project" };
  const result = compile([{ path, text }], { host, typecheck, emit: {} });
  const module = result.files.find((f) => f.path === `${path}.ts`)?.text ?? "";
  const errors = result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
  return { line: /^\s*(transaction: .*),$/m.exec(module)?.[1], errors };
}

const yaml = (transaction: string): string =>
  `name: ledger\nresources:\n  - {name: db, type: sqlite, config: {path: a.db}}\ntransaction: ${transaction}\nstates:\n  - {name: post, is_start: true, resources: [db], arcs: [{target: done}]}\n  - {name: done, is_end: true}\n`;
const dsl = (setting: string): string =>
  `fsm ledger {\n  resource db: sqlite { path: "a.db" }\n  ${setting}\n  network main { start state post uses db { -> done } end state done }\n}\n`;

describe("settings.transaction in the emitted definition", () => {
  it("fills in the runtime's own defaults", () => {
    expect(TRANSACTION_DEFAULTS).toEqual({ batchSize: DEFAULT_TRANSACTION.batchSize, rollbackOnError: DEFAULT_TRANSACTION.rollbackOnError });
  });

  it.each([
    ["transaction batch size 500 rollback batch", '{mode: batch, batch_size: 500, rollback_on_error: batch}', 'transaction: { mode: "batch", batchSize: 500, rollbackOnError: "batch" }'],
    ["transaction batch rollback record", "{strategy: batch, rollback_on_error: false}", 'transaction: { mode: "batch", batchSize: 100, rollbackOnError: "record" }'],
    ["transaction batch rollback batch", "{mode: batch, rollback_on_error: true}", 'transaction: { mode: "batch", batchSize: 100, rollbackOnError: "batch" }'],
    ["transaction single", "{strategy: single}", 'transaction: { mode: "single", batchSize: 100, rollbackOnError: "record" }'],
    ["transaction manual", "{mode: manual}", 'transaction: { mode: "manual", batchSize: 100, rollbackOnError: "record" }'],
    ["transaction none", "{mode: none}", 'transaction: { mode: "none", batchSize: 100, rollbackOnError: "record" }'],
  ])("%s (YAML %s)", (setting, transaction, expected) => {
    expect(transactionLine("ledger.fsm", dsl(setting))).toEqual({ line: expected, errors: [] });
    expect(transactionLine("ledger.yaml", yaml(transaction))).toEqual({ line: expected, errors: [] });
  });

  it("is absent when the source has no transaction setting", () => {
    expect(transactionLine("ledger.fsm", dsl(""))).toEqual({ line: undefined, errors: [] });
  });

  it("type-checks against the runtime's TransactionSettings", () => {
    expect(transactionLine("ledger.fsm", dsl("transaction batch size 20 rollback batch"), true).errors).toEqual([]);
  });
});
