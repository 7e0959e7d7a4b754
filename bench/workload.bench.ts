/**
 * `npm run bench -- workload`: the 6-state workload (shared/bench-workload.md) through the
 * generated module's `processSync` and `process`, a hand-written switch loop that copies each
 * record into a fresh object, and XState v5 (an actor per record, and the pure transition).
 * Every system runs in this one process, interleaved over several rounds; figures are medians.
 * Options: --n=1000000 --warmup=100000 --rounds=5 --xstate-n=100000
 */
import { fileURLToPath } from "node:url";
import { buildForBench } from "./compile.js";
import { intArg, median, report, round } from "./lib.js";
import { Checksum, EXPECTED_20K, makeRecords, type WorkRecord } from "./workload/records.js";
import { handwritten } from "./workload/handwritten.js";
import { viaActor, viaTransition } from "./workload/xstate.js";

interface SyncRunner {
  (rec: WorkRecord): { final: string | null; data: Record<string, unknown> };
}

const N = intArg("n", 1_000_000);
const WARMUP = intArg("warmup", 100_000);
const ROUNDS = intArg("rounds", 5);
// XState is ~50× slower: a smaller N keeps the run short; its rate is still records/s.
const XSTATE_N = Math.min(N, intArg("xstate-n", 100_000));

const modulePath = buildForBench(fileURLToPath(new URL("./workload/workload.fsm", import.meta.url)));
const mod = (await import(modulePath)) as {
  default: () => {
    processSync(r: WorkRecord): { final_state: string | null; data: Record<string, unknown> };
    process(r: WorkRecord): Promise<{ final_state: string | null; data: Record<string, unknown> }>;
  };
};
const fsm = mod.default();

const systems: Record<string, SyncRunner> = {
  handwritten: (r) => handwritten(r) as unknown as ReturnType<SyncRunner>,
  processSync: (r) => {
    const res = fsm.processSync(r);
    return { final: res.final_state, data: res.data };
  },
  xstate_actor: (r) => viaActor(r) as unknown as ReturnType<SyncRunner>,
  xstate_transition: (r) => viaTransition(r) as unknown as ReturnType<SyncRunner>,
};

function timeSync(run: SyncRunner, records: readonly WorkRecord[]): { rate: number; sum: Checksum } {
  const sum = new Checksum();
  const t0 = performance.now();
  for (let i = 0; i < records.length; i++) {
    const r = run(records[i] as WorkRecord);
    sum.add(r.final, r.data);
  }
  const ms = performance.now() - t0;
  return { rate: records.length / (ms / 1000), sum };
}

async function timeAsync(records: readonly WorkRecord[]): Promise<{ rate: number; sum: Checksum }> {
  const sum = new Checksum();
  const t0 = performance.now();
  for (let i = 0; i < records.length; i++) {
    const r = await fsm.process(records[i] as WorkRecord);
    sum.add(r.final_state, r.data);
  }
  const ms = performance.now() - t0;
  return { rate: records.length / (ms / 1000), sum };
}

/** The hand-written loop awaited once per record, as a caller of `process` does: the floor of any async API. */
async function timeHandAwaited(records: readonly WorkRecord[]): Promise<{ rate: number; sum: Checksum }> {
  const sum = new Checksum();
  const t0 = performance.now();
  for (let i = 0; i < records.length; i++) {
    const r = await Promise.resolve(handwritten(records[i] as WorkRecord));
    sum.add(r.final, r.data);
  }
  const ms = performance.now() - t0;
  return { rate: records.length / (ms / 1000), sum };
}

// Correctness first: every system must produce the spec's checksum at N = 20,000.
const check = makeRecords(20_000);
const expected = JSON.stringify(EXPECTED_20K);
for (const [name, run] of Object.entries(systems)) {
  const got = JSON.stringify(timeSync(run, check).sum);
  if (got !== expected) throw new Error(`${name}: checksum ${got} differs from the spec's ${expected}`);
}
{
  const got = JSON.stringify((await timeAsync(check)).sum);
  if (got !== expected) throw new Error(`process: checksum ${got} differs from the spec's ${expected}`);
}

