#!/usr/bin/env node
// Runs one benchmark by name (`npm run bench -- workload`) or all of them (`npm run bench`).
// Each benchmark is bench/<name>.ts, run in a fresh process with tsx; it appends its figures to
// bench/RESULTS.md and prints one JSON object as its last stdout line.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.replace(/\.bench\.ts$/, ""))
  .sort();
const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const chosen = names.length > 0 ? names : all;
let failed = 0;
for (const name of chosen) {
  const file = join(here, `${name}.bench.ts`);
  if (!existsSync(file)) {
    console.error(`unknown benchmark \`${name}\`; available: ${all.join(", ")}`);
    process.exit(2);
  }
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", file, ...process.argv.slice(2).filter((a) => a.startsWith("-"))], {
    stdio: "inherit",
    cwd: join(here, ".."),
  });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
