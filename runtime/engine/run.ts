/**
 * One record's run: the engine's step machine. `advance()` performs steps until the run
 * finishes or needs the outside world — a user function returned a thenable (SUSPEND) or a
 * retry delay must pass (SLEEP). The sync and async drivers (drive.ts) differ only in how they
 * answer those two signals, so `process` and `processSync` execute the same algorithm.
 *
 * The phase handlers (entry.ts, arcs.ts, push.ts) run as far as they can — an ordinary
 * transition is one LOOP step — and return the next phase; user functions are called only
 * through `call`, which turns a throw into data and a thenable into a SUSPEND. No closure or
 * array copy is made per transition.
 */
import type { Clock } from "../clock.js";
import { errorText } from "../errors.js";
import type { ProcessOptions, RunResult } from "../machine/api.js";
import type { Data, SchemaIssue } from "../machine/definition.js";
import { COPY, type ModeCode, modeCode } from "../modes/modes.js";
import { continueChain, loopTop, resumeChain, resumeChainAfterAcquire, resumeConditionAfterAcquire, resumeConditions } from "./arcs.js";
import type { ChoiceProgress } from "./choose.js";
import { FunctionContext } from "./context.js";
import { failureNoted, type HookErrorNote, type MachineHooks, NO_SETUP, type RunSetup, runFailed, startRun, stateEntered } from "./hooks.js";
import { enterState, resumeEntryAfterAcquire, resumePreValidators, resumeTransforms, resumeValidators } from "./entry.js";
import {
  ACQUIRED,
  ARC_ACQUIRED,
  ARC_TRANSFORM,
  ARC_TRANSFORM_RESULT,
  CHAIN_ACQUIRED,
  BY_START,
  CONDITION_RESULT,
  DONE,
  ENTER,
  type EntryKind,
  LOOP,
  type Phase,
  PRE_RESULT,
  SUSPEND,
  TRANSFORM_RESULT,
  VALIDATE_RESULT,
} from "./phase.js";
import {
  BREADTH_FIRST,
  type Callable,
  DEPTH_FIRST,
  strategyCode,
  type EntryScope,
  type PreparedArc,
  type PreparedMachine,
  type PreparedState,
} from "./prepare.js";
import type { Frame } from "./push.js";
import { RunResources } from "./resources.js";
import type { ResourceManager } from "../resources/manager.js";
import type { TraceNode, TraceTrie } from "./trace.js";
import { isThenable } from "../thenable.js";
import { RunTransaction } from "../transactions/run-tx.js";
import type { TxSession } from "../transactions/session.js";

/** A failure detail kept in `metadata.failures` (the result's error stays the fixed message). */
export interface FailureNote {
  readonly state: string;
  readonly function: string | null;
  readonly phase: string;
  readonly error: string;
}

/** A record error routed by `on error` (decision E3), kept in `metadata.errors`. */
export interface RoutedError {
  readonly state: string;
  readonly error: string;
}

/**
 * The mutable state of one record's run; the phase handlers read and write its fields. A
 * machine reuses finished runs (`begin` starts a new record, `end` drops the old one's
 * references), so a record costs few allocations.
 */
export class Run {
  readonly m: PreparedMachine;
  readonly clock: Clock;
  readonly trace: TraceTrie;
  readonly ctx: FunctionContext;
  /** The run's strategy code (the machine's, or the call's `strategy`). */
  strategy: number;
  /** Arcs found available (strategies other than depth-first; depth-first takes the first, E1). */
  available: PreparedArc[] | null;
  /** The list `available` uses when the run's strategy needs one (kept across records). */
  #availableList: PreparedArc[] | null = null;
  /** Where the current state's chooser stopped (choose.ts). */
  readonly choice: ChoiceProgress = { j: 0, value: undefined };
  /**
   * Breadth-first's history: `left[s] === generation` when state `s` was left during this run
   * (entered, then another state entered after it). Null for the other strategies.
   */
  left: Uint32Array | null;
  #leftArray: Uint32Array | null = null;
  generation = 0;

  /** The run's data mode (a state's own mode overrides it for that state). */
  mode!: ModeCode;
  /** The caller's record, as passed. */
  input: unknown;
  /** Clock time (ms) when the run times out, or Infinity. */
  deadline!: number;
  timeoutSeconds!: number;

