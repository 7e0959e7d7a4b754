/**
 * The `transaction` setting (docs/transactions.md): a batch size or a rollback setting only
 * means something in mode `batch` (FSM0223, FSM0224), the batch size is a whole number ≥ 1
 * (FSM0226), and a mode other than `none` needs a resource that takes part in transactions, a
 * SQLite or Postgres database (FSM0225, a warning: the setting would do nothing). The
 * `database.transaction` builtin's begin/commit/rollback need mode `manual` (FSM0227).
 */
import type { Diagnostic } from "../diagnostics/types.js";
import { batchSizeWithoutBatch, invalidBatchSize, rollbackWithoutBatch, transactionBuiltinNotManual, transactionWithoutDatabase } from "../diagnostics/factories/names.js";
import { allFunctionUses, type JsonObject, type Machine, type ResourceDecl } from "../ir/index.js";
import { resolveResource, RESOURCE_KINDS } from "./resource-kinds.js";

/** Every problem of the machine's `transaction` setting (none when it has none). */
export function checkTransaction(machine: Machine): Diagnostic[] {
  const tx = machine.settings.transaction;
  const out: Diagnostic[] = [];
  // `database.transaction` begins, commits and rolls back: only functions of a manual machine may (FSM0227).
  if (tx?.mode !== "manual") {
    for (const use of allFunctionUses(machine)) {
      const ref = use.ref;
      if (ref.kind === "BuiltinRef" && ref.name === "database.transaction" && !isSavepointAction(ref.params)) {
        out.push(transactionBuiltinNotManual(tx?.mode ?? "none", ref.span, tx?.modeSpan));
      }
    }
  }
  if (tx === undefined) return out;
  if (tx.batchSize !== undefined) {
    if (tx.mode !== "batch") out.push(batchSizeWithoutBatch(tx.mode, tx.batchSize.span, tx.modeSpan));
    else if (!Number.isSafeInteger(tx.batchSize.value) || tx.batchSize.value < 1) out.push(invalidBatchSize(tx.batchSize.value, tx.batchSize.span));
  }
  if (tx.rollbackOnError !== undefined && tx.mode !== "batch") out.push(rollbackWithoutBatch(tx.mode, tx.rollbackOnError.span, tx.modeSpan));
  if (tx.mode !== "none" && !machine.resources.some(isTransactional)) out.push(transactionWithoutDatabase(tx.mode, tx.modeSpan));
  return out;
}

/** `savepoint`/`rollback_to` work in any mode with an open transaction; the others need `manual`. */
function isSavepointAction(params: JsonObject | undefined): boolean {
  const action = params?.["action"];
  return action === "savepoint" || action === "rollback_to";
}

/**
 * True for a resource transactions are opened on: kind `sqlite` or `postgres`, also through the
 * `database` alias, whatever its backend (every backend it accepts is one of the two; a backend
 * that is not a literal one is FSM0219's, not also a reason for this warning).
 */
function isTransactional(resource: ResourceDecl): boolean {
  if (resource.type === "database") return true;
  const kind = resolveResource(resource.type, resource.config)?.kind;
  return kind === RESOURCE_KINDS.sqlite || kind === RESOURCE_KINDS.postgres;
}
