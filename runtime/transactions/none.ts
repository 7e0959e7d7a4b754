/**
 * `ctx.tx` of a run that has no engine transaction (mode `none`, or no run yet): every call
 * explains what to configure instead.
 */
import type { TxControl } from "../machine/api.js";
import { TransactionUsageError } from "./errors.js";

const refuse = (what: string): Promise<never> =>
  Promise.reject(
    new TransactionUsageError(
      `ctx.tx.${what}(): this machine has no engine transactions (transaction mode none); set \`transaction: { mode: manual }\` to control them from functions, or use a handle's own transaction(fn)`,
    ),
  );

/** The `ctx.tx` of mode `none`. */
export const NO_TX: TxControl = Object.freeze({
  mode: "none",
  active: false,
  begin: () => refuse("begin"),
  commit: () => refuse("commit"),
  rollback: () => refuse("rollback"),
  savepoint: () => refuse("savepoint"),
  rollbackTo: () => refuse("rollbackTo"),
});
