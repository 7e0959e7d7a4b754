/** Registered functions of C17 (SEMANTICS §13). */
import type { Data } from "../../../../runtime/index.js";
import { journal } from "../../support/journal.js";

/** A one-parameter pre-validator (the reference's `lambda state: False`): refuses unless `allowed`. */
export function is_allowed(data: Data): boolean {
  return data["allowed"] === true;
}

/** The transform of the start state: must not run when the entry is refused. */
export function log_transform(data: Data): Data {
  journal("log_transform");
  return { ...data, logged: true };
}
