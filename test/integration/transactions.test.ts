/**
 * End to end: the `transaction` setting written in a `.fsm` and in YAML, compiled and run by
 * `fsmc batch` against a real SQLite file (docs/transactions.md). After records that fail
 * half-way, the ledger holds exactly the entries of the records that succeeded.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsmc, jsonLines, tempDir } from "../support/cli.js";

/** A transfer: the debit is written in one state, the credit in the next, which refuses amounts over 1000. */
const LEDGER = (transaction: string): string => `fsm ledger {
  ${transaction}
  resource db: sqlite { path: env("LEDGER_DB") }
  record Transfer { id: integer, amount: number }
  network main {
    start state debit: Transfer uses db {
      do \`\`\`ts
        ctx.resources.db.run("insert into ledger (id, side, amount) values (?, 'debit', ?)", [data.id, data.amount]);
        return undefined;
      \`\`\`
      -> credit
    }
    state credit uses db {
      do \`\`\`ts
        if (data.amount > 1000) throw new Error("limit exceeded");
        ctx.resources.db.run("insert into ledger (id, side, amount) values (?, 'credit', ?)", [data.id, data.amount]);
        return undefined;
      \`\`\`
      -> done
    }
    end state done
  }
}
`;

const LEDGER_YAML = `name: ledger
transaction:
  mode: batch
  batch_size: 2
  rollback_on_error: false
resources:
  - name: db
    type: sqlite
    config: {path: "\${LEDGER_DB}"}
states:
  - name: debit
    is_start: true
    resources: [db]
    transforms:
      - type: inline
        code: |
          ctx.resources.db.run("insert into ledger (id, side, amount) values (?, 'debit', ?)", [data.id, data.amount]);
          return undefined;
  - name: credit
    resources: [db]
    transforms:
      - type: inline
        code: |
          if (data.amount > 1000) throw new Error("limit exceeded");
          ctx.resources.db.run("insert into ledger (id, side, amount) values (?, 'credit', ?)", [data.id, data.amount]);
          return undefined;
  - name: done
    is_end: true
arcs:
  - from: debit
    to: credit
  - from: credit
    to: done
`;

/** Manual mode: the `database.transaction` builtin begins in `debit`, commits in `commit`; a failed credit rolls back. */
const LEDGER_MANUAL_YAML = `name: ledger
transaction: {mode: manual}
resources:
  - name: db
    type: sqlite
    config: {path: "\${LEDGER_DB}"}
states:
  - name: debit
    is_start: true
    resources: [db]
    transforms:
      - {type: builtin, name: database.transaction, params: {resource: db, action: begin}}
      - type: inline
        code: |
          ctx.resources.db.run("insert into ledger (id, side, amount) values (?, 'debit', ?)", [data.id, data.amount]);
          return undefined;
  - name: credit
    resources: [db]
    transforms:
      - type: inline
        code: |
          if (data.amount > 1000) throw new Error("limit exceeded");
          ctx.resources.db.run("insert into ledger (id, side, amount) values (?, 'credit', ?)", [data.id, data.amount]);
          return undefined;
  - name: commit
    resources: [db]
    transforms:
      - {type: builtin, name: database.transaction, params: {resource: db, action: commit}}
  - name: undo
    resources: [db]
    transforms:
      - {type: builtin, name: database.transaction, params: {resource: db, action: rollback}}
  - name: done
    is_end: true
  - name: refused
    is_end: true
arcs:
  - {from: debit, to: credit}
  - {from: credit, to: commit, condition: {type: inline, code: "data.amount <= 1000"}}
  - {from: credit, to: undo}
  - {from: commit, to: done}
  - {from: undo, to: refused}
`;

const AMOUNTS = [10, 2000, 30, 40, 5000, 60];

let dir = "";
let cleanup = () => {};
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  writeFileSync(join(dir, "transfers.jsonl"), AMOUNTS.map((amount, id) => JSON.stringify({ id, amount })).join("\n") + "\n");
});
afterAll(() => cleanup());

function freshLedger(name: string): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.exec("create table ledger (id integer not null, side text not null, amount real not null)");
  db.close();
  return path;
}

