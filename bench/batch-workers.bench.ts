/**
 * `npm run bench -- batch-workers`: what `processBatch`'s `workers` buys for CPU-bound records.
 * The machine (bench/batch-workers/cpu.fsm, compiled with the compiler API) hashes each record's
 * seed through `--work` rounds of integer mixing in inline code, then routes on the hash. N
 * records go through `processBatch` in this thread (the synchronous driver: what one worker
 * would do, without the thread) and with `workers: 2`, in the same process, interleaved over
 * `--repeat` repetitions. The worker time includes starting the workers (each batch starts
 * its own; tsx-loaded here, since the generated module is TypeScript), measured separately as
 * `worker_startup` (a 2-record batch). Figure: in-thread time / 2-worker time (target >= 1.7);
 * `steady_state_2_vs_1` is the same ratio over the stretch from 10% to 90% of the records done
 * (startup and the workers' cold JIT left out), for reference.
 * Options: --n=100000 --work=20000 --repeat=3
 */
import { fileURLToPath } from "node:url";
import type { BatchProgress, RunResult, SyncMachine } from "../runtime/index.js";
import { buildForBench } from "./compile.js";
import { type Figure, intArg, median, report, round } from "./lib.js";

const N = intArg("n", 100_000);
const WORK = intArg("work", 20_000);
const REPEAT = intArg("repeat", 3);
const WORKERS = 2;

interface Job {
  id: number;
  seed: number;
  rounds: number;
  [key: string]: unknown;
}

const modulePath = buildForBench(fileURLToPath(new URL("./batch-workers/cpu.fsm", import.meta.url)));
const mod = (await import(modulePath)) as { createCpu: () => SyncMachine<Job, string> };
const machine = mod.createCpu();
const records: Job[] = Array.from({ length: N }, (_, id) => ({ id, seed: (id * 2_654_435_761) | 0, rounds: WORK }));

/** One batch: wall time in ms, its results, and when (ms) 10% and 90% of the records were done. */
interface Timed {
  readonly ms: number;
  readonly results: RunResult<Job, string>[];
  readonly at10: number;
  readonly at90: number;
}

/** Runs one batch, noting progress on every result to find the steady-state stretch (10%–90% done). */
async function timeBatch(workers: number, input: readonly Job[]): Promise<Timed> {
  let at10 = Number.NaN;
  let at90 = Number.NaN;
  const t0 = performance.now();
  const onProgress = (p: BatchProgress): void => {
    if (Number.isNaN(at10) && p.done >= input.length * 0.1) at10 = performance.now() - t0;
    if (Number.isNaN(at90) && p.done >= input.length * 0.9) at90 = performance.now() - t0;
  };
  const results = await machine.processBatch(input, { onProgress, progressIntervalMs: 20, ...(workers > 1 ? { workers } : {}) });
  return { ms: performance.now() - t0, results, at10, at90 };
}

// Warm-up: the JIT in this thread, tsx's transform cache for the workers.
const reference = (await timeBatch(1, records.slice(0, 2000))).results;
const warm = await timeBatch(WORKERS, records.slice(0, 2000));
if (JSON.stringify(warm.results) !== JSON.stringify(reference)) throw new Error("workers gave other results than the in-thread batch");

const inThread: number[] = [];
const inWorkers: number[] = [];
const startup: number[] = [];
/** In-thread time / 2-worker time over the 10%–90% stretch: the speed-up once the workers run. */
const steady: number[] = [];
for (let r = 0; r < REPEAT; r++) {
  const one = await timeBatch(1, records);
  const two = await timeBatch(WORKERS, records);
  if (two.results.length !== N || two.results.some((x, i) => x.data.hash !== one.results[i]?.data.hash)) throw new Error("workers gave other results than the in-thread batch");
  inThread.push(one.ms);
  inWorkers.push(two.ms);
  steady.push((one.at90 - one.at10) / (two.at90 - two.at10));
  startup.push((await timeBatch(WORKERS, records.slice(0, 2))).ms);
}
await machine.close();

const speedup = median(inThread.map((t, i) => t / (inWorkers[i] ?? t)));
const figures: Record<string, Figure> = {
  workers_2_vs_1: { value: round(speedup, 2), unit: "x", target: ">= 1.7", pass: speedup >= 1.7 },
  in_thread: { value: Math.round(median(inThread)), unit: "ms" },
  workers_2: { value: Math.round(median(inWorkers)), unit: "ms" },
  worker_startup: { value: Math.round(median(startup)), unit: "ms" },
  steady_state_2_vs_1: { value: round(median(steady), 2), unit: "x" },
};
report(
  "batch-workers",
  figures,
  [
    `N = ${N} records of ${WORK} hash rounds each, ${REPEAT} interleaved repetitions (in thread, ${WORKERS} workers, a 2-record ${WORKERS}-worker batch for startup), medians`,
    `per-repetition ms in thread ${inThread.map((x) => Math.round(x)).join("/")}, ${WORKERS} workers ${inWorkers.map((x) => Math.round(x)).join("/")}, startup ${startup.map((x) => Math.round(x)).join("/")}`,
  ],
  `npm run bench -- batch-workers --n=${N} --work=${WORK} --repeat=${REPEAT}`,
);
