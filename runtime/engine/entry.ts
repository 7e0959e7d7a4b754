/**
 * The state-entry procedure (SEMANTICS §2.2 with our fixes): set state and path, resources,
 * pre-validators (a refusal fails the entry), the record-type check (decision 8), transforms
 * (skipped after an earlier failure unless `run_on_failure`; results per E4), post-validators
 * (E2). In COPY mode the entry works on a copy that is committed when it completes and dropped
 * when it fails (decision 7).
 *
 * Each `continue*` function calls its slots in a loop while they answer synchronously; a
 * thenable suspends the run, and the matching `*_RESULT` phase judges the value and continues
 * the loop.
 */
import { errorText } from "../errors.js";
import type { SchemaIssue } from "../machine/definition.js";
import { COPY } from "../modes/modes.js";
import {
  badTransformResult,
  isRecordObject,
  isVerdict,
  preValidationFailed,
  routeError,
  stateError,
  transitionFailed,
  verdictReason,
} from "./outcomes.js";
import {
  ACQUIRED,
  BY_ARC,
  BY_PUSH,
  BY_RETURN,
  BY_START,
  CONTINUE,
  LOOP,
  type Phase,
  PRE_RESULT,
  SUSPEND,
  TRANSFORM_RESULT,
  VALIDATE_RESULT,
} from "./phase.js";
import { leavingState } from "./hooks.js";
import { inheritScope, type PreparedArc, type PreparedSlot, withHandles } from "./prepare.js";
import { undoPush } from "./push.js";
import type { Run } from "./run.js";

const NO_HANDLES: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_ROLES: Readonly<Record<string, string>> = Object.freeze({});

/** ENTER: makes `run.target` the current state and runs its entry procedure. */
export function enterState(run: Run): Phase {
  if (run.hooks !== null) leavingState(run);
  const st = run.m.states[run.target]!;
  if (run.left !== null && run.state >= 0) run.left[run.state] = run.generation;
  run.st = st;
  run.state = st.index;
  const kind = run.entryKind;
  // An arc's event stands for its use and its target's entry (trace.ts); other entries note the state.
  run.note(kind === BY_ARC || kind === BY_PUSH ? -1 - (run.arc as PreparedArc).id : st.index);
  // Arcs, pushes and error routes count as transitions; the first entry and a return after a pop do not.
  if (kind !== BY_START && kind !== BY_RETURN) run.counter++;
  // Every function that runs while this state is current names it (arc functions name their source).
  run.ctx.state_name = st.name;
  run.ctx.network_name = st.networkName;
  run.scope = run.inherited === null ? st.scope : inheritScope(run.inherited, st.name, st.scope);
  const res = run.res;
  if (res !== null) {
    // Leaving a state gives its handles back (and a pop, the sub-network's and the pushing state's).
    const level = run.stack === null ? 0 : run.stack.length;
    res.releaseFrom(level);
    if (st.own.length > 0) {
      let got: Readonly<Record<string, unknown>> | Promise<Readonly<Record<string, unknown>>>;
      try {
        const inherited = run.inherited;
        got = res.acquireState(level, st.index, st.own, inherited?.handles ?? NO_HANDLES, inherited?.roles ?? NO_ROLES);
      } catch (error) {
        return acquisitionFailed(run, error);
      }
      if (got instanceof Promise) return run.answer(got, ACQUIRED);
      run.scope = withHandles(run.scope, got);
    }
  }
  return beginEntry(run);
}

/** ACQUIRED: the state's handles arrived (or their acquisition failed); the entry goes on. */
export function resumeEntryAfterAcquire(run: Run): Phase {
  if (run.threw) return acquisitionFailed(run, run.result);
  run.scope = withHandles(run.scope, run.result as Readonly<Record<string, unknown>>);
  return beginEntry(run);
}

/**
 * A resource of the entered state could not be acquired (the provider failed, the pool timed
 * out): a record error of that state naming the resource — routed by its `on error` target,
 * else the run ends there. An arc's transform result is dropped, as for a refused entry.
 */
function acquisitionFailed(run: Run, error: unknown): Phase {
  const st = run.st;
  const reason = errorText(error);
  run.noteFailure(st.name, null, "resources", reason);
  if (run.entryKind === BY_ARC && run.arcCopy) run.data = run.arcBase;
  return stateError(run, st, `Resource acquisition failed in state '${st.name}': ${reason}`);
}

