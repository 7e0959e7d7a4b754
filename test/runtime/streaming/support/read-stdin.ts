/**
 * Child process of the sources test: reads stdin through `openSource("-")` (format from argv[2],
 * JSONL by default) and prints `{ description, items }` as JSON.
 */
import type { StreamFormat } from "../../../../runtime/streaming/types.js";
import { openSource } from "../../../../runtime/streaming/sources/index.js";

const format = process.argv[2] as StreamFormat | undefined;
const source = await openSource("-", format === undefined ? {} : { format });
const items = [];
for await (const item of source) items.push(item);
process.stdout.write(JSON.stringify({ description: source.description, items }));
