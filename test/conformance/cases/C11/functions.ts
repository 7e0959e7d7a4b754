/**
 * Registered functions of C11 (SEMANTICS §13): the failing transform and journaling spies. The
 * case's second machine (where a spy `fail` replaces `boom`) is this one with a record marked
 * `clean`: then `boom` behaves as that spy.
 */
import type { Data } from "../../../../runtime/index.js";
import { journal } from "../../support/journal.js";

/** A spy transform: notes `name` in the journal and returns a copy of the record. */
function spy(name: string): (data: Data) => Data {
  return (data) => {
    journal(name);
    return { ...data };
  };
}

const spyFail = spy("fail");

/** Raises a runtime error; on a `clean` record it is the spy `fail`. */
export function boom(data: Data): Data {
  if (data["clean"] === true) return spyFail(data);
  journal("boom");
  throw new Error("boom");
}

/** Transform of the `run_on_failure` state. */
export const spy_cleanup = spy("cleanup");
/** Transform of the state after the recovery state. */
export const spy_extra = spy("extra");
