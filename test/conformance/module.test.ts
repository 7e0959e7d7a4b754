/**
 * Conformance, path (b): each run case compiled with the compiler API, its emitted module
 * imported, and every record run through `process` — and through `processSync` when the
 * module offers it — with a simulated clock (retry delays are recorded, never slept).
 */
import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../runtime/index.js";
import { readCases, recordsFor, runName, type RecordCase } from "./support/cases.js";
import { expectResult } from "./support/compare.js";
import { takeJournal } from "./support/journal.js";
import { buildModule, loadFunctions, type CaseMachine } from "./support/module.js";

const cases = readCases();

function describeInput(r: RecordCase, i: number): string {
  return `record ${i} ${r.raw ?? JSON.stringify(r.input)}`;
}

async function runRecord(machine: CaseMachine, clock: SimulatedClock, r: RecordCase, sync: boolean, where: string): Promise<void> {
  takeJournal();
  clock.slept = [];
  const input = structuredClone(r.input);
  const options = r.variables !== undefined ? { variables: { ...r.variables } } : undefined;
  const result = sync ? machine.processSync(input, options) : await machine.process(input, options);
  expectResult(expect, result, r.expect, where);
  const calls = takeJournal();
  if (r.expect.journal !== undefined) expect(calls, `${where}: journal`).toEqual(r.expect.journal);
  if (r.expect.slept !== undefined) expect(clock.slept, `${where}: retry delays`).toEqual(r.expect.slept);
}

describe("conformance through an imported module (compiler API)", () => {
  for (const c of cases) {
    for (const run of c.runs) {
      it(`${runName(c, run)} › module`, async () => {
        const built = await buildModule(c, run.flow);
        expect(built.offersSync, "the module offers processSync exactly when every function is synchronous").toBe(run.sync);
        const functions = await loadFunctions(c, run);
        const clock = new SimulatedClock();
        if (run.createError !== undefined) {
          expect(() => built.create({ functions, clock })).toThrow(run.createError);
          return;
        }
        const machine = built.create({ functions, clock });
        try {
          const records = recordsFor(run, "module");
          for (const [i, r] of records.entries()) {
            await runRecord(machine, clock, r, false, `process ${describeInput(r, i)}`);
            if (run.sync) await runRecord(machine, clock, r, true, `processSync ${describeInput(r, i)}`);
          }
        } finally {
          await machine.close();
        }
      });
    }
  }
});