const warm = makeRecords(WARMUP, 10_000_000);
const records = makeRecords(N);
const xrecords = records.slice(0, XSTATE_N);
const rates: Record<string, number[]> = { handwritten: [], processSync: [], process: [], handwritten_awaited: [], xstate_actor: [], xstate_transition: [] };
const sums: Record<string, string> = {};
for (const [, run] of Object.entries(systems)) timeSync(run, warm);
await timeAsync(warm);
await timeHandAwaited(warm);

for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(systems)) {
    const r = timeSync(run, name.startsWith("xstate") ? xrecords : records);
    rates[name]?.push(r.rate);
    sums[name] = JSON.stringify(r.sum);
  }
  const a = await timeAsync(records);
  rates["process"]?.push(a.rate);
  sums["process"] = JSON.stringify(a.sum);
  rates["handwritten_awaited"]?.push((await timeHandAwaited(records)).rate);
}
if (sums["processSync"] !== sums["handwritten"] || sums["process"] !== sums["handwritten"]) {
  throw new Error(`checksums differ: ${JSON.stringify(sums)}`);
}

const med = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)])) as Record<string, number>;
const hand = med["handwritten"] ?? 1;
const actor = med["xstate_actor"] ?? 1;
/** Median over rounds of a/b measured in the same round (systems of one round share the machine's state). */
const roundRatio = (a: string, b: string): number => median((rates[a] ?? []).map((x, i) => x / (rates[b]?.[i] ?? 1)));
const syncRatio = roundRatio("processSync", "handwritten");
const asyncRatio = roundRatio("process", "handwritten");
const vsActorSync = roundRatio("processSync", "xstate_actor");
const vsActorAsync = roundRatio("process", "xstate_actor");
report(
  "workload",
  {
    processSync_vs_handwritten: { value: round(syncRatio), unit: "x", target: ">= 0.8", pass: syncRatio >= 0.8 },
    process_vs_handwritten: { value: round(asyncRatio), unit: "x", target: ">= 0.5", pass: asyncRatio >= 0.5 },
    processSync_vs_xstate_actor: { value: round(vsActorSync, 1), unit: "x", target: ">= 20", pass: vsActorSync >= 20 },
    process_vs_xstate_actor: { value: round(vsActorAsync, 1), unit: "x", target: ">= 20", pass: vsActorAsync >= 20 },
    processSync_rate: { value: Math.round(med["processSync"] ?? 0), unit: "records/s" },
    process_rate: { value: Math.round(med["process"] ?? 0), unit: "records/s" },
    handwritten_rate: { value: Math.round(hand), unit: "records/s" },
    handwritten_awaited_rate: { value: Math.round(med["handwritten_awaited"] ?? 0), unit: "records/s" },
    process_vs_handwritten_awaited: { value: round(roundRatio("process", "handwritten_awaited")), unit: "x" },
    xstate_actor_rate: { value: Math.round(actor), unit: "records/s" },
    xstate_transition_rate: { value: Math.round(med["xstate_transition"] ?? 0), unit: "records/s" },
  },
  [
    `N = ${N} (XState: ${XSTATE_N}), warm-up ${WARMUP}, ${ROUNDS} interleaved rounds; ratios are medians of per-round ratios, rates medians of rounds; checksum ${sums["handwritten"]}`,
    `rates per round: ${Object.entries(rates)
      .map(([k, v]) => `${k} ${v.map((x) => Math.round(x)).join("/")}`)
      .join("; ")}`,
  ],
  `npm run bench -- workload --n=${N} --warmup=${WARMUP} --rounds=${ROUNDS}`,
);
await (fsm as unknown as { close(): Promise<void> }).close();
