/**
 * `npm run bench -- batch-concurrency`: what `processBatch`'s concurrency buys for I/O-bound
 * records. A one-state machine calls a local HTTP server (127.0.0.1, answering after 5 ms; it
 * runs in a worker thread, so its own CPU time is not the measured thread's) through a real
 * `http` resource (pool max 64); N records go through `processBatch` with
 * `concurrency: 64` and with `concurrency: 1` (sequential), in the same process, interleaved
 * over rounds. Figure: sequential wall time / concurrent wall time (target >= 40: 64 requests
 * in flight hide most of the 5 ms wait of each). For reference, each round also times the same
 * requests sent by undici alone, 64 in flight, without a machine: the ceiling this machine's
 * loopback HTTP stack allows (`batch_64_vs_raw_undici_64` = batch time / raw time).
 * Options: --n=1000 --rounds=3 --delay=5
 */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { Agent, request } from "undici";
import { type Ctx, type Data, DEFAULT_RETRY, defineMachine, type HttpHandle, type MachineDefinition, type RunResult } from "../runtime/index.js";
import { type Figure, intArg, median, report, round } from "./lib.js";

const N = intArg("n", 1000);
const ROUNDS = intArg("rounds", 3);
const DELAY_MS = intArg("delay", 5);
const CONCURRENCY = 64;

/** `call → done`; `call` GETs `/items/<id>` from resource `api` and keeps the answer's name. */
function callMachine(baseUrl: string): MachineDefinition {
  const call = async (data: Data, ctx: Ctx): Promise<Data> => {
    const api = ctx.resources["api"] as HttpHandle;
    const answer = await api.get<{ name: string }>(`/items/${String(data["id"])}`);
    return { ...data, name: answer.body.name };
  };
  return {
    name: "batch_concurrency",
    source: "bench/batch-concurrency.bench.ts",
    mainNetwork: 0,
    networks: [{ name: "main", start: 0 }],
    states: [
      {
        name: "call",
        network: 0,
        isStart: true,
        isFinal: false,
        runOnFailure: false,
        emitOutput: true,
        preValidators: [],
        transforms: [{ name: "call", kind: "registered", isAsync: true, fn: call as never }],
        validators: [],
        arcs: [{ target: 1, priority: 0, transforms: [], resources: [] }],
        onError: -1,
        resources: [{ role: "api", name: "api" }],
      },
      { name: "done", network: 0, isStart: false, isFinal: true, runOnFailure: false, emitOutput: true, preValidators: [], transforms: [], validators: [], arcs: [], onError: -1, resources: [] },
    ],
    settings: { maxTransitions: 10, strategy: "depth_first", dataMode: "reference", retry: DEFAULT_RETRY },
    resources: [{ name: "api", type: "http", config: { base_url: baseUrl, max_retries: 0, pool: { max: CONCURRENCY } } }],
  };
}

/** The server, in a worker thread: answers every request after `delayMs` with `{ id, name }`, posts its port. */
const SERVER_SOURCE = `
const { createServer } = require("node:http");
const { parentPort, workerData } = require("node:worker_threads");
const server = createServer((req, res) => {
  setTimeout(() => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ id: Number(req.url.split("/").pop()), name: "item" }));
  }, workerData.delayMs);
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

const server = new Worker(SERVER_SOURCE, { eval: true, workerData: { delayMs: DELAY_MS } });
const [port] = (await once(server, "message")) as [number];
const machine = defineMachine(callMachine(`http://127.0.0.1:${port}`));
const records = (count: number): Data[] => Array.from({ length: count }, (_, id) => ({ id }));

/** Wall time of one batch in ms; fails when a record did not get its answer. */
async function timeBatch(concurrency: number, count: number): Promise<number> {
  const t0 = performance.now();
  const results: RunResult[] = await machine.processBatch(records(count), { concurrency });
  const ms = performance.now() - t0;
  const ok = results.filter((r) => r.success && r.data["name"] === "item").length;
  if (ok !== count) throw new Error(`only ${ok} of ${count} records got their answer: ${results.find((r) => !r.success)?.error ?? "?"}`);
  return ms;
}

const rawAgent = new Agent();

/** Wall time in ms of `count` GETs by undici alone, CONCURRENCY in flight. */
async function timeRaw(count: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (next < count) {
      const answer = await request(`http://127.0.0.1:${port}/items/${next++}`, { dispatcher: rawAgent });
      await answer.body.json();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return performance.now() - t0;
}

const sequential: number[] = [];
const concurrent: number[] = [];
const raw: number[] = [];
try {
  // Warm-up: JIT, undici's connections, the pool's handles.
  await timeBatch(CONCURRENCY, N);
  await timeBatch(1, 50);
  await timeRaw(N);
  for (let r = 0; r < ROUNDS; r++) {
    sequential.push(await timeBatch(1, N));
    concurrent.push(await timeBatch(CONCURRENCY, N));
    raw.push(await timeRaw(N));
  }
} finally {
  await machine.close();
  await rawAgent.close();
  await server.terminate();
}

const speedup = median(sequential.map((s, i) => s / (concurrent[i] ?? s)));
const figures: Record<string, Figure> = {
  concurrency_64_vs_sequential: { value: round(speedup, 1), unit: "x", target: ">= 40", pass: speedup >= 40 },
  sequential_per_record: { value: round((median(sequential) * 1000) / N, 1), unit: "µs" },
  concurrency_64_per_record: { value: round((median(concurrent) * 1000) / N, 1), unit: "µs" },
  raw_undici_64_per_record: { value: round((median(raw) * 1000) / N, 1), unit: "µs" },
  batch_64_vs_raw_undici_64: { value: round(median(concurrent.map((c, i) => c / (raw[i] ?? c))), 2), unit: "x" },
};
report(
  "batch-concurrency",
  figures,
  [
    `N = ${N} records per batch, ${ROUNDS} interleaved rounds (sequential, concurrency 64, raw undici), medians; server delay ${DELAY_MS} ms; http resource pool max ${CONCURRENCY}`,
    `per-round ms sequential ${sequential.map((x) => Math.round(x)).join("/")}, concurrency ${CONCURRENCY} ${concurrent.map((x) => Math.round(x)).join("/")}, raw undici ${CONCURRENCY} in flight ${raw.map((x) => Math.round(x)).join("/")}`,
  ],
  `npm run bench -- batch-concurrency --n=${N} --rounds=${ROUNDS}`,
);
