/**
 * Registered functions of C22 (SEMANTICS §13). The soft reject is an error named
 * `ValidationError` (decision 9): a user module need not import the runtime.
 */
import type { Ctx, Data } from "../../../../runtime/index.js";

/** The gate: raises a ValidationError ("bad") or a runtime error, as the record asks. */
export function g(data: Data, _ctx: Ctx): boolean {
  if (data["mode"] === "reject") throw Object.assign(new Error("bad"), { name: "ValidationError" });
  if (data["mode"] === "crash") throw new Error("gate blew up");
  return true;
}
