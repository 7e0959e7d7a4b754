/**
 * The SQLite example: seeds a fresh customers database in a temporary folder, builds nothing
 * itself (`npm run demo` runs `fsmc build` on enrich.fsm first), runs the bundled orders through
 * the generated module with the database path passed in, and prints a summary and the pool's
 * metrics. The machine's `close()` gives every handle back and closes the database.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import createEnrich from "./enrich.fsm.js";
import { seedCustomers } from "./seed.js";

const dir = mkdtempSync(join(tmpdir(), "fsmc-enrich-"));
const path = join(dir, "customers.db");
seedCustomers(path, 1000);

const file = fileURLToPath(new URL("./records.jsonl", import.meta.url));
const records = readFileSync(file, "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as Parameters<ReturnType<typeof createEnrich>["process"]>[0]);

const fsm = createEnrich({ resources: { db: { path } } });
const counts = new Map<string, number>();
const samples: string[] = [];
try {
  for (const [i, record] of records.entries()) {
    const result = fsm.processSync(record); // SQLite is synchronous: no await per record
    const key = result.success ? String(result.final_state) : `failed (${result.error})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (samples.length < 3 && (i < 2 || result.final_state === "unknown")) samples.push(`  order ${record.id}: ${result.path.join(" → ")}  ${JSON.stringify(result.data)}`);
  }
  const m = fsm.resources?.metrics()["db"];
  console.log(`\nenrich.fsm: ${records.length} orders enriched from ${path}\n`);
  console.log("per terminal:");
  for (const [k, v] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) console.log(`  ${k.padEnd(22)} ${v}`);
  console.log("\na few results:");
  console.log(samples.join("\n"));
  if (m !== undefined) console.log(`\npool of \`db\`: ${m.acquisitions} loans, ${m.active} in use now, ${m.idle} idle connection(s)`);
} finally {
  await fsm.close();
  rmSync(dir, { recursive: true, force: true });
}