  phase!: Phase;
  data!: Data;
  /**
   * True while `data` is the untouched copy of the input: nothing that could write to it has run
   * (the states entered so far called at most their record-type check and read-only conditions).
   * A failing entry then re-copies the input instead of restoring a snapshot, so the entry takes
   * none (decision 7's rollback at the cost of one copy, paid only on failure).
   */
  fresh!: boolean;
  state!: number;
  /** The current state's tables (set by ENTER; a run that never enters a state never reads it). */
  st!: PreparedState;
  /** The state being entered by the ENTER phase, and how it is reached. */
  target!: number;
  entryKind!: EntryKind;
  /** COPY: the record the running entry started from (null: the input, copied again on restore). */
  entryBase!: Data | null;
  entryCopied!: boolean;
  scope!: EntryScope;
  /** Resources inherited from pushing states, or null outside a subflow that has any. */
  inherited!: EntryScope | null;
  stack!: Frame[] | null;

  /** The arc being taken, the record before its transform chain, and the chain's progress. */
  arc!: PreparedArc | null;
  arcBase!: Data;
  arcCopy!: boolean;
  snapshot!: Data | null;
  attempt!: number;
  /** Loop indices: entry slot, arc, arc transform. */
  i!: number;
  j!: number;
  k!: number;

  counter!: number;
  /** The route so far: a trie node, plus the events past it once the trie is full (trace.ts). */
  node!: TraceNode;
  tail!: number[] | null;
  failed!: string[] | null;
  failures!: FailureNote[] | null;
  errors!: RoutedError[] | null;
  schemaErrors!: SchemaIssue[] | null;
  /** The sub-network terminal a pop left, and the state an `on error` route left (for messages). */
  popTerminal!: number;
  errorSource!: number;

  /** The last call's outcome, and what a SUSPEND or SLEEP resumes with. */
  result: unknown;
  threw!: boolean;
  awaiting!: PromiseLike<unknown> | null;
  resumePhase!: Phase;
  sleepMs!: number;

  success!: boolean;
  error!: string | null;
  finalState!: number;
  timedOut!: boolean;
  /** A function's thenable was left unsettled (timeout, processSync): the run must not be reused. */
  abandoned!: boolean;

  /** The handles this run holds (null when the machine uses no resources). */
  readonly res: RunResources | null;
  /** The run's side of the machine's `transaction` setting, or null (mode none, or no transactional resource). */
  readonly tx: RunTransaction | null;
  /** Handles acquired for the running arc's condition or transform chain, by role. */
  arcHandles: Readonly<Record<string, unknown>> = EMPTY_RECORD;

  /** The machine's hooks (hooks.ts, E19), or null: every hook site is behind this one check. */
  readonly hooks: MachineHooks | null;
  /** With hooks: the run's id, whether the current state's `onStateEnter` fired, hooks that threw. */
  runId = 0;
  hookEntered = false;
  hookErrors: HookErrorNote[] | null = null;

  constructor(m: PreparedMachine, clock: Clock, trace: TraceTrie, resources: ResourceManager | null = null, setup: RunSetup = NO_SETUP) {
    this.m = m;
    this.res = resources === null ? null : new RunResources(resources);
    this.clock = clock;
    this.trace = trace;
    this.hooks = setup.hooks;
    this.ctx = new FunctionContext(setup.contextFactory);
    this.tx = resources !== null && m.transaction.mode !== "none" && resources.names.some((name) => resources.isTransactional(name)) ? new RunTransaction(m.transaction.mode, resources) : null;
    if (this.tx !== null) {
      this.ctx.tx = this.tx;
      (this.res as RunResources).tx = this.tx;
    }
    this.st = m.states[0] as PreparedState;
    this.scope = this.st?.scope;
    this.arc = null;
    this.arcBase = EMPTY_RECORD;
    this.arcCopy = false;
    this.entryBase = null;
    this.entryCopied = false;
    this.snapshot = null;
    this.attempt = 0;
    this.i = 0;
    this.j = 0;
    this.k = 0;
    this.popTerminal = -1;
    this.errorSource = -1;
    this.threw = false;
    this.awaiting = null;
    this.resumePhase = DONE;
    this.sleepMs = 0;
    this.strategy = m.strategy;
    this.available = null;
    this.left = null;
    this.#useStrategy(m.strategy);
  }

