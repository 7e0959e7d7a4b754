/** Registered functions of C12 (SEMANTICS §13). */
import type { Data } from "../../../../runtime/index.js";
import { journal } from "../../support/journal.js";

/** Raises a runtime error. */
export function boom(): never {
  journal("boom");
  throw new Error("boom");
}

/** The second transform of the failing state: must never run. */
export function spy_second(data: Data): Data {
  journal("spy_second");
  return { ...data };
}
