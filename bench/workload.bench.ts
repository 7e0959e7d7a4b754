/**
 * `npm run bench -- workload`: the 6-state workload (shared/bench-workload.md) through the
 * generated module's `processSync` and `process`, a hand-written switch loop that copies each
 * record into a fresh object, and XState v5 (an actor per record, and the pure transition).
 * Every system runs in this one process, interleaved chunk by chunk with the baseline (below).
 * Options: --n=1000000 --warmup=100000 --rounds=3 --chunk=100000 --xstate-n=20000
 */
import { fileURLToPath } from "node:url";
import { buildForBench } from "./compile.js";
import { intArg, median, report, round } from "./lib.js";
import { EXPECTED_20K, makeRecords, type WorkRecord } from "./workload/records.js";
import { handwritten } from "./workload/handwritten.js";
import { viaActor, viaTransition } from "./workload/xstate.js";

/** A system under test: one record in, its terminal (`final`) and output record (`data`) out. */
type Runner = (rec: WorkRecord) => unknown;
/** One timed pass over `records[from, to)`: wall time and the checksum accumulated inside the loop. */
type Timed = (records: readonly WorkRecord[], from: number, to: number) => { ms: number; sum: number[] } | Promise<{ ms: number; sum: number[] }>;

const N = intArg("n", 1_000_000);
const WARMUP = intArg("warmup", 100_000);
const ROUNDS = intArg("rounds", 3);
const CHUNK = Math.min(N, intArg("chunk", 100_000));
// XState is ~50× slower: a smaller share of each round keeps the run short; its rate is still records/s.
const XSTATE_N = Math.min(CHUNK, intArg("xstate-n", 20_000));

const modulePath = buildForBench(fileURLToPath(new URL("./workload/workload.fsm", import.meta.url)));
const mod = (await import(modulePath)) as {
  default: () => {
    processSync(r: WorkRecord): { final_state: string | null; data: Record<string, unknown> };
    process(r: WorkRecord): Promise<{ final_state: string | null; data: Record<string, unknown> }>;
  };
};
const fsm = mod.default();

/**
 * The timed loop of one system, compiled separately for each (`new Function`): a loop shared by
 * every system would see every system's result shapes and slow them all unevenly (megamorphic
 * property reads), so each system gets a loop of its own, identical in text. The checksum
 * (shared/bench-workload.md) is accumulated inside the loop.
 */
function timedLoop(run: Runner, finalKey: "final" | "final_state", awaited: boolean): Timed {
  const source = `return ${awaited ? "async " : ""}function timed(records, from, to) {
  let done = 0, rejected = 0, enriched = 0, cents = 0, discount = 0;
  const t0 = performance.now();
  for (let i = from; i < to; i++) {
    const r = ${awaited ? "await " : ""}run(records[i]);
    const final = r.${finalKey}, data = r.data;
    if (final === "done") {
      done++;
      cents += data.amount_cents;
      if (data.label === "vip") { enriched++; discount += data.discount; }
    } else if (final === "rejected") rejected++;
  }
  return { ms: performance.now() - t0, sum: [done, rejected, enriched, cents, discount] };
};`;
  return (new Function("run", source) as (run: Runner) => Timed)(run);
}

const systems: Record<string, Timed> = {
  handwritten: timedLoop(handwritten, "final", false),
  processSync: timedLoop((r) => fsm.processSync(r), "final_state", false),
  process: timedLoop((r) => fsm.process(r), "final_state", true),
  // The hand-written loop awaited once per record, as a caller of `process` does: the floor of any async API.
  handwritten_awaited: timedLoop((r) => Promise.resolve(handwritten(r)), "final", true),
  xstate_actor: timedLoop(viaActor, "final", false),
  xstate_transition: timedLoop(viaTransition, "final", false),
};

const checksumOf = (sum: readonly number[]): string =>
  JSON.stringify({ done: sum[0], rejected: sum[1], enriched: sum[2], sum_cents: sum[3], sum_discount: sum[4] });

// Correctness first: every system must produce the spec's checksum at N = 20,000.
const check = makeRecords(20_000);
const expected = JSON.stringify(EXPECTED_20K);
for (const [name, timed] of Object.entries(systems)) {
  const got = checksumOf((await timed(check, 0, check.length)).sum);
  if (got !== expected) throw new Error(`${name}: checksum ${got} differs from the spec's ${expected}`);
}

const warm = makeRecords(WARMUP, 10_000_000);
for (const timed of Object.values(systems)) await timed(warm, 0, warm.length);

/**
 * Interleaved chunks: each chunk of records runs through the hand-written loop, then each
 * system, then the hand-written loop again, and a system's ratio for the chunk is its rate over
 * the mean of the two baselines around it. The machine's state (frequency, neighbours, GC) drifts
 * over seconds; a baseline taken milliseconds away from the measurement drifts with it.
 */
