/**
 * `npm run bench -- copy-vs-direct`: the cost of COPY mode over DIRECT on one machine, for
 * (a) the 6-state workload (flat records, bench/workload/workload.fsm) and (b) a record three
 * levels deep (bench/workload/nested.fsm: an object holding an array of objects holding an
 * object), each machine created once per mode from the same generated module. DIRECT changes
 * the records it is given, so every timed pass gets fresh copies of the same records, made
 * before its clock starts (COPY gets fresh copies too, so both read memory of the same age).
 * Chunks are interleaved: DIRECT, COPY, DIRECT, and a chunk's ratio is COPY's time over the mean
 * of the two DIRECT times around it (bench/workload.bench.ts explains why).
 *
 * Both machines' functions are confined inline code, so COPY runs them through the compiled
 * lane (decision E17), which DIRECT never takes. A third figure, `nested_engine_copy_vs_direct`
 * (no target), runs the nested COPY machine with `lane: false`: the engine's own copies — the
 * input copy, then at each entry only the objects the entry may write (path copies,
 * runtime/modes/path-copy.ts).
 * Options: --n=300000 --warmup=50000 --rounds=3 --chunk=50000
 */
import { fileURLToPath } from "node:url";
import { buildForBench } from "./compile.js";
import { intArg, median, report, round } from "./lib.js";
import { makeRecords } from "./workload/records.js";

const N = intArg("n", 300_000);
const WARMUP = intArg("warmup", 50_000);
const ROUNDS = intArg("rounds", 3);
const CHUNK = Math.min(N, intArg("chunk", 50_000));

/** The part of a generated machine this benchmark uses. */
interface Machine {
  processSync(r: unknown): { final_state: string | null; data: Record<string, unknown> };
  close(): Promise<void>;
}
type Factory = (options: { dataMode: "copy" | "direct"; lane?: boolean }) => Machine;
/** One timed pass over `records[from, to)`: wall time and the checksum accumulated inside the loop. */
type Timed = (records: readonly unknown[], from: number, to: number) => { ms: number; sum: number[] };

async function factoryOf(source: string): Promise<Factory> {
  const path = buildForBench(fileURLToPath(new URL(source, import.meta.url)));
  return ((await import(path)) as { default: Factory }).default;
}

/** Records of the nested workload, `from .. from+n-1`: 1 to 4 items each, every 40th with none (rejected). */
function makeNested(n: number, from = 0): unknown[] {
  const out: unknown[] = new Array<unknown>(n);
  for (let k = 0; k < n; k++) {
    const i = from + k;
    const count = i % 40 === 39 ? 0 : 1 + (i % 4);
    const items = [];
    for (let j = 0; j < count; j++) {
      items.push({ sku: `S${(i + j) % 997}`, qty: 1 + ((i + j) % 5), price: { amount: ((i * 31 + j * 17) % 20000) / 97, currency: "EUR" } });
    }
    out[k] = { id: i, customer: { name: `User${i}`, tier: i % 7 === 0 ? "new" : "known" }, cart: { currency: "EUR", items } };
  }
  return out;
}

/**
 * The timed loop of one machine, compiled separately for each (`new Function`, as in
 * workload.bench.ts: a shared loop would see every machine's result shapes). `checksum` is the
 * loop body's accumulation over `final` and `data`, written into `s0..s4`.
 */
function timedLoop(fsm: Machine, checksum: string): Timed {
  const source = `return function timed(records, from, to) {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  const t0 = performance.now();
  for (let i = from; i < to; i++) {
    const r = fsm.processSync(records[i]);
    const final = r.final_state, data = r.data;
    ${checksum}
  }
  return { ms: performance.now() - t0, sum: [s0, s1, s2, s3, s4] };
};`;
  return (new Function("fsm", source) as (fsm: Machine) => Timed)(fsm);
}

const WORKLOAD_SUM = `if (final === "done") { s0++; s3 += data.amount_cents; if (data.label === "vip") { s2++; s4 += data.discount; } } else if (final === "rejected") s1++;`;
const NESTED_SUM = `if (final === "done") { s0++; s3 += data.total; if (data.flagged === true) { s2++; s4 += data.cart.items.length; } } else if (final === "rejected") s1++;`;

