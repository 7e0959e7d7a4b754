/**
 * Push arcs and pops (SEMANTICS §2.7 with our fixes). A push runs its transform chain first
 * (Q11, done by arcs.ts), then maps and isolates the child record, and enters the sub-network;
 * reaching a final state of that network pops back: result mapping over the pre-push parent
 * record (Q12: without one the child's record replaces the parent's), then the return state, or
 * — without one — the run ends at the sub-network's terminal (Q13).
 */
import type { Data } from "../machine/definition.js";
import { deepCopy } from "../modes/copy.js";
import { jsonRoundTrip } from "../modes/serialize.js";
import { finishAtFinal, transitionFailed } from "./outcomes.js";
import { BY_PUSH, BY_RETURN, ENTER, type Phase } from "./phase.js";
import { type EntryScope, ISOLATE_COPY, ISOLATE_SERIALIZE, type PreparedArc, type PreparedPush } from "./prepare.js";
import type { Run } from "./run.js";

/** Pushes allowed on top of each other; the 11th is refused (SEMANTICS §2.7). */
export const MAX_SUBFLOW_DEPTH = 10;

/** What a pop needs to restore the pushing side. */
export interface Frame {
  readonly arc: PreparedArc;
  /** The parent's record before the push (the base of the result mapping). */
  readonly parent: Data;
  /** The inherited resources before the push. */
  readonly inherited: EntryScope | null;
  /** The pushing state works in COPY mode: the result mapping overlays a copy of `parent`. */
  readonly copyMode: boolean;
}

/**
 * Takes the push arc `run.arc`. Every refusal (depth, no entry state, a record `serialize`
 * cannot carry) happens before anything changes and fails the transition.
 */
export function beginPush(run: Run): Phase {
  const arc = run.arc as PreparedArc;
  const push = arc.push as PreparedPush;
  const stack = run.stack ?? (run.stack = []);
  if (stack.length >= MAX_SUBFLOW_DEPTH) return refusePush(run, arc, `the subflow depth limit (${MAX_SUBFLOW_DEPTH}) is reached`);
  if (arc.target < 0) {
    return refusePush(run, arc, `network \`${run.m.networkNames[push.network]}\` has no start state`);
  }
  let child = run.data;
  if (push.dataMapping.length > 0) {
    const source = run.data;
    child = {};
    for (const [parentField, childField] of push.dataMapping) {
      if (Object.hasOwn(source, parentField)) child[childField] = source[parentField];
    }
  }
  if (push.isolation === ISOLATE_COPY) {
    child = deepCopy(child);
  } else if (push.isolation === ISOLATE_SERIALIZE) {
    const trip = jsonRoundTrip(child);
    if (!trip.ok) return refusePush(run, arc, trip.error);
    child = trip.value as Data;
  }
  stack.push({ arc, parent: run.arcBase, inherited: run.inherited, copyMode: run.arcCopy });
  // The sub-network's states inherit the pushing state's resources (its own and what it inherited).
  run.inherited = run.scope.isEmpty ? null : run.scope;
  run.data = child;
  run.entryKind = BY_PUSH;
  run.target = arc.target;
  return ENTER;
}

function refusePush(run: Run, arc: PreparedArc, reason: string): Phase {
  run.noteFailure(run.st.name, null, "push", reason);
  run.note(run.m.usedOnlyEvent(arc));
  run.data = run.arcBase;
  return transitionFailed(run, arc, run.state);
}

/** The sub-network's entry state refused the record: undo the push and restore the parent's record. */
export function undoPush(run: Run): void {
  const stack = run.stack as Frame[];
  const frame = stack.pop() as Frame;
  // The refused sub-network state's handles (acquired on its entry) go back.
  run.res?.releaseFrom(stack.length + 1);
  run.inherited = frame.inherited;
  run.data = frame.parent;
}

/** LOOP found a final state of the top network: pop back to the pushing network. */
export function popSubflow(run: Run): Phase {
  const frame = (run.stack as Frame[]).pop() as Frame;
  run.inherited = frame.inherited;
  const push = frame.arc.push as PreparedPush;
  const terminal = run.state;
  if (push.resultMapping.length > 0) {
    const child = run.data;
    const record = frame.copyMode ? Object.assign({}, frame.parent) : frame.parent;
    for (const [childField, parentField] of push.resultMapping) {
      if (Object.hasOwn(child, childField)) record[parentField] = child[childField];
    }
    run.data = record;
  }
  if (push.returnState < 0) return finishAtFinal(run, terminal);
  run.popTerminal = terminal;
  run.entryKind = BY_RETURN;
  run.target = push.returnState;
  return ENTER;
}