function ledger(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("select id, side from ledger order by id, side desc").all() as { id: number; side: string }[]).map((r) => `${r.id}:${r.side}`);
  } finally {
    db.close();
  }
}

const OK_IDS = AMOUNTS.map((amount, id) => ({ amount, id })).filter((t) => t.amount <= 1000).map((t) => t.id);
const BOTH_SIDES = OK_IDS.flatMap((id) => [`${id}:debit`, `${id}:credit`]);

describe("transactions end to end (fsmc batch, SQLite)", () => {
  it("without a transaction, a failed transfer leaves its debit behind (the contrast)", async () => {
    writeFileSync(join(dir, "none.fsm"), LEDGER(""));
    const path = freshLedger("none.db");
    const r = await fsmc(["batch", "none.fsm", "--input", "transfers.jsonl", "--progress", "none"], { cwd: dir, env: { LEDGER_DB: path } });
    expect(r.code).toBe(3);
    expect(ledger(path)).toContain("1:debit");
  });

  it("`transaction single` (.fsm): a failed transfer leaves nothing; the others both sides", async () => {
    writeFileSync(join(dir, "single.fsm"), LEDGER("transaction single"));
    const path = freshLedger("single.db");
    const r = await fsmc(["batch", "single.fsm", "--input", "transfers.jsonl", "--progress", "none"], { cwd: dir, env: { LEDGER_DB: path } });
    expect(r.code).toBe(3);
    const results = jsonLines(r.stdout);
    expect(results.map((x) => x["success"])).toEqual(AMOUNTS.map((a) => a <= 1000));
    // A rolled-back record comes back as it went in.
    expect(results[1]?.["data"]).toEqual({ id: 1, amount: 2000 });
    expect(ledger(path)).toEqual(BOTH_SIDES);
  });

  it("`transaction batch size 2 rollback batch` (.fsm): a failure takes its whole batch with it", async () => {
    writeFileSync(join(dir, "batch.fsm"), LEDGER("transaction batch size 2 rollback batch"));
    const path = freshLedger("batch.db");
    const r = await fsmc(["batch", "batch.fsm", "--input", "transfers.jsonl", "--progress", "none"], { cwd: dir, env: { LEDGER_DB: path } });
    const results = jsonLines(r.stdout);
    // Batches: [0 1] rolled back at 1; [2 3] committed; [4] rolled back at 4; [5] committed.
    expect(results.map((x) => x["success"])).toEqual([false, false, true, true, false, true]);
    expect(results[0]?.["error"]).toContain("Rolled back with its batch");
    expect(ledger(path)).toEqual(["2:debit", "2:credit", "3:debit", "3:credit", "5:debit", "5:credit"]);
  });

  it("YAML manual mode with the database.transaction builtin: begin, commit, or roll back on the refused branch", async () => {
    writeFileSync(join(dir, "manual.yaml"), LEDGER_MANUAL_YAML);
    const path = freshLedger("manual.db");
    const r = await fsmc(["batch", "manual.yaml", "--input", "transfers.jsonl", "--progress", "none"], { cwd: dir, env: { LEDGER_DB: path } });
    const results = jsonLines(r.stdout);
    expect(results.map((x) => x["final_state"])).toEqual(AMOUNTS.map((a) => (a <= 1000 ? "done" : "refused")));
    expect(results[0]?.["data"]).toMatchObject({ transaction_active: false });
    expect(ledger(path)).toEqual(BOTH_SIDES);
  });

  it("YAML `transaction: {mode: batch, batch_size: 2, rollback_on_error: false}`: only the failed records' writes are undone", async () => {
    writeFileSync(join(dir, "ledger.yaml"), LEDGER_YAML);
    const path = freshLedger("yaml.db");
    const r = await fsmc(["batch", "ledger.yaml", "--input", "transfers.jsonl", "--progress", "none"], { cwd: dir, env: { LEDGER_DB: path } });
    expect(r.stderr).toContain("4 succeeded, 2 failed");
    expect(ledger(path)).toEqual(BOTH_SIDES);
  });
});
