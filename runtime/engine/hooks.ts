/**
 * Engine hooks (decision E19): synchronous observers of a run, called at fixed points of the
 * step machine. The engine calls into this file only behind `run.hooks !== null`, so a machine
 * without hooks pays one null check per hook site and nothing else.
 *
 * Firing points (run.ts, entry.ts, arcs.ts, outcomes.ts call these):
 * - `beforeTransition` when an arc (or push arc) is chosen, before its transform chain;
 * - `onStateExit` when the current state is left for another (an arc's or a push's target, a
 *   pop's return state, an `on error` target), if its own `onStateEnter` fired;
 * - `onStateEnter` when a state's entry procedure completed (the record is committed), then
 *   `afterTransition` when that entry completed a transition (an arc or a push);
 * - `onError` once per `metadata.failures` entry (its phase), when a record error is routed to
 *   an `on error` target (`routed`), and when the run ends in failure (`run`).
 *
 * A hook that throws is caught and counted in the result's `metadata.hook_errors`; the run goes
 * on as if the hook had not been set.
 */
import { errorText } from "../errors.js";
import type {
  ContextFactory,
  EngineHooks,
  ErrorPhase,
  HookName,
  MachineOptions,
  RunErrorEvent,
  StateEvent,
  TransitionEvent,
} from "../machine/api.js";
import type { Data } from "../machine/definition.js";
import { BY_ARC, BY_PUSH } from "./phase.js";
import type { PreparedArc, PreparedState } from "./prepare.js";
import type { Run } from "./run.js";
import { isThenable } from "../thenable.js";

/** A machine's hooks and the counter that numbers its runs (one object per machine). */
export interface MachineHooks {
  readonly user: EngineHooks;
  nextRunId: number;
}

/** What every run of a machine is set up with besides its tables (MachineOptions, E19). */
export interface RunSetup {
  readonly hooks: MachineHooks | null;
  readonly contextFactory: ContextFactory | null;
}

/** The setup of a machine with neither hooks nor a context factory. */
export const NO_SETUP: RunSetup = Object.freeze({ hooks: null, contextFactory: null });

const HOOK_NAMES: readonly HookName[] = ["onStateEnter", "onStateExit", "beforeTransition", "afterTransition", "onError"];

/** The run setup `options` asks for; hooks only when at least one hook function is set. */
export function runSetupOf(options: MachineOptions): RunSetup {
  const user = options.hooks;
  const hasHook = user !== undefined && HOOK_NAMES.some((name) => typeof user[name] === "function");
  const factory = options.contextFactory ?? null;
  if (!hasHook && factory === null) return NO_SETUP;
  return { hooks: hasHook ? { user, nextRunId: 1 } : null, contextFactory: factory };
}

/** A hook error as a run collects it (frozen into `metadata.hook_errors` by the result). */
export interface HookErrorNote {
  readonly hook: HookName;
  readonly error: string;
  count: number;
}

/** A new run starts: it gets the machine's next run id. */
export function startRun(run: Run): void {
  const hooks = run.hooks as MachineHooks;
  run.runId = hooks.nextRunId++;
  run.hookErrors = null;
  run.hookEntered = false;
}

/** ENTER is about to make `run.target` current: the state being left gets its `onStateExit`. */
export function leavingState(run: Run): void {
  if (run.hookEntered) {
    run.hookEntered = false;
    const user = (run.hooks as MachineHooks).user;
    if (user.onStateExit !== undefined) deliver(run, "onStateExit", stateEvent(run, run.st));
  }
}

/** LOOP follows every completed entry: `onStateEnter`, then `afterTransition` for an arc or a push. */
export function stateEntered(run: Run): void {
  run.hookEntered = true;
  const user = (run.hooks as MachineHooks).user;
  if (user.onStateEnter !== undefined) deliver(run, "onStateEnter", stateEvent(run, run.st));
  const kind = run.entryKind;
  if ((kind === BY_ARC || kind === BY_PUSH) && user.afterTransition !== undefined) {
    deliver(run, "afterTransition", transitionEvent(run, run.arc as PreparedArc));
  }
}

