/**
 * Conformance, path (a): each run case through `fsmc run <flow> --functions <module> --input -`
 * in a child process, all records of a run in one call; the JSONL results, the exit code and
 * the call journal (written by the functions module to a file) are compared.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { fsmc, jsonLines, tempDir } from "../support/cli.js";
import { readCases, recordsFor, runName } from "./support/cases.js";
import { expectResult } from "./support/compare.js";
import { JOURNAL_ENV, type JournalEntry } from "./support/journal.js";

const cases = readCases();
const scratch = tempDir("fsmc-conformance-");
afterAll(() => scratch.cleanup());

describe("conformance through `fsmc run`", () => {
  for (const c of cases) {
    for (const [index, run] of c.runs.entries()) {
      it.concurrent(`${runName(c, run)} › fsmc run`, async ({ expect }) => {
        const records = recordsFor(run, "cli");
        const stdin = records.map((r) => r.raw ?? JSON.stringify(r.input)).join("\n") + "\n";
        const journalFile = join(scratch.dir, `${c.id}-${index}.jsonl`);
        const args = ["run", run.flow, ...(run.functions !== undefined ? ["--functions", run.functions] : []), "--input", "-"];
        const out = await fsmc(args, { cwd: c.dir, stdin, env: { [JOURNAL_ENV]: journalFile } });

        if (run.createError !== undefined) {
          expect(out.code, out.stderr).toBe(2);
          expect(out.stderr).toContain(run.createError);
          expect(out.stdout).toBe("");
          return;
        }
        expect(out.stderr, "no error diagnostics").not.toMatch(/^error(\[|:)/m);
        const results = jsonLines(out.stdout);
        expect(results, `one result per input line\n${out.stderr}`).toHaveLength(records.length);
        for (const [i, r] of records.entries()) {
          expectResult(expect, results[i], r.expect, `record ${i} ${r.raw ?? JSON.stringify(r.input)}`);
        }
        expect(out.code, `exit code\n${out.stderr}`).toBe(run.exit);
        if (records.some((r) => r.expect.journal !== undefined)) {
          // `fsmc run` processes records one after the other, so the journal is their concatenation.
          const calls = existsSync(journalFile) ? (jsonLines(readFileSync(journalFile, "utf8")) as unknown as JournalEntry[]) : [];
          expect(calls, "journal").toEqual(records.flatMap((r) => r.expect.journal ?? []));
        }
      });
    }
  }
});
