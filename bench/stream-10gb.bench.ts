/**
 * `npm run bench -- stream-10gb`: the workload machine (bench/workload/workload.fsm) streamed by
 * `fsmc stream` over a 10 GB JSONL file and over a gzip file of 1 GB of JSONL, each against a bare
 * Node script doing `readline` + `JSON.parse` + the hand-written workload + `JSON.stringify` to
 * the same kind of sink, measured in the same run (DESIGN §7, issue 6). Both run as child
 * processes; peak RSS is each child's own `process.resourceUsage().maxRSS`, written at exit by a
 * preloaded module. Targets: peak RSS < 200 MB, throughput >= 0.7x the bare script.
 * The inputs are generated under the system temp folder (never committed) after checking the
 * free disk space, and removed afterwards.
 * Options: --gb=10 (plain input, GiB of JSONL) --gz-gb=1 (GiB of JSONL inside the gzip file) --dir=<tmp>
 */
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { type Figure, report, round } from "./lib.js";

const GIB = 1024 ** 3;
const numberArg = (name: string, fallback: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split("=")[1]) : fallback;
};
const PLAIN_GB = numberArg("gb", 10);
const GZ_GB = numberArg("gz-gb", 1);
const dirArg = process.argv.find((x) => x.startsWith("--dir="))?.split("=")[1];
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FLOW = join(ROOT, "bench/workload/workload.fsm");
const BIN = join(ROOT, "bin/fsmc.js");

/** The bare baseline: what a developer writes by hand for the same job. */
const BARE = `import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
function handwritten(rec) {
  const d = { id: rec.id, name: rec.name, amount: rec.amount, tier: rec.tier };
  if (!(Number.isInteger(d.id) && typeof d.name === "string" && d.name.trim() !== "" && d.amount >= 0)) return d;
  d.name = d.name.trim().toLowerCase();
  d.amount_cents = d.amount * 100;
  if (d.tier === "gold") { d.discount = Math.floor(d.amount_cents / 10); d.label = "vip"; }
  return d;
}
const [input, output, gzip] = process.argv.slice(2);
const raw = createReadStream(input);
const out = createWriteStream(output);
const rl = createInterface({ input: gzip === "gz" ? raw.pipe(createGunzip()) : raw, crlfDelay: Infinity });
let buf = "";
for await (const line of rl) {
  if (line === "") continue;
  buf += JSON.stringify(handwritten(JSON.parse(line))) + "\\n";
  if (buf.length > 65536) { if (!out.write(buf)) await new Promise((r) => out.once("drain", r)); buf = ""; }
}
out.end(buf);
await new Promise((r) => out.on("finish", r));
`;

/** Preloaded into each child: its peak RSS (KiB) goes to $RSS_OUT at exit. */
const RSS = `import { writeFileSync } from "node:fs";
process.on("exit", () => writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));
`;

const TIERS = ["gold", "silver", "basic"];

/** Writes JSONL workload records until `bytes` of JSONL were produced; gzip-compressed when asked. */
async function generate(path: string, bytes: number, gzip: boolean): Promise<number> {
  const file = createWriteStream(path);
  const out = gzip ? createGzip({ level: 1 }) : file;
  if (gzip) out.pipe(file);
  let produced = 0;
  let i = 0;
  while (produced < bytes) {
    let chunk = "";
    for (let k = 0; k < 20_000; k++, i++) {
      chunk += `{"id":${i},"name":"  User${i}  ","amount":${i % 50 === 49 ? -1 : (i * 37) % 1000},"tier":"${TIERS[i % 3]}"}\n`;
    }
    produced += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  out.end();
  await new Promise<void>((r) => file.on("close", () => r()));
  return i;
}

/** Runs a child to the end: wall time (ms) and peak RSS (MiB). */
function timed(args: readonly string[], rssFile: string, preload: string): Promise<{ ms: number; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["--import", preload, ...args], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, RSS_OUT: rssFile } });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - t0;
      if (code !== 0 && code !== 3) return reject(new Error(`${args.join(" ")} exited ${code}: ${stderr}`));
      resolve({ ms, rssMb: Number(readFileSync(rssFile, "utf8")) / 1024 });
    });
  });
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  if (statSync(a).size !== statSync(b).size) return false;
  const left = createReadStream(a, { highWaterMark: 1 << 20 })[Symbol.asyncIterator]();
  const right = createReadStream(b, { highWaterMark: 1 << 20 });
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of right as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      if (pending.length === 0) {
        const next = await left.next();
        if (next.done === true) return false;
        pending = next.value as Buffer;
      }
      const n = Math.min(pending.length, chunk.length - offset);
      if (!pending.subarray(0, n).equals(chunk.subarray(offset, offset + n))) return false;
      pending = pending.subarray(n);
      offset += n;
    }
  }
  return true;
}