const records = makeRecords(N);
const ratios: Record<string, number[]> = {};
const totals: Record<string, { n: number; ms: number }> = {};
const sums: Record<string, number[]> = {};
const rateOf = (n: number, ms: number): number => n / (ms / 1000);
async function measure(name: string, from: number, to: number): Promise<number> {
  const timed = systems[name] as Timed;
  const { ms, sum } = await timed(records, from, to);
  const total = (totals[name] ??= { n: 0, ms: 0 });
  total.n += to - from;
  total.ms += ms;
  const acc = (sums[`${name}@${from}`] ??= [0, 0, 0, 0, 0]);
  sum.forEach((x, i) => (acc[i] = x));
  return rateOf(to - from, ms);
}
for (let round = 0; round < ROUNDS; round++) {
  for (let from = 0; from < N; from += CHUNK) {
    const to = Math.min(N, from + CHUNK);
    const before = await measure("handwritten", from, to);
    const rates: Record<string, number> = {};
    for (const name of ["processSync", "process", "handwritten_awaited"]) rates[name] = await measure(name, from, to);
    const xTo = Math.min(to, from + XSTATE_N);
    for (const name of ["xstate_actor", "xstate_transition"]) rates[name] = await measure(name, from, xTo);
    const after = await measure("handwritten", from, to);
    const base = (before + after) / 2;
    for (const [name, rate] of Object.entries(rates)) (ratios[name] ??= []).push(rate / base);
    (ratios["process_vs_awaited"] ??= []).push((rates["process"] ?? 0) / (rates["handwritten_awaited"] ?? 1));
  }
}
// Every system's checksum of every chunk must be the hand-written loop's.
for (const [key, sum] of Object.entries(sums)) {
  const chunk = key.slice(key.indexOf("@"));
  if (key.startsWith("xstate")) continue; // a shorter slice of the chunk: checked at N = 20,000 above
  const base = sums[`handwritten${chunk}`];
  if (JSON.stringify(sum) !== JSON.stringify(base)) throw new Error(`${key}: checksum ${checksumOf(sum)} differs from the hand-written loop's ${checksumOf(base ?? [])}`);
}

const rate = (name: string): number => {
  const t = totals[name];
  return t === undefined ? 0 : rateOf(t.n, t.ms);
};
const ratio = (name: string): number => median(ratios[name] ?? []);
const syncRatio = ratio("processSync");
const asyncRatio = ratio("process");
const actorRatio = ratio("xstate_actor");
const vsActorSync = syncRatio / actorRatio;
const vsActorAsync = asyncRatio / actorRatio;
const spread = (name: string): string => {
  const xs = [...(ratios[name] ?? [])].sort((a, b) => a - b);
  return `${round(xs[Math.floor(xs.length * 0.25)] ?? 0)}–${round(xs[Math.floor(xs.length * 0.75)] ?? 0)}`;
};
report(
  "workload",
  {
    processSync_vs_handwritten: { value: round(syncRatio), unit: "x", target: ">= 0.8", pass: syncRatio >= 0.8 },
    process_vs_handwritten: { value: round(asyncRatio), unit: "x", target: ">= 0.5", pass: asyncRatio >= 0.5 },
    processSync_vs_xstate_actor: { value: round(vsActorSync, 1), unit: "x", target: ">= 20", pass: vsActorSync >= 20 },
    process_vs_xstate_actor: { value: round(vsActorAsync, 1), unit: "x", target: ">= 20", pass: vsActorAsync >= 20 },
    processSync_rate: { value: Math.round(rate("processSync")), unit: "records/s" },
    process_rate: { value: Math.round(rate("process")), unit: "records/s" },
    handwritten_rate: { value: Math.round(rate("handwritten")), unit: "records/s" },
    handwritten_awaited_rate: { value: Math.round(rate("handwritten_awaited")), unit: "records/s" },
    handwritten_awaited_vs_handwritten: { value: round(ratio("handwritten_awaited")), unit: "x" },
    process_vs_handwritten_awaited: { value: round(ratio("process_vs_awaited")), unit: "x" },
    xstate_actor_rate: { value: Math.round(rate("xstate_actor")), unit: "records/s" },
    xstate_transition_rate: { value: Math.round(rate("xstate_transition")), unit: "records/s" },
  },
  [
    `N = ${N} in chunks of ${CHUNK} (XState: the first ${XSTATE_N} of each chunk), warm-up ${WARMUP}, ${ROUNDS} rounds; each system's timed loop is its own function`,
    `ratios are medians over the ${(ratios["processSync"] ?? []).length} chunks of (system rate / mean of the hand-written rates just before and after it); interquartile ranges: processSync ${spread("processSync")}, process ${spread("process")}, handwritten_awaited ${spread("handwritten_awaited")}`,
    "rates are total records / total time per system; the XState ratios are processSync's (process's) ratio over the actor's, both against the same baselines",
  ],
  `npm run bench -- workload --n=${N} --warmup=${WARMUP} --rounds=${ROUNDS} --chunk=${CHUNK}`,
);
await (fsm as unknown as { close(): Promise<void> }).close();