/** The entry procedure proper, once the state's resources are held. */
function beginEntry(run: Run): Phase {
  const st = run.st;
  if (st.isPassive) {
    // Nothing to call, nothing to roll back: the entry commits the record as it stands.
    run.entryCopied = false;
    if (!st.keepsFresh) run.fresh = false;
    run.entryBase = null;
    return LOOP;
  }
  const works =
    st.pre.length > 0 || ((st.transforms.length > 0 || st.validators.length > 0) && (run.failed === null || st.runOnFailure));
  run.entryCopied = false;
  if (works && (st.mode === -1 ? run.mode : st.mode) === COPY) {
    run.entryCopied = true;
    if (run.fresh) {
      run.entryBase = null;
    } else {
      run.entryBase = run.data;
      run.data = st.copier.copy(run.data);
    }
  }
  if (!st.keepsFresh) run.fresh = false;
  // Under a transaction, the writes of an entry that has resources are undone with its record.
  if (run.tx !== null && (st.own.length > 0 || run.inherited !== null)) run.tx.markEntry();
  run.i = 0;
  return st.pre.length > 0 ? continuePreValidators(run) : checkRecord(run);
}

/** Calls the pre-validators from `run.i` on, then the record-type check. */
function continuePreValidators(run: Run): Phase {
  const st = run.st;
  const slots = st.pre;
  const ctx = run.ctx;
  while (run.i < slots.length) {
    const slot = slots[run.i]!;
    ctx.function_name = slot.name;
    ctx.metadata = run.scope.preMeta;
    ctx.resources = run.scope.handles;
    if (run.call(slot.fn, PRE_RESULT) === SUSPEND) return SUSPEND;
    const next = judgePreValidator(run);
    if (next !== CONTINUE) return next;
  }
  return checkRecord(run);
}

/** PRE_RESULT: judges a resumed pre-validator, then continues with the next. */
export function resumePreValidators(run: Run): Phase {
  const next = judgePreValidator(run);
  return next !== CONTINUE ? next : continuePreValidators(run);
}

/** `false`, `[false, reason]` or a throw refuses the entry; an object is merged into the record (E4). */
function judgePreValidator(run: Run): Phase {
  const slot = run.st.pre[run.i]!;
  const value = run.result;
  if (run.threw) return refuseEntry(run, slot.name, errorText(value));
  if (value === false) return refuseEntry(run, slot.name, `pre-validator \`${slot.name}\` returned false`);
  if (isVerdict(value)) {
    if (!value[0]) return refuseEntry(run, slot.name, verdictReason(value, `pre-validator \`${slot.name}\` returned false`));
  } else if (isRecordObject(value)) {
    Object.assign(run.data, value);
  }
  run.i++;
  return CONTINUE;
}

/**
 * The state's record type (decision 8). A mismatch fails the entry like a pre-validator, with
 * the issues in `metadata.schema_errors`; with an `on error` target it is the state's own record
 * error instead (E3). Then the transforms start, unless an earlier failure skips them (§2.6).
 */
function checkRecord(run: Run): Phase {
  const st = run.st;
  if (st.check !== null) {
    let issues: readonly SchemaIssue[] | null;
    try {
      issues = st.check(run.data);
    } catch (error) {
      issues = [{ pointer: "", message: `record-type check threw: ${errorText(error)}` }];
    }
    if (issues !== null && issues.length > 0) {
      run.schemaErrors = issues.map((issue) => ({ pointer: issue.pointer, message: issue.message }));
      if (st.onError < 0) return refuseEntry(run, null, "the record does not match the state's record type");
      run.noteFailure(st.name, null, "schema", preValidationFailed(st.name));
      if (run.entryCopied) run.restoreEntry();
      if (run.tx !== null) run.tx.undoEntry();
      return routeError(run, st, preValidationFailed(st.name));
    }
  }
  if (run.failed !== null && !st.runOnFailure) return commitEntry(run);
  run.i = 0;
  return continueTransforms(run);
}

/** Calls the transforms from `run.i` on, then the validators. */
function continueTransforms(run: Run): Phase {
  const st = run.st;
  const slots = st.transforms;
  const ctx = run.ctx;
  while (run.i < slots.length) {
    const slot = slots[run.i]!;
    ctx.function_name = slot.name;
    ctx.metadata = run.scope.transformMeta;
    ctx.resources = run.scope.handles;
    if (run.call(slot.fn, TRANSFORM_RESULT) === SUSPEND) return SUSPEND;
    const next = judgeTransform(run);
    if (next !== CONTINUE) return next;
  }
  if (st.validators.length === 0) return commitEntry(run);
  run.i = 0;
  return continueValidators(run);
}

