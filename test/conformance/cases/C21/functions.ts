/** Registered functions of C21 (SEMANTICS §13). */
import type { Ctx, Data } from "../../../../runtime/index.js";

/** A condition answering with a `[boolean, reason]` verdict. */
export function c(data: Data, _ctx: Ctx): [boolean, string] {
  return data["ok"] === true ? [true, "ok"] : [false, "nope"];
}