/** An arc was chosen: `beforeTransition`, before its transform chain runs. */
export function transitionStarts(run: Run, arc: PreparedArc): void {
  if ((run.hooks as MachineHooks).user.beforeTransition !== undefined) deliver(run, "beforeTransition", transitionEvent(run, arc));
}

/** A failure was noted in `metadata.failures`. */
export function failureNoted(run: Run, state: string, fn: string | null, phase: string, error: string): void {
  if ((run.hooks as MachineHooks).user.onError !== undefined) {
    deliver(run, "onError", errorEvent(run, state, error, phase as ErrorPhase, fn, null));
  }
}

/** A record error of `state` moves the record to its `on error` target. */
export function errorRouted(run: Run, state: PreparedState, error: string): void {
  if ((run.hooks as MachineHooks).user.onError !== undefined) {
    const target = run.m.stateNames[state.onError] ?? null;
    deliver(run, "onError", errorEvent(run, state.name, error, "routed", null, target));
  }
}

/** The run ended in failure (`run.error` set; a timeout has no final state). */
export function runFailed(run: Run, error: string): void {
  if ((run.hooks as MachineHooks).user.onError !== undefined) {
    const state = run.timedOut || run.finalState < 0 ? null : (run.m.stateNames[run.finalState] ?? null);
    deliver(run, "onError", errorEvent(run, state, error, "run", null, null));
  }
}

function stateEvent(run: Run, st: PreparedState): StateEvent {
  return Object.freeze({ machine: run.m.name, runId: run.runId, record: run.data as Data, state: st.name, network: st.networkName });
}

function transitionEvent(run: Run, arc: PreparedArc): TransitionEvent {
  return Object.freeze({
    machine: run.m.name,
    runId: run.runId,
    record: run.data as Data,
    from: run.m.stateNames[arc.source] ?? "",
    to: arc.target >= 0 ? arc.targetName : null,
    arc: arc.label,
    priority: arc.priority,
    kind: arc.push === null ? ("arc" as const) : ("push" as const),
  });
}

function errorEvent(
  run: Run,
  state: string | null,
  error: string,
  phase: ErrorPhase,
  fn: string | null,
  routedTo: string | null,
): RunErrorEvent {
  return Object.freeze({ machine: run.m.name, runId: run.runId, record: run.data as Data, state, error, phase, function: fn, routedTo });
}

type EventOf<K extends HookName> = Parameters<NonNullable<EngineHooks[K]>>[0];

/**
 * Calls one hook (as a method of the hooks object). A throw is counted in the run's hook errors.
 * A returned thenable is not awaited; its rejection is observed so that it cannot crash the
 * process, and is not reported: whether it settles before or after the run ends depends on
 * timing, and a result must not (E19: hooks are synchronous; an async hook handles its own errors).
 */
function deliver<K extends HookName>(run: Run, name: K, event: EventOf<K>): void {
  const user = (run.hooks as MachineHooks).user;
  const hook = user[name] as ((this: EngineHooks, event: EventOf<K>) => unknown) | undefined;
  if (hook === undefined) return;
  let value: unknown;
  try {
    value = hook.call(user, event);
  } catch (error) {
    noteHookError(run, name, error);
    return;
  }
  if (isThenable(value)) {
    Promise.resolve(value).then(undefined, ignoreLateHookFailure);
  }
}

function ignoreLateHookFailure(_error: unknown): void {
  // An async hook's rejection: not attributable to a result deterministically (see `deliver`).
}

/** Counts a hook's throw: the first error's text is kept per hook, with the number of throws. */
function noteHookError(run: Run, hook: HookName, error: unknown): void {
  const notes = run.hookErrors ?? (run.hookErrors = []);
  const known = notes.find((note) => note.hook === hook);
  if (known !== undefined) known.count++;
  else notes.push({ hook, error: errorText(error), count: 1 });
}
