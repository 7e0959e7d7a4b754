/**
 * The phases of the engine's step machine (see run.ts). Each phase handler does one step and
 * returns the next phase; the last three are signals to the driver, which `advance` returns.
 */

/** Entering `run.target`: set state and path, resources, COPY working copy, then the entry procedure. */
export const ENTER = 0;
/** Judge a resumed pre-validator, then continue the entry procedure. */
export const PRE_RESULT = 1;
/** Judge a resumed transform, then continue. */
export const TRANSFORM_RESULT = 2;
/** Judge a resumed post-validator, then continue. */
export const VALIDATE_RESULT = 3;
/** Top of the main loop: final state or pop, transition limit, then the arcs' conditions. */
export const LOOP = 4;
/** Judge a resumed condition, then continue with the next arc. */
export const CONDITION_RESULT = 5;
/** Restart the chosen arc's transform chain (after a retry delay). */
export const ARC_TRANSFORM = 6;
/** Judge a resumed arc transform, then continue the chain. */
export const ARC_TRANSFORM_RESULT = 7;
/** The entered state's resources were acquired (or failed): continue the entry. */
export const ACQUIRED = 8;
/** An arc's resources for its condition were acquired (or failed): call the condition. */
export const ARC_ACQUIRED = 9;
/** An arc's resources for its transform chain were acquired (or failed): start the chain. */
export const CHAIN_ACQUIRED = 10;

/** Signal: a function returned a thenable (`run.awaiting`); the driver resumes the run with its value. */
export const SUSPEND = 13;
/** Signal: wait `run.sleepMs` (a retry delay), then call `run.wake()`. */
export const SLEEP = 14;
/** Signal: the run has finished; `run.toResult()` builds the result. */
export const DONE = 15;

/** One of the constants above. */
export type Phase = number;

/** How the state being entered was reached; decides what a refused entry means (run.ts `refuseEntry`). */
export const BY_START = 0;
/** Through a regular arc (`run.arc`). */
export const BY_ARC = 1;
/** Through a push arc into its sub-network's entry state. */
export const BY_PUSH = 2;
/** Into a push arc's return state, after a pop. */
export const BY_RETURN = 3;
/** Into a state's `on error` target (decision E3). */
export const BY_ERROR_ROUTE = 4;
/** One of the `BY_*` constants. */
export type EntryKind = number;

/** Returned by a judge: the call passed, continue with the next slot (never a phase). */
export const CONTINUE = -1;
