/**
 * Errors of the engine's transactions (docs/transactions.md). Codes FSMR0040–0049.
 */
import { FsmRuntimeError } from "../errors.js";

/** A `ctx.tx` call that the machine's transaction mode or the transaction's state does not allow. */
export class TransactionUsageError extends FsmRuntimeError {
  constructor(message: string) {
    super("FSMR0040", message);
  }
}

/** A transaction could not begin, commit or roll back; the record's writes were not kept. */
export class TransactionFailedError extends FsmRuntimeError {
  constructor(message: string, cause?: unknown) {
    super("FSMR0041", message, cause === undefined ? undefined : { cause });
  }
}
