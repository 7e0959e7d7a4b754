/**
 * The LLM example: starts a local fake OpenAI-compatible server (scripts/fake-llm.ts: answers
 * `classify:` prompts by keyword, counts tokens), points the machine's `llm` resource at it, runs
 * the bundled tickets with a few in flight at once, and prints the labels and the resource's
 * token usage. Against a real server: `LLM_URL=… LLM_MODEL=… LLM_API_KEY=… npx tsx run.ts --real`.
 * Run `fsmc build examples/llm-classify/classify.fsm` first (npm run demo does).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startFakeLlm } from "../../scripts/fake-llm.js";
import createClassify from "./classify.fsm.js";

const real = process.argv.includes("--real");
const fake = real ? null : await startFakeLlm({ labels: { billing: ["charged", "invoice", "refund", "payment"], technical: ["crash", "error", "bug"], shipping: ["parcel", "delivery", "shipment", "tracking"] } });
const file = fileURLToPath(new URL("./tickets.jsonl", import.meta.url));
const tickets = readFileSync(file, "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as { id: number; text: string });

const fsm = createClassify(fake === null ? {} : { resources: { llm: { base_url: fake.url, model: "fake-chat" } } });
try {
  // A few tickets in flight at once: the calls overlap; the pool and the rate limit keep them in bounds.
  const results = await Promise.all(tickets.map((t) => fsm.process(t)));
  console.log(`classify.fsm: ${tickets.length} tickets${fake === null ? "" : ` (fake LLM at ${fake.url})`}\n`);
  for (const r of results) console.log(`  #${r.data.id} ${String(r.final_state).padEnd(7)} ${(r.data.label ?? "-").padEnd(10)} ${r.data.text}`);
  const m = fsm.resources?.metrics()["llm"];
  if (m !== undefined) console.log(`\nllm usage: ${m.provider["llm_requests"] ?? 0} requests, ${m.provider["total_tokens"] ?? 0} tokens`);
} finally {
  await fsm.close();
  await fake?.close();
}