/** One workload: its machines in both modes, their loops and its records. */
interface Case {
  readonly figure: string;
  /** The figure's target (COPY's time over DIRECT's), or none for an informational figure. */
  readonly target: number | undefined;
  readonly copy: Timed;
  readonly direct: Timed;
  readonly machines: readonly Machine[];
  readonly make: (n: number, from?: number) => unknown[];
}

async function caseOf(figure: string, source: string, checksum: string, make: Case["make"], lane = true): Promise<Case> {
  const create = await factoryOf(source);
  const copy = create({ dataMode: "copy", lane });
  const direct = create({ dataMode: "direct" });
  return { figure, target: lane ? 1.1 : undefined, copy: timedLoop(copy, checksum), direct: timedLoop(direct, checksum), machines: [copy, direct], make };
}

const cases = [
  await caseOf("workload_copy_vs_direct", "./workload/workload.fsm", WORKLOAD_SUM, makeRecords),
  await caseOf("nested_copy_vs_direct", "./workload/nested.fsm", NESTED_SUM, makeNested),
  await caseOf("nested_engine_copy_vs_direct", "./workload/nested.fsm", NESTED_SUM, makeNested, false),
];

const gc = (globalThis as { gc?: () => void }).gc;
/** Times one pass on fresh copies of `records[from, to)` (copied, and garbage collected, before the clock starts). */
function pass(timed: Timed, records: readonly unknown[], from: number, to: number): { ms: number; sum: number[] } {
  const fresh = structuredClone(records.slice(from, to));
  gc?.();
  return timed(fresh, 0, fresh.length);
}

const details: string[] = [];
const figures: Record<string, { value: number; unit: string; target?: string; pass?: boolean }> = {};
for (const c of cases) {
  const warm = c.make(WARMUP, 10_000_000);
  for (const timed of [c.copy, c.direct]) pass(timed, warm, 0, warm.length);
  const records = c.make(N);
  const ratios: number[] = [];
  const totals = { copy: 0, direct: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    for (let from = 0; from < N; from += CHUNK) {
      const to = Math.min(N, from + CHUNK);
      const before = pass(c.direct, records, from, to);
      const copied = pass(c.copy, records, from, to);
      const after = pass(c.direct, records, from, to);
      // Both modes must give the same results: the same checksum on every chunk.
      for (const other of [before, after]) {
        if (JSON.stringify(other.sum) !== JSON.stringify(copied.sum)) {
          throw new Error(`${c.figure}: COPY's checksum ${JSON.stringify(copied.sum)} differs from DIRECT's ${JSON.stringify(other.sum)}`);
        }
      }
      ratios.push(copied.ms / ((before.ms + after.ms) / 2));
      totals.copy += copied.ms;
      totals.direct += (before.ms + after.ms) / 2;
    }
  }
  const ratio = median(ratios);
  const sorted = [...ratios].sort((a, b) => a - b);
  figures[c.figure] = c.target === undefined ? { value: round(ratio), unit: "x (time)" } : { value: round(ratio), unit: "x (time)", target: `< ${c.target}`, pass: ratio < c.target };
  const rate = (ms: number): number => Math.round((N * ROUNDS) / (ms / 1000));
  figures[`${c.figure.replace(/_copy_vs_direct$/, "")}_copy_rate`] = { value: rate(totals.copy), unit: "records/s" };
  figures[`${c.figure.replace(/_copy_vs_direct$/, "")}_direct_rate`] = { value: rate(totals.direct), unit: "records/s" };
  details.push(
    `${c.figure}: median over ${ratios.length} chunks of COPY time / mean of the DIRECT times just before and after; interquartile range ${round(sorted[Math.floor(sorted.length * 0.25)] ?? 0)}–${round(sorted[Math.floor(sorted.length * 0.75)] ?? 0)}`,
  );
}
details.push(`N = ${N} in chunks of ${CHUNK}, warm-up ${WARMUP}, ${ROUNDS} rounds; every pass runs on fresh copies of the records, made and garbage collected before its clock starts`);
report("copy-vs-direct", figures, details, `npm run bench -- copy-vs-direct --n=${N} --warmup=${WARMUP} --rounds=${ROUNDS} --chunk=${CHUNK}`);
for (const c of cases) for (const m of c.machines) await m.close();