  /**
   * Resets the per-record fields for a new run of `record` (not yet positioned on a state).
   * Fields not reset here are always written before they are read: the entry fields by ENTER,
   * the arc fields when an arc is selected, the call fields by `call`.
   */
  begin(mode: ModeCode, record: unknown, options: ProcessOptions | undefined, sync = false, shared: TxSession | null = null): void {
    const m = this.m;
    const strategy = options?.strategy === undefined ? m.strategy : strategyCode(options.strategy);
    if (strategy !== this.strategy) this.#useStrategy(strategy);
    if (this.hooks !== null) startRun(this);
    this.res?.begin(sync);
    if (this.left !== null && ++this.generation === 0xffffffff) {
      this.left.fill(0);
      this.generation = 1;
    }
    this.mode = mode;
    this.input = record;
    this.ctx.begin(options?.variables);
    const timeoutSeconds = options?.timeoutSeconds ?? m.timeoutSeconds;
    this.timeoutSeconds = timeoutSeconds ?? 0;
    this.deadline = timeoutSeconds === undefined ? Infinity : this.clock.now() + timeoutSeconds * 1000;
    this.phase = ENTER;
    this.data = record as Data;
    this.fresh = mode === COPY;
    this.state = -1;
    this.target = -1;
    this.entryKind = BY_START;
    this.inherited = null;
    this.stack = null;
    this.counter = 0;
    this.node = this.trace.root;
    this.tail = null;
    this.failed = null;
    this.failures = null;
    this.errors = null;
    this.schemaErrors = null;
    this.success = false;
    this.error = null;
    this.finalState = -1;
    this.timedOut = false;
    this.abandoned = false;
    if (mode === COPY) {
      try {
        this.data = m.inputCopier(record as Data);
      } catch (error) {
        // A record the copy cannot handle fails its run, like any other failure of the run.
        this.crash(error);
      }
    }
    if (this.tx !== null && this.phase !== DONE) this.tx.start(this, sync, shared);
  }

