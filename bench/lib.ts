/** Shared helpers of the benchmarks: timing, medians, the results file and the final JSON line. */
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

/** One reported figure. */
export interface Figure {
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
  readonly pass?: boolean;
}

const RESULTS = fileURLToPath(new URL("./RESULTS.md", import.meta.url));

/** Median of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/** Rounds to `digits` significant decimals. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** An integer argument `--name=value` (or the default). */
export function intArg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split("=")[1]) : fallback;
}

/** Appends a section to bench/RESULTS.md and prints the final JSON line. */
export function report(bench: string, figures: Readonly<Record<string, Figure>>, details: readonly string[], command: string): void {
  if (!existsSync(RESULTS)) writeFileSync(RESULTS, "# Benchmark results\n\nAppended by `npm run bench`; newest last.\n");
  const date = new Date().toISOString();
  const lines = [
    "",
    `## ${bench} — ${date}`,
    "",
    `Node ${process.version}, ${availableParallelism()} cores, \`${command}\``,
    "",
    "| figure | value | unit | target | pass |",
    "|---|---|---|---|---|",
    ...Object.entries(figures).map(([k, f]) => `| ${k} | ${f.value} | ${f.unit} | ${f.target ?? ""} | ${f.pass === undefined ? "" : f.pass ? "yes" : "NO"} |`),
    "",
    ...details.map((d) => `- ${d}`),
    "",
  ];
  appendFileSync(RESULTS, lines.join("\n"));
  for (const d of details) console.log(d);
  console.log(JSON.stringify({ bench, figures }));
}
