/**
 * The main loop (SEMANTICS §2.3 with our fixes): the final-state check scoped to the current
 * network (Q1), the transition limit, conditions in priority order (first match for depth-first,
 * E1), the strategies of §2.8, and the arc-transform chain with its retry policy (Q16, E11).
 */
import { errorText, isRetryable, isValidationError } from "../errors.js";
import type { Data } from "../machine/definition.js";
import { deepCopy } from "../modes/copy.js";
import { COPY, restoreInPlace } from "../modes/modes.js";
import { enterState } from "./entry.js";
import { transitionStarts } from "./hooks.js";
import {
  badTransformResult,
  finishAtFinal,
  isRecordObject,
  isVerdict,
  stateError,
  transitionFailed,
} from "./outcomes.js";
import {
  ARC_ACQUIRED,
  ARC_TRANSFORM,
  ARC_TRANSFORM_RESULT,
  BY_ARC,
  CHAIN_ACQUIRED,
  CONDITION_RESULT,
  CONTINUE,
  type Phase,
  SLEEP,
  SUSPEND,
} from "./phase.js";
import {
  arcScope,
  type ArcScope,
  BREADTH_FIRST,
  type PreparedArc,
  type PreparedSlot,
  type PreparedState,
  RESOURCE_OPTIMIZED,
  STREAM_OPTIMIZED,
} from "./prepare.js";
import type { Chooser } from "./choose.js";
import { beginPush, popSubflow } from "./push.js";
import type { RunResources } from "./resources.js";
import type { Run } from "./run.js";

/** LOOP: the top of the main loop, then the conditions of the current state's arcs. */
export function loopTop(run: Run): Phase {
  const st = run.st;
  if (st.isFinal) {
    if (run.stack !== null && run.stack.length > 0) return popSubflow(run);
    return finishAtFinal(run, st.index);
  }
  // A run may reach a final state on its N-th transition; it fails when it needs an (N+1)-th.
  if (run.counter >= run.m.maxTransitions) {
    return run.finish(false, `Maximum transitions (${run.m.maxTransitions}) exceeded`, st.index);
  }
  if (st.arcs.length === 0) return noArc(run, st);
  if ((run.data as Data)["_transition_signal"] !== undefined) {
    const signalled = signalledArc(run, st);
    if (signalled !== null) return selectArc(run, signalled);
  }
  run.j = 0;
  if (run.available !== null) run.available.length = 0;
  else if (st.choose !== null && run.inherited === null) return chooseCompiled(run, st);
  return continueConditions(run);
}

/**
 * Depth-first through the state's compiled chooser (choose.ts). What the chooser hands back — a
 * throw, or a result that is not a boolean — is judged by the generic loop at that arc, which
 * then continues with the arcs after it.
 */
function chooseCompiled(run: Run, st: PreparedState): Phase {
  const at = run.choice;
  let position: number;
  try {
    position = (st.choose as Chooser)(run.data, run.ctx, at);
  } catch (error) {
    run.j = at.j;
    run.threw = true;
    run.result = error;
    return resumeConditions(run);
  }
  if (position >= 0) return selectArc(run, st.arcs[position]!);
  if (position === -1) return noArc(run, st);
  run.j = at.j;
  const value = at.value;
  at.value = undefined;
  return run.answer(value, CONDITION_RESULT) === SUSPEND ? SUSPEND : resumeConditions(run);
}

/** Evaluates the conditions from arc `run.j` on (an arc without one is available). */
function continueConditions(run: Run): Phase {
  const st = run.st;
  const arcs = st.arcs;
  const ctx = run.ctx;
  while (run.j < arcs.length) {
    const arc = arcs[run.j]!;
    const condition = arc.condition;
    if (condition === null) {
      // An arc without a condition is available: depth-first takes it at once (E1).
      if (run.available === null) return selectArc(run, arc);
      run.threw = false;
      run.result = true;
    } else {
      const acquired = run.res !== null && arc.own.length > 0 ? acquireForArc(run, arc, `c${arc.id}`, ARC_ACQUIRED) : CONTINUE;
      if (acquired === SUSPEND) return SUSPEND;
      if (acquired === CONTINUE && callCondition(run, arc) === SUSPEND) return SUSPEND;
    }
    const next = judgeCondition(run, arc);
    if (next !== CONTINUE) return next;
  }
  return chooseArc(run);
}

