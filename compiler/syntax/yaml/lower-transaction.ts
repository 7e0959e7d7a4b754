/**
 * The top-level `transaction` block → the IR's `TransactionSetting`: `mode` (or its dataknobs
 * spelling `strategy`), `batch_size`, and `rollback_on_error` (`record` / `batch`, or the
 * dataknobs booleans: `true` rolls the batch back, `false` only the failed record). The
 * dataknobs keys fsmc does not honour, `commit_triggers` and `timeout_seconds`, are refused
 * (FSM0143), never ignored. Whether the options fit the mode is the check's (FSM0223–FSM0226).
 */
import { conflictingKeys, missingKey, unsupportedSetting } from "../../diagnostics/factories/yaml.js";
import type { TransactionMode, TransactionRollback, TransactionSetting } from "../../ir/index.js";
import { entrySpan, mapField, numberField, stringField, type LowerContext } from "./fields.js";
import { entryOf, headSpan, type YMap, type YNode } from "./tree.js";

/** dataknobs keys of `transaction` that fsmc refuses: why, and what to write instead. */
const REFUSED: readonly (readonly [key: string, reason: string, help: string])[] = [
  [
    "commit_triggers",
    "fsmc commits at fixed points: after each record (`single`), every `batch_size` records (`batch`), or where your functions call `ctx.tx.commit()` (`manual`)",
    "remove `commit_triggers`; use `mode: manual` and call `ctx.tx.commit()` where a commit belongs",
  ],
  [
    "timeout_seconds",
    "fsmc has no per-transaction time limit; a transaction ends with its record or its batch",
    "remove `transaction.timeout_seconds`; use the machine's top-level `timeout_seconds` to bound a run",
  ],
];

/** Lowers `transaction`; undefined when absent or when it reported an error. */
export function lowerTransaction(root: YMap, ctx: LowerContext): TransactionSetting | undefined {
  const entry = entryOf(root, "transaction");
  const block = mapField(root, "transaction");
  if (entry === undefined || block === undefined) return undefined;
  const before = ctx.diagnostics.length;
  for (const [key, reason, help] of REFUSED) {
    const refused = entryOf(block.value, key);
    if (refused) ctx.diagnostics.push(unsupportedSetting(`transaction.${key}`, refused.keySpan, reason, help));
  }
  const mode = stringField(block.value, "mode");
  const strategy = stringField(block.value, "strategy");
  if (mode && strategy) {
    ctx.diagnostics.push(
      conflictingKeys({ name: "mode", span: mode.keySpan }, { name: "strategy", span: strategy.keySpan }, "give the mode once: `strategy` is the dataknobs spelling of `mode`"),
    );
  }
  const chosen = mode ?? strategy;
  if (chosen === undefined) {
    ctx.diagnostics.push(
      missingKey("mode", headSpan(block.value), "transaction", "write `mode: none`, `single`, `batch` or `manual` (dataknobs files may spell it `strategy`)"),
    );
  }
  if (chosen === undefined || ctx.diagnostics.length > before) return undefined;
  const size = numberField(block.value, "batch_size");
  const sizeEntry = entryOf(block.value, "batch_size");
  const rollback = entryOf(block.value, "rollback_on_error");
  return {
    kind: "TransactionSetting",
    mode: chosen.value as TransactionMode,
    modeSpan: chosen.span,
    ...(size && sizeEntry ? { batchSize: { value: size.value, span: entrySpan(sizeEntry) } } : {}),
    ...(rollback ? { rollbackOnError: { value: rollbackOf(rollback.value), span: entrySpan(rollback) } } : {}),
    span: entrySpan(entry),
  };
}

/** `record` / `batch` as written; dataknobs' `true` rolls the batch back, `false` only the record. */
function rollbackOf(node: YNode): TransactionRollback {
  const value = node.kind === "scalar" ? node.value : undefined;
  if (value === true || value === "batch") return "batch";
  if (value === false || value === "record") return "record";
  throw new Error("fsmc bug: `transaction.rollback_on_error` passed the shape check but is not `record`, `batch`, `true` or `false`");
}
