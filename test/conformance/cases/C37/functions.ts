/** Registered functions of C37 (SEMANTICS §13). */
import type { Data } from "../../../../runtime/index.js";

/** Waits `data.ms` milliseconds on a real timer (the reference's awaitable 5 s sleep). */
export async function sleep_ms(data: Data): Promise<void> {
  const ms = typeof data["ms"] === "number" ? data["ms"] : 0;
  await new Promise((resolve) => setTimeout(resolve, ms));
}