/** TRANSFORM_RESULT: judges a resumed transform, then continues. */
export function resumeTransforms(run: Run): Phase {
  const next = judgeTransform(run);
  return next !== CONTINUE ? next : continueTransforms(run);
}

/** Nothing keeps the record, an object replaces it, anything else fails the state (E4). */
function judgeTransform(run: Run): Phase {
  const slot = run.st.transforms[run.i]!;
  const value = run.result;
  if (run.threw) return failState(run, slot, "transform", errorText(value));
  if (value !== undefined && value !== null) {
    if (!isRecordObject(value)) return failState(run, slot, "transform", badTransformResult(slot.name, value));
    run.data = value;
  }
  run.i++;
  return CONTINUE;
}

/** Calls the post-validators from `run.i` on (after the transforms, decision E2). */
function continueValidators(run: Run): Phase {
  const st = run.st;
  const slots = st.validators;
  const ctx = run.ctx;
  while (run.i < slots.length) {
    const slot = slots[run.i]!;
    ctx.function_name = slot.name;
    ctx.metadata = run.scope.validateMeta;
    ctx.resources = run.scope.handles;
    if (run.call(slot.fn, VALIDATE_RESULT) === SUSPEND) return SUSPEND;
    const next = judgeValidator(run);
    if (next !== CONTINUE) return next;
  }
  return commitEntry(run);
}

/** VALIDATE_RESULT: judges a resumed validator, then continues. */
export function resumeValidators(run: Run): Phase {
  const next = judgeValidator(run);
  return next !== CONTINUE ? next : continueValidators(run);
}

/** `false`, `[false, reason]` or a throw fails the state like a transform (E2); other results are ignored. */
function judgeValidator(run: Run): Phase {
  const slot = run.st.validators[run.i]!;
  const value = run.result;
  if (run.threw) return failState(run, slot, "validation", errorText(value));
  if (value === false) return failState(run, slot, "validation", `validator \`${slot.name}\` returned false`);
  if (isVerdict(value) && !value[0]) {
    return failState(run, slot, "validation", verdictReason(value, `validator \`${slot.name}\` returned false`));
  }
  run.i++;
  return CONTINUE;
}

/** The entry completed: the record as it stands is committed; the main loop continues. */
function commitEntry(run: Run): Phase {
  run.entryBase = null;
  if (run.tx !== null) run.tx.keepEntry();
  return LOOP;
}

/**
 * A transform or validator of the current state failed: the entry is rolled back (COPY), then
 * the state's `on error` target takes the record (E3), or the state joins `failed_states` and the
 * run goes on, skipping the transforms of later states (SEMANTICS §2.6).
 */
function failState(run: Run, slot: PreparedSlot, phase: string, message: string): Phase {
  const st = run.st;
  run.noteFailure(st.name, slot.name, phase, message);
  if (run.entryCopied) run.restoreEntry();
  if (run.tx !== null) run.tx.undoEntry();
  if (st.onError >= 0) return routeError(run, st, message);
  run.markFailed(st.name);
  return commitEntry(run);
}

/**
 * A pre-validator (or the record-type check) refused the entry. What that means depends on how
 * the state was reached: the first state fails the run; an arc or a push fails its transition
 * (the refused state stays current, §2.5); a return state or an error target fails the run (Q14).
 */
function refuseEntry(run: Run, functionName: string | null, reason: string): Phase {
  const st = run.st;
  run.noteFailure(st.name, functionName, "pre_validation", reason);
  if (run.entryCopied) run.restoreEntry();
  if (run.tx !== null) run.tx.undoEntry();
  const names = run.m.stateNames;
  switch (run.entryKind) {
    case BY_START:
      return run.finish(false, preValidationFailed(st.name), st.index);
    case BY_ARC: {
      if (run.arcCopy) run.data = run.arcBase;
      return transitionFailed(run, run.arc as PreparedArc, st.index);
    }
    case BY_PUSH:
      undoPush(run);
      return transitionFailed(run, run.arc as PreparedArc, st.index);
    case BY_RETURN:
      return run.finish(false, `Transition failed: ${names[run.popTerminal]} -> ${st.name}`, st.index);
    default:
      return run.finish(false, `Transition failed: ${names[run.errorSource]} -> ${st.name}`, st.index);
  }
}