  /** Sets the run up for a strategy: depth-first takes the first available arc; the others collect them. */
  #useStrategy(strategy: number): void {
    this.strategy = strategy;
    this.available = strategy === DEPTH_FIRST ? null : (this.#availableList ??= []);
    this.left = strategy === BREADTH_FIRST ? (this.#leftArray ??= new Uint32Array(this.m.states.length)) : null;
    if (this.left !== null) {
      this.left.fill(0);
      this.generation = 0;
    }
  }

  /** Drops the references a finished run holds, so a pooled run keeps no record alive. */
  end(): void {
    this.input = undefined;
    this.data = EMPTY_RECORD;
    this.arcBase = EMPTY_RECORD;
    this.entryBase = null;
    this.snapshot = null;
    this.result = undefined;
    this.awaiting = null;
    this.stack = null;
    if (this.available !== null) this.available.length = 0;
    this.ctx.end();
  }

  /** Appends an event to the run's route (event encoding: trace.ts). */
  note(event: number): void {
    if (this.tail === null) {
      const next = this.trace.child(this.node, event);
      if (next !== null) {
        this.node = next;
        return;
      }
      this.tail = [];
    }
    this.tail.push(event);
  }

  /** True when `state` was left earlier in this run (breadth-first only: the reference's `state_history`). */
  hasLeft(state: number): boolean {
    return this.left !== null && this.left[state] === this.generation;
  }

  /** Runs steps until the run is DONE or must SUSPEND or SLEEP (the returned signal). */
  advance(): Phase {
    for (;;) {
      const phase = this.phase;
      if (phase >= SUSPEND) return phase;
      if (this.deadline !== Infinity && this.clock.now() >= this.deadline) {
        this.timeOut();
        return DONE;
      }
      switch (phase) {
        case ENTER:
          this.phase = enterState(this);
          break;
        case LOOP:
          // LOOP follows every completed entry (entry.ts): the one place `onStateEnter` fires.
          if (this.hooks !== null) stateEntered(this);
          this.phase = loopTop(this);
          break;
        case PRE_RESULT:
          this.phase = resumePreValidators(this);
          break;
        case TRANSFORM_RESULT:
          this.phase = resumeTransforms(this);
          break;
        case VALIDATE_RESULT:
          this.phase = resumeValidators(this);
          break;
        case CONDITION_RESULT:
          this.phase = resumeConditions(this);
          break;
        case ARC_TRANSFORM:
          this.phase = continueChain(this);
          break;
        case ARC_TRANSFORM_RESULT:
          this.phase = resumeChain(this);
          break;
        case ACQUIRED:
          this.phase = resumeEntryAfterAcquire(this);
          break;
        case ARC_ACQUIRED:
          this.phase = resumeConditionAfterAcquire(this);
          break;
        case CHAIN_ACQUIRED:
          this.phase = resumeChainAfterAcquire(this);
          break;
        default:
          throw new Error(`engine bug: unknown phase ${phase}`);
      }
    }
  }

  /**
   * Calls a user function with the record and `ctx`. A throw becomes `threw`/`result`; a thenable
   * suspends the run (the driver awaits it and calls `resume`); either way the run continues at
   * `resultPhase`, which judges `result`.
   */
  call(fn: Callable, resultPhase: Phase): Phase {
    let value: unknown;
    try {
      value = fn(this.data, this.ctx);
    } catch (error) {
      this.threw = true;
      this.result = error;
      return resultPhase;
    }
    return this.answer(value, resultPhase);
  }

  /** A function's return value: a thenable suspends the run, anything else is judged at `resultPhase`. */
  answer(value: unknown, resultPhase: Phase): Phase {
    if (isThenable(value)) {
      this.awaiting = value;
      this.resumePhase = resultPhase;
      return SUSPEND;
    }
    this.threw = false;
    this.result = value;
    return resultPhase;
  }

  /** Continues a suspended run with the awaited value. */
  resume(value: unknown): void {
    this.awaiting = null;
    this.threw = false;
    this.result = value;
    this.phase = this.resumePhase;
  }

  /** Continues a suspended run with the awaited rejection. */
  resumeWithError(error: unknown): void {
    this.awaiting = null;
    this.threw = true;
    this.result = error;
    this.phase = this.resumePhase;
  }

  /** Continues after a SLEEP. */
  wake(): void {
    this.phase = this.resumePhase;
  }

  /** Ends the run; returns DONE so handlers can `return run.finish(...)`. */
  finish(success: boolean, error: string | null, finalState: number): Phase {
    this.success = success;
    this.error = error;
    this.finalState = finalState;
    this.phase = DONE;
    if (!success && this.hooks !== null) runFailed(this, error ?? "");
    return DONE;
  }

  /** Ends the run because of a timeout (decision E6). */
  timeOut(): void {
    this.timedOut = true;
    this.phase = DONE;
    if (this.hooks !== null) runFailed(this, timeoutMessage(this.timeoutSeconds));
  }

  /** Ends the run because the engine itself, or code it trusts (a record copier), threw. */
  crash(error: unknown): void {
    this.finish(false, errorText(error), this.state);
  }

  /** Puts the record back to where the running entry started (COPY rollback, decision 7). */
  restoreEntry(): void {
    this.data = this.entryBase ?? this.m.inputCopier(this.input as Data);
  }

  /** Adds a state to `failed_states` (once). */
  markFailed(stateName: string): void {
    if (this.failed === null) this.failed = [stateName];
    else if (!this.failed.includes(stateName)) this.failed.push(stateName);
  }

  /** Keeps a failure's details for `metadata.failures`. */
  noteFailure(state: string, fn: string | null, phase: string, error: string): void {
    const note: FailureNote = { state, function: fn, phase, error };
    if (this.failures === null) this.failures = [note];
    else this.failures.push(note);
    if (this.hooks !== null) failureNoted(this, state, fn, phase, error);
  }

  /** Keeps an error routed by `on error` for `metadata.errors`. */
  noteError(state: string, error: string): void {
    const note: RoutedError = { state, error };
    if (this.errors === null) this.errors = [note];
    else this.errors.push(note);
  }

  /**
   * The result: exactly the six fields of `RunResult` (SEMANTICS §8.1, decision E6 on timeout).
   * Its `path` and `metadata` are frozen; those of a repeated route are shared (trace.ts).
   */
  toResult<D, S extends string>(): RunResult<D, S> {
    if (this.timedOut) {
      return {
        success: false,
        final_state: null,
        data: this.input as D,
        path: NO_PATH,
        error: timeoutMessage(this.timeoutSeconds),
        metadata: this.hookErrors === null ? NO_METADATA : Object.freeze({ hook_errors: frozenHookErrors(this.hookErrors) }),
      };
    }
    const path = this.trace.path(this.node, this.tail) as readonly S[];
    let metadata = this.trace.usage(this.node, this.tail);
    if (this.errors !== null || this.failures !== null || this.schemaErrors !== null || this.hookErrors !== null) {
      const extended: Record<string, unknown> = { ...metadata };
      if (this.errors !== null) extended["errors"] = this.errors;
      if (this.failures !== null) extended["failures"] = this.failures;
      if (this.schemaErrors !== null) extended["schema_errors"] = this.schemaErrors;
      if (this.hookErrors !== null) extended["hook_errors"] = frozenHookErrors(this.hookErrors);
      metadata = Object.freeze(extended);
    }
    return {
      success: this.success,
      final_state: this.finalState >= 0 ? (this.m.stateNames[this.finalState] as S) : null,
      data: this.data as D,
      path,
      error: this.error,
      metadata,
    };
  }
}

const EMPTY_RECORD: Data = Object.freeze({});

function timeoutMessage(timeoutSeconds: number): string {
  return `FSM execution exceeded timeout of ${timeoutSeconds} seconds`;
}

/** `metadata.hook_errors`: a frozen copy (a late rejection of an async hook must not change a result). */
function frozenHookErrors(notes: readonly HookErrorNote[]): readonly HookErrorNote[] {
  return Object.freeze(notes.map((note) => Object.freeze({ ...note })));
}
const NO_PATH: readonly never[] = Object.freeze([]);
const NO_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});

/** The data mode code of a per-call option, or the machine's. */
export function runMode(m: PreparedMachine, options: ProcessOptions | undefined): ModeCode {
  return options?.dataMode === undefined ? m.dataMode : modeCode(options.dataMode);
}
