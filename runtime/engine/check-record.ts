/**
 * `machine.validate(record)` (SEMANTICS §8.1 `validate`, decision 8): the main start state's
 * record check, without running anything. The same generated check the engine runs on entry,
 * so an answer of `valid` means the record passes the start state's record type.
 */
import { errorText } from "../errors.js";
import type { RecordValidation } from "../machine/api.js";
import type { Data, SchemaIssue } from "../machine/definition.js";
import type { PreparedMachine } from "./prepare.js";

const VALID: RecordValidation = Object.freeze({ valid: true, errors: Object.freeze([]) });

/**
 * Checks `record` against the record type of `m`'s main start state. A record that is not an
 * object is invalid at pointer "" (no run would start on it); a machine without a start state
 * or without a record type on it accepts any object.
 */
export function checkStartRecord(m: PreparedMachine, record: unknown): RecordValidation {
  if (typeof record !== "object" || record === null || Array.isArray(record)) return invalid([{ pointer: "", message: "must be object" }]);
  const check = m.mainStart < 0 ? null : (m.states[m.mainStart]?.check ?? null);
  if (check === null) return VALID;
  let issues: readonly SchemaIssue[] | null;
  try {
    issues = check(record as Data);
  } catch (error) {
    // As on entry (entry.ts): a check that throws is an issue of the record, not a crash.
    issues = [{ pointer: "", message: `record-type check threw: ${errorText(error)}` }];
  }
  if (issues === null || issues.length === 0) return VALID;
  return invalid(issues.map((issue) => ({ pointer: issue.pointer, message: issue.message })));
}

function invalid(errors: readonly SchemaIssue[]): RecordValidation {
  return { valid: false, errors: Object.freeze(errors.map((e) => Object.freeze(e))) };
}
