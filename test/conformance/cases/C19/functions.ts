/** Registered functions of C19 (SEMANTICS §13). */
import type { Data } from "../../../../runtime/index.js";

/** A one-parameter pre-validator (the reference calls it with two arguments, and it always fails). */
export function is_positive(data: Data): boolean {
  return typeof data["x"] === "number" && data["x"] > 0;
}