/** Calls `arc`'s condition with its scope: SUSPEND, or CONTINUE with the result in `run.result`. */
function callCondition(run: Run, arc: PreparedArc): Phase {
  const condition = arc.condition as PreparedSlot;
  const scope = scopeOf(run, arc);
  const ctx = run.ctx;
  ctx.function_name = condition.name;
  ctx.metadata = scope.meta;
  ctx.resources = scope.handles;
  return run.call(condition.fn, CONDITION_RESULT) === SUSPEND ? SUSPEND : CONTINUE;
}

/** CONDITION_RESULT: judges a resumed condition, then continues with the next arc. */
export function resumeConditions(run: Run): Phase {
  const next = judgeCondition(run, run.st.arcs[run.j]!);
  return next !== CONTINUE ? next : continueConditions(run);
}

/** ARC_ACQUIRED: the arc's handles for its condition arrived (or failed); call it and go on. */
export function resumeConditionAfterAcquire(run: Run): Phase {
  const arc = run.st.arcs[run.j]!;
  if (!run.threw) {
    run.arcHandles = run.result as Readonly<Record<string, unknown>>;
    if (callCondition(run, arc) === SUSPEND) return SUSPEND;
  }
  return resumeConditions(run);
}

/** Failed acquisition: judged like a throw of the function that needed the handles. */
const ACQUIRE_FAILED = -2;

/**
 * Acquires `arc`'s own resources under `owner` into `run.arcHandles`: CONTINUE when held,
 * SUSPEND while a pool makes the run wait (resumed at `resumePhase`), or ACQUIRE_FAILED with
 * the error in `run.result` (`run.threw`).
 */
function acquireForArc(run: Run, arc: PreparedArc, owner: string, resumePhase: Phase): Phase {
  let got: Readonly<Record<string, unknown>> | Promise<Readonly<Record<string, unknown>>>;
  try {
    got = (run.res as RunResources).acquireArc(owner, arc.own, run.scope.handles, run.scope.roles);
  } catch (error) {
    run.threw = true;
    run.result = error;
    return ACQUIRE_FAILED;
  }
  if (got instanceof Promise) return run.answer(got, resumePhase);
  run.arcHandles = got;
  return CONTINUE;
}

/**
 * A `[boolean, reason]` verdict counts by its boolean, anything else by its truthiness; a
 * `ValidationError` is a soft reject; any other throw is a record error of the state (the run
 * fails in the source state, or the state's `on error` target takes it). Depth-first takes the
 * first available arc (E1); the other strategies collect them all.
 */
function judgeCondition(run: Run, arc: PreparedArc): Phase {
  // The condition has answered: its handles go back (the arc's transform chain acquires its own).
  if (run.res !== null && arc.own.length > 0) run.res.releaseArc(`c${arc.id}`);
  const value = run.result;
  let isAvailable: boolean;
  if (run.threw) {
    if (!isValidationError(value)) return stateError(run, run.st, errorText(value));
    isAvailable = false;
  } else if (typeof value === "boolean") {
    isAvailable = value;
  } else {
    isAvailable = isVerdict(value) ? value[0] : Boolean(value);
  }
  if (isAvailable) {
    if (run.available === null) return selectArc(run, arc);
    run.available.push(arc);
  }
  run.j++;
  return CONTINUE;
}

