/**
 * How failures end a run or move it (SEMANTICS §2.5 with our fixed messages, decision E3's
 * `on error` routing), plus the small judgements shared by the phase handlers.
 */
import { errorRouted } from "./hooks.js";
import { BY_ERROR_ROUTE, ENTER, type Phase } from "./phase.js";
import type { PreparedArc, PreparedState } from "./prepare.js";
import type { Run } from "./run.js";

/** `Pre-validation failed for state '<name>'` (a refused first entry, a record-type mismatch). */
export function preValidationFailed(stateName: string): string {
  return `Pre-validation failed for state '${stateName}'`;
}

/** `State transform failed in: a, b` — the failed states sorted by code point. */
export function stateTransformFailed(failed: readonly string[]): string {
  return `State transform failed in: ${[...failed].sort().join(", ")}`;
}

/**
 * Moves the run to `state`'s `on error` target (decision E3): the error is noted in
 * `metadata.errors` and the target is entered like an arc target (it counts as a transition).
 * The caller has already put the record back to what was last committed.
 */
export function routeError(run: Run, state: PreparedState, message: string): Phase {
  // The route is a transition: a run that already made its last allowed one fails here (an
  // `on error` cycle of failing entries would otherwise never reach the main loop's check).
  if (run.counter >= run.m.maxTransitions) {
    run.noteError(state.name, message);
    return run.finish(false, `Maximum transitions (${run.m.maxTransitions}) exceeded`, state.index);
  }
  run.noteError(state.name, message);
  if (run.hooks !== null) errorRouted(run, state, message);
  run.entryKind = BY_ERROR_ROUTE;
  run.errorSource = state.index;
  run.target = state.onError;
  return ENTER;
}

/** A record error of `state` (a throwing condition, no available arc): routed when it has an error target. */
export function stateError(run: Run, state: PreparedState, message: string): Phase {
  if (state.onError >= 0) return routeError(run, state, message);
  return run.finish(false, message, state.index);
}

/**
 * The transition along `arc` failed (`Transition failed: <source> -> <target>`, decisions Q17
 * and E5): routed by the source state's error target, else the run ends in `finalState` (the
 * source, or the target whose entry was refused).
 */
export function transitionFailed(run: Run, arc: PreparedArc, finalState: number): Phase {
  const message = `Transition failed: ${arc.label}`;
  const source = run.m.states[arc.source] as PreparedState;
  if (source.onError >= 0) return routeError(run, source, message);
  return run.finish(false, message, finalState);
}

/** A run that reached a final state: success unless a state transform failed on the way. */
export function finishAtFinal(run: Run, finalState: number): Phase {
  if (run.failed === null) return run.finish(true, null, finalState);
  return run.finish(false, stateTransformFailed(run.failed), finalState);
}

/** A `[boolean, reason]` verdict (a condition's or validator's result with an explanation). */
export function isVerdict(value: unknown): value is readonly [boolean, unknown] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === "boolean";
}

/** The reason of a negative verdict, or `fallback` when it gives none. */
export function verdictReason(verdict: readonly [boolean, unknown], fallback: string): string {
  const reason = verdict[1];
  return reason === undefined || reason === null || reason === "" ? fallback : String(reason);
}

/** A value a transform may return as the new record: an object that is not an array. */
export function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Decision E4's message for a transform result that is neither an object nor nothing. */
export function badTransformResult(functionName: string, value: unknown): string {
  const type = Array.isArray(value) ? "array" : typeof value;
  return `transform \`${functionName}\` returned ${type}, expected an object or nothing`;
}
