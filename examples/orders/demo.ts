/**
 * The main example: builds nothing itself — `npm run demo` first runs `fsmc build` on
 * orders.fsm — then imports the generated module like an application would and runs the bundled
 * sample records through it, printing a readable summary.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import createOrders from "./orders.fsm.js";

const file = fileURLToPath(new URL("./records.jsonl", import.meta.url));
const records = readFileSync(file, "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as Parameters<ReturnType<typeof createOrders>["process"]>[0]);

const fsm = createOrders();
const counts = new Map<string, number>();
const failures: string[] = [];
const samples: string[] = [];
for (const [i, record] of records.entries()) {
  const result = await fsm.process(record);
  const key = result.success ? String(result.final_state) : `failed (${String(result.final_state)})`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if (!result.success) failures.push(`  record ${i + 1}: ${result.error}`);
  const interesting = i < 2 || result.final_state === "rejected" || (result.data as { risk?: string }).risk === "high";
  if (interesting && samples.length < 4) samples.push(`  record ${i + 1}: ${result.path.join(" → ")}\n    ${JSON.stringify(result.data)}`);
}
await fsm.close();

console.log(`orders.fsm: ${records.length} records processed\n`);
console.log("per terminal:");
for (const [k, v] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) console.log(`  ${k.padEnd(22)} ${v}`);
console.log("\na few results:");
console.log(samples.join("\n"));
if (failures.length > 0) {
  console.log("\nfailures:");
  console.log(failures.slice(0, 5).join("\n"));
}