const dir = mkdtempSync(join(dirArg ?? tmpdir(), "fsmc-stream-bench-"));
try {
  const free = (() => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  })();
  // Input, then one output at a time (~1.1x the input), plus the gzip input.
  const needed = PLAIN_GB * GIB * 2.2 + GZ_GB * GIB * 1.3;
  if (free < needed) {
    console.log(`not enough free disk under ${dir}: ${(free / GIB).toFixed(1)} GiB free, ${(needed / GIB).toFixed(1)} GiB needed; use --gb / --gz-gb / --dir`);
    process.exit(1);
  }
  console.log(`free disk under ${dir}: ${(free / GIB).toFixed(1)} GiB (needs ${(needed / GIB).toFixed(1)} GiB)`);
  writeFileSync(join(dir, "bare.mjs"), BARE);
  writeFileSync(join(dir, "rss.mjs"), RSS);
  const preload = join(dir, "rss.mjs");
  const figures: Record<string, Figure> = {};
  const details: string[] = [];
  for (const kind of ["plain", "gz"] as const) {
    const gb = kind === "plain" ? PLAIN_GB : GZ_GB;
    if (gb <= 0) continue;
    const input = join(dir, kind === "plain" ? "in.jsonl" : "in.jsonl.gz");
    const g0 = performance.now();
    const records = await generate(input, gb * GIB, kind === "gz");
    const inputBytes = statSync(input).size;
    console.log(`${kind}: generated ${records} records, ${(inputBytes / GIB).toFixed(2)} GiB on disk, in ${((performance.now() - g0) / 1000).toFixed(0)} s`);
    const bareOut = join(dir, "bare.jsonl");
    const fsmcOut = join(dir, "fsmc.jsonl");
    const bare = await timed([join(dir, "bare.mjs"), input, bareOut, kind === "gz" ? "gz" : ""], join(dir, "bare.rss"), preload);
    console.log(`${kind}: bare ${(bare.ms / 1000).toFixed(1)} s, ${bare.rssMb.toFixed(0)} MiB`);
    const fsmc = await timed([BIN, "stream", FLOW, "--input", input, "--output", fsmcOut, "--progress", "none"], join(dir, "fsmc.rss"), preload);
    console.log(`${kind}: fsmc stream ${(fsmc.ms / 1000).toFixed(1)} s, ${fsmc.rssMb.toFixed(0)} MiB`);
    const identical = await sameBytes(bareOut, fsmcOut);
    if (!identical) throw new Error(`${kind}: fsmc's output differs from the bare script's`);
    rmSync(bareOut);
    rmSync(fsmcOut);
    rmSync(input);
    const ratio = bare.ms / fsmc.ms;
    figures[`${kind}_peak_rss`] = { value: round(fsmc.rssMb, 1), unit: "MiB", target: "< 200", pass: fsmc.rssMb < 200 };
    figures[`${kind}_throughput_vs_bare`] = { value: round(ratio), unit: "x", target: ">= 0.7", pass: ratio >= 0.7 };
    figures[`${kind}_fsmc_rate`] = { value: round((gb * GIB) / 1048576 / (fsmc.ms / 1000), 1), unit: "MiB of JSONL/s" };
    figures[`${kind}_bare_rate`] = { value: round((gb * GIB) / 1048576 / (bare.ms / 1000), 1), unit: "MiB of JSONL/s" };
    figures[`${kind}_bare_peak_rss`] = { value: round(bare.rssMb, 1), unit: "MiB" };
    details.push(
      `${kind}: ${records} records (${gb} GiB of JSONL${kind === "gz" ? `, ${(inputBytes / GIB).toFixed(2)} GiB gzip` : ""}); fsmc ${(fsmc.ms / 1000).toFixed(1)} s (compile included) vs bare ${(bare.ms / 1000).toFixed(1)} s; outputs byte-identical`,
    );
  }
  details.push(`inputs generated under ${dir} (free ${(free / GIB).toFixed(1)} GiB before) and removed; peak RSS is each child's maxRSS`);
  report("stream-10gb", figures, details, `npm run bench -- stream-10gb --gb=${PLAIN_GB} --gz-gb=${GZ_GB}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
