/**
 * Errors of the built-in function library: FSMR0010–FSMR0019. The first two are raised when a
 * generated module builds its machine (a wrong name or params); the third when a record cannot
 * be processed by a builtin transformer.
 */
import { FsmRuntimeError } from "../errors.js";

/** A builtin name that is not in the library (SEMANTICS §1.13, decision E12). */
export class BuiltinNotFoundError extends FsmRuntimeError {
  constructor(readonly functionName: string) {
    super("FSMR0010", `Built-in function not found: ${functionName}`);
  }
}

/** Params of a builtin that are missing, unknown or of the wrong type or value. */
export class BuiltinParamsError extends FsmRuntimeError {
  constructor(
    readonly functionName: string,
    /** The offending param, or null when the params as a whole are wrong (not an object). */
    readonly param: string | null,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      "FSMR0011",
      param === null
        ? `Built-in function \`${functionName}\`: ${detail}`
        : `Built-in function \`${functionName}\`: param \`${param}\` ${detail}`,
      options,
    );
  }
}

/** A record a builtin transformer cannot process (not an object, or a key clash it would hide). */
export class BuiltinInputError extends FsmRuntimeError {
  constructor(
    readonly functionName: string,
    detail: string,
  ) {
    super("FSMR0012", `Built-in function \`${functionName}\`: ${detail}`);
  }
}