/** All conditions evaluated (strategies other than depth-first): pick one of the available arcs (§2.8). */
function chooseArc(run: Run): Phase {
  const available = run.available;
  if (available === null || available.length === 0) return noArc(run, run.st);
  return selectArc(run, pickArc(run, available));
}

/** The strategy's choice among the available arcs, which are in priority order (never empty). */
function pickArc(run: Run, available: readonly PreparedArc[]): PreparedArc {
  const first = available[0]!;
  switch (run.strategy) {
    case BREADTH_FIRST:
      for (const arc of available) if (!run.hasLeft(arc.target)) return arc;
      return first;
    case RESOURCE_OPTIMIZED: {
      let pick = first;
      for (const arc of available) if (arc.resourceCount < pick.resourceCount) pick = arc;
      return pick;
    }
    case STREAM_OPTIMIZED:
      for (const arc of available) if (arc.isStreaming) return arc;
      return first;
    default:
      return first;
  }
}

/**
 * `_transition_signal` (decision E15, SEMANTICS §12.4): a function picks the next state by naming
 * it in the record. The field is removed; an arc of the state leading to that state is taken
 * whatever its condition and priority; a name no arc leads to leaves the usual choice.
 */
function signalledArc(run: Run, st: PreparedState): PreparedArc | null {
  const data = run.data as Data;
  const signal = data["_transition_signal"];
  delete data["_transition_signal"];
  if (typeof signal !== "string") return null;
  for (const arc of st.arcs) if (arc.push === null && arc.targetName === signal) return arc;
  return null;
}

function noArc(run: Run, st: PreparedState): Phase {
  return stateError(run, st, `No valid transitions from state: ${st.name}`);
}

/**
 * Takes `arc`: runs its transform chain, if any, on the source's committed record, then enters
 * the target. Its usage is counted when the target is entered or when the transition fails.
 */
function selectArc(run: Run, arc: PreparedArc): Phase {
  if (run.hooks !== null) transitionStarts(run, arc);
  // An arc's transforms and a push's isolation work on the record: it is no longer the input copy.
  if (arc.transforms.length > 0 || arc.push !== null) run.fresh = false;
  run.arc = arc;
  run.arcBase = run.data;
  const st = run.st;
  run.arcCopy = (st.mode === -1 ? run.mode : st.mode) === COPY;
  if (arc.transforms.length === 0) return takeArc(run, arc);
  run.attempt = 0;
  if (run.res !== null && arc.own.length > 0) {
    // Held once for the whole chain, across its retries.
    const acquired = acquireForArc(run, arc, `t${arc.id}`, CHAIN_ACQUIRED);
    if (acquired === SUSPEND) return SUSPEND;
    if (acquired === ACQUIRE_FAILED) return giveUp(run, arc, null, errorText(run.result));
  }
  startChain(run, arc);
  return continueChain(run);
}

/** CHAIN_ACQUIRED: the arc's handles for its transform chain arrived (or failed). */
export function resumeChainAfterAcquire(run: Run): Phase {
  const arc = run.arc as PreparedArc;
  if (run.threw) return giveUp(run, arc, null, errorText(run.result));
  run.arcHandles = run.result as Readonly<Record<string, unknown>>;
  startChain(run, arc);
  return continueChain(run);
}

/**
 * Sets the record up for an attempt of the chain: COPY works on a fresh copy of the source's
 * record (so a retry starts clean and giving up restores it); REFERENCE and DIRECT snapshot the
 * record once and restore it in place before each retry (Q16).
 */
function startChain(run: Run, arc: PreparedArc): void {
  run.k = 0;
  // Under a transaction, a retry or giving up undoes the chain's writes with its record.
  if (run.tx !== null && (arc.own.length > 0 || run.st.own.length > 0 || run.inherited !== null)) run.tx.markArc(run.attempt > 0);
  if (run.arcCopy) {
    run.data = arc.copier.copy(run.arcBase);
  } else if (run.attempt === 0) {
    run.snapshot = run.m.retry.maxRetries > 0 ? deepCopy(run.arcBase) : null;
  } else {
    restoreInPlace(run.arcBase, run.snapshot as Data);
    run.data = run.arcBase;
  }
}

