/**
 * Data modes as the engine uses them: small integer codes, the in-place restore used by
 * REFERENCE and DIRECT runs, and the guard that refuses concurrent DIRECT use of one record.
 *
 * - COPY: the input is copied; each state's entry works on a copy that is committed when the
 *   entry completes and dropped on failure (real rollback, decision 7).
 * - REFERENCE: the caller's object is used and shared; nothing is copied or rolled back.
 * - DIRECT: like REFERENCE, and a record may be in one run at a time.
 */
import type { Data, DataMode } from "../machine/definition.js";
import { deepCopy } from "./copy.js";

/** Data mode codes. */
export const COPY = 0;
/** See COPY. */
export const REFERENCE = 1;
/** See COPY. */
export const DIRECT = 2;
/** A data mode as a small integer (cheap to compare on the hot path). */
export type ModeCode = typeof COPY | typeof REFERENCE | typeof DIRECT;

/** The code of a data mode name. */
export function modeCode(mode: DataMode): ModeCode {
  switch (mode) {
    case "copy":
      return COPY;
    case "reference":
      return REFERENCE;
    case "direct":
      return DIRECT;
  }
}

/**
 * Makes `target` hold a deep copy of `snapshot`'s fields again, keeping the object's identity
 * (REFERENCE and DIRECT runs restore an arc-transform chain's record this way before a retry).
 */
export function restoreInPlace(target: Data, snapshot: Data): void {
  for (const key of Object.keys(target)) {
    if (!Object.hasOwn(snapshot, key)) delete target[key];
  }
  for (const key of Object.keys(snapshot)) target[key] = deepCopy(snapshot[key]);
}

/** Records currently worked on in place by a DIRECT run of one machine. */
export class DirectRecordGuard {
  // A Set, not a WeakSet: every claim is released in a `finally`, and a Set is several times faster.
  readonly #active = new Set<object>();

  /** Claims `record`; false when another run already holds it. */
  claim(record: object): boolean {
    if (this.#active.has(record)) return false;
    this.#active.add(record);
    return true;
  }

  release(record: object): void {
    this.#active.delete(record);
  }
}
