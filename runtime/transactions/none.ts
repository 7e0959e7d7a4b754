/**
 * `ctx.tx` of a run that has no engine transaction (mode `none`, or no run yet): every call
 * explains what to configure instead.
 */
import type { TxControl } from "../machine/api.js";
import { TransactionUsageError } from "./errors.js";

const refusal = (what: string): TransactionUsageError =>
  new TransactionUsageError(
    `ctx.tx.${what}(): this machine has no engine transactions (transaction mode none); set \`transaction: { mode: manual }\` to control them from functions, or use a handle's own transaction(fn)`,
  );

const refuse = (what: string): Promise<never> => Promise.reject(refusal(what));

/** A `ctx.tx` operation. */
export type TxAction = "begin" | "commit" | "rollback" | "savepoint" | "rollbackTo";

/**
 * The `ctx.tx` method that answers synchronously when the handles do (run-tx.ts); the
 * `database.transaction` builtin calls it so that a SQLite machine keeps `processSync`.
 */
export const TX_NOW: unique symbol = Symbol("fsmc.txNow");

/** A `ctx.tx` with the synchronous entry point. */
export interface TxNow {
  [TX_NOW](action: TxAction, name?: string): void | Promise<void>;
}

/** The `ctx.tx` of mode `none`. */
export const NO_TX: TxControl & TxNow = Object.freeze({
  [TX_NOW]: (action: TxAction): never => {
    throw refusal(action);
  },
  mode: "none",
  active: false,
  begin: () => refuse("begin"),
  commit: () => refuse("commit"),
  rollback: () => refuse("rollback"),
  savepoint: () => refuse("savepoint"),
  rollbackTo: () => refuse("rollbackTo"),
});