/** ARC_TRANSFORM: calls the chain's transforms from `run.k` on, then takes the arc. */
export function continueChain(run: Run): Phase {
  const arc = run.arc as PreparedArc;
  const slots = arc.transforms;
  const ctx = run.ctx;
  while (run.k < slots.length) {
    const slot = slots[run.k]!;
    const scope = scopeOf(run, arc);
    ctx.function_name = slot.name;
    ctx.metadata = scope.meta;
    ctx.resources = scope.handles;
    if (run.call(slot.fn, ARC_TRANSFORM_RESULT) === SUSPEND) return SUSPEND;
    const next = judgeArcTransform(run, arc);
    if (next !== CONTINUE) return next;
  }
  return takeArc(run, arc);
}

/** ARC_TRANSFORM_RESULT: judges a resumed arc transform, then continues the chain. */
export function resumeChain(run: Run): Phase {
  const next = judgeArcTransform(run, run.arc as PreparedArc);
  return next !== CONTINUE ? next : continueChain(run);
}

/**
 * Nothing keeps the record and an object replaces it (E4). A retryable throw (E11) restarts
 * the chain after the policy's delay; any other failure, or the last retry's, gives up: the
 * record goes back to the source's commit and the transition fails.
 */
function judgeArcTransform(run: Run, arc: PreparedArc): Phase {
  const slot = arc.transforms[run.k]!;
  const value = run.result;
  if (run.threw) {
    const retry = run.m.retry;
    if (isRetryable(value) && run.attempt < retry.maxRetries) {
      const delayMs = Math.min(retry.initialDelayMs * retry.backoffFactor ** run.attempt, retry.maxDelayMs);
      run.attempt++;
      startChain(run, arc);
      run.sleepMs = run.deadline === Infinity ? delayMs : Math.max(0, Math.min(delayMs, run.deadline - run.clock.now()));
      run.resumePhase = ARC_TRANSFORM;
      return SLEEP;
    }
    return giveUp(run, arc, slot.name, errorText(value));
  }
  if (value !== undefined && value !== null) {
    if (!isRecordObject(value)) return giveUp(run, arc, slot.name, badTransformResult(slot.name, value));
    run.data = value;
  }
  run.k++;
  return CONTINUE;
}

function giveUp(run: Run, arc: PreparedArc, functionName: string | null, message: string): Phase {
  if (run.tx !== null) run.tx.undoArc();
  run.res?.releaseArc(`t${arc.id}`);
  run.noteFailure(run.st.name, functionName, functionName === null ? "resources" : "arc_transform", message);
  run.note(run.m.usedOnlyEvent(arc));
  if (run.arcCopy) run.data = run.arcBase;
  run.snapshot = null;
  return transitionFailed(run, arc, run.state);
}

/** The chain succeeded: enter the target, or push into the sub-network. */
function takeArc(run: Run, arc: PreparedArc): Phase {
  run.snapshot = null;
  if (run.tx !== null) run.tx.keepArc();
  if (run.res !== null && arc.own.length > 0) run.res.releaseArc(`t${arc.id}`);
  if (arc.push !== null) return beginPush(run);
  run.entryKind = BY_ARC;
  run.target = arc.target;
  return enterState(run);
}

/**
 * The arc's scope: the prepared one, or — when the run holds handles for the state, the arc, or
 * inherited from pushing states — one merged from them (the arc's own winning, Q15).
 */
function scopeOf(run: Run, arc: PreparedArc): ArcScope {
  if (run.inherited === null && (run.res === null || (run.st.own.length === 0 && arc.own.length === 0))) return arc.scope;
  return arcScope(arc, run.st.name, run.scope, arc.own.length > 0 ? run.arcHandles : undefined);
}
