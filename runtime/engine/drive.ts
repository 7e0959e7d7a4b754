/**
 * The two drivers of the step machine. They differ only in how they answer its signals: the
 * async driver awaits a function's thenable (racing it against the run's deadline) and sleeps
 * on the clock; the sync driver sleeps with `clock.sleepSync` and fails the run when a function
 * returns a thenable (decision E9). Everything else is `Run.advance`.
 */
import { NotSynchronousError } from "../errors.js";
import type { RunResult } from "../machine/api.js";
import { DONE, type Phase, SLEEP } from "./phase.js";
import type { Run } from "./run.js";
import { isThenable } from "../thenable.js";

/** Runs `run` to the end without awaiting. */
export function driveSync<D, S extends string>(run: Run): RunResult<D, S> {
  try {
    for (;;) {
      const signal = run.advance();
      if (signal === DONE) break;
      if (signal === SLEEP) {
        run.clock.sleepSync(run.sleepMs);
        run.wake();
        continue;
      }
      const pending = run.awaiting as PromiseLike<unknown>;
      observeAbandoned(pending);
      run.abandoned = true;
      const error = new NotSynchronousError(`function \`${run.ctx.function_name}\` returned a Promise`);
      run.finish(false, error.message, run.state);
      break;
    }
  } catch (error) {
    run.crash(error);
  }
  if (run.tx !== null) {
    // Synchronous providers only (processSync refuses the others): the transaction ends now.
    const ended = run.tx.finish();
    if (isThenable(ended)) throw new Error("engine bug: a processSync run's transaction ended asynchronously");
  }
  return run.toResult<D, S>();
}

/**
 * Runs `run` to the end, awaiting what its functions return. A run whose functions all answer
 * synchronously finishes without a promise (the result itself is returned); the first thenable
 * or retry delay continues in `continueAsync`.
 */
export function driveAsync<D, S extends string>(run: Run): RunResult<D, S> | Promise<RunResult<D, S>> {
  let signal: Phase;
  try {
    signal = run.advance();
  } catch (error) {
    run.crash(error);
    signal = DONE;
  }
  if (signal === DONE) {
    const ended = run.tx === null ? undefined : run.tx.finish();
    if (isThenable(ended)) return Promise.resolve(ended).then(() => run.toResult<D, S>());
    return run.toResult<D, S>();
  }
  return continueAsync<D, S>(run, signal);
}

async function continueAsync<D, S extends string>(run: Run, first: Phase): Promise<RunResult<D, S>> {
  try {
    for (let signal = first; signal !== DONE; signal = run.advance()) {
      if (signal === SLEEP) {
        await run.clock.sleep(run.sleepMs);
        run.wake();
        continue;
      }
      const pending = run.awaiting as PromiseLike<unknown>;
      let value: unknown;
      try {
        value = run.deadline === Infinity ? await pending : await raceDeadline(run, pending);
      } catch (error) {
        run.resumeWithError(error);
        continue;
      }
      if (value === TIMED_OUT) {
        run.abandoned = true;
        run.timeOut();
      } else {
        run.resume(value);
      }
    }
  } catch (error) {
    run.crash(error);
  }
  if (run.tx !== null) await run.tx.finish();
  return run.toResult<D, S>();
}

const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * Settles with `pending`'s outcome, or with TIMED_OUT when the run's deadline passes first (a
 * real timer: a function that never settles must not hold the run). With a simulated clock the
 * timer rarely matters: a function that "sleeps" on it settles at once, and the deadline check
 * after the await sees the moved clock.
 */
function raceDeadline(run: Run, pending: PromiseLike<unknown>): Promise<unknown> {
  const remainingMs = run.deadline - run.clock.now();
  if (remainingMs <= 0) {
    observeAbandoned(pending);
    return Promise.resolve(TIMED_OUT);
  }
  return new Promise<unknown>((resolve, reject) => {
    // Not unref'd: while a run waits on a function that never settles, this timer is what keeps
    // the process alive until the deadline produces the timeout result (E6).
    const timer = setTimeout(() => resolve(TIMED_OUT), remainingMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Attaches a rejection handler to a thenable the run no longer waits for (processSync refused
 * it, or the deadline passed). The run has already failed with a message naming the function,
 * so a later rejection has no record left to report to; without a handler it would become an
 * unhandled rejection that crashes the process.
 */
function observeAbandoned(pending: PromiseLike<unknown>): void {
  Promise.resolve(pending).then(undefined, keepRunFailure);
}

function keepRunFailure(_error: unknown): void {
  // The abandoned run's failure (timeout or NotSynchronousError) is its reported outcome.
}
