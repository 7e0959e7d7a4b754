/**
 * `transaction: { mode: batch }` inside `processBatch` (docs/transactions.md): the records share
 * one session, committed every `batchSize` records and at the end. Each record runs under a
 * record savepoint (run-tx.ts): a failed record's writes are undone and the batch goes on
 * (`rollbackOnError: "record"`), or the whole batch's transaction rolls back and every record of
 * it is reported failed (`"batch"`). A commit that fails fails every record of its batch, and
 * so does a record that times out while its function still runs (that function may still write
 * through the batch's connections, so they are destroyed and the open batch rolls back). A
 * record reported failed because of its batch carries the record it started with, as a record
 * that fails on its own does.
 */
import { errorText } from "../errors.js";
import type { ProcessOptions, RunResult } from "../machine/api.js";
import type { Data, TransactionSettings } from "../machine/definition.js";
import { deepCopy } from "../modes/copy.js";
import { COPY, type ModeCode, restoreInPlace } from "../modes/modes.js";
import type { TxSession } from "./session.js";

/** What the batch needs from the machine. */
export interface BatchTxHost<D, S extends string> {
  /** Runs one record inside `session`, under a record savepoint. */
  processIn(record: D, options: ProcessOptions<S> | undefined, session: TxSession): Promise<RunResult<D, S>>;
  newSession(): TxSession;
  modeOf(options: ProcessOptions<S> | undefined): ModeCode;
  readonly inputCopier: (data: Data) => Data;
}

interface Done<D, S extends string> {
  readonly result: RunResult<D, S>;
  readonly input: D;
  /** Non-COPY modes: the input as it was (the run changed it in place). */
  readonly snapshot: Data | null;
  readonly mode: ModeCode;
}

export class BatchTransaction<D, S extends string> {
  readonly #settings: TransactionSettings;
  readonly #host: BatchTxHost<D, S>;
  #session: TxSession | null = null;
  #done: Done<D, S>[] = [];
  /** Batches committed (for tests). */
  committed = 0;
  /** Records that had succeeded and were turned into failures because their batch did not commit (progress counts). */
  turnedFailed = 0;

  constructor(settings: TransactionSettings, host: BatchTxHost<D, S>) {
    this.#settings = settings;
    this.#host = host;
  }

  /** Runs one record in the current batch (opening one first), committing when the batch is full. */
  async process(record: D, options: ProcessOptions<S> | undefined): Promise<RunResult<D, S>> {
    let session = this.#session;
    if (session === null) {
      session = this.#session = this.#host.newSession();
      await session.begin();
    }
    const mode = this.#host.modeOf(options);
    const snapshot = mode === COPY || typeof record !== "object" || record === null ? null : deepCopy(record as Data);
    let result: RunResult<D, S>;
    try {
      result = await this.#host.processIn(record, options, session);
    } catch (error) {
      if (session.discarded) this.#lost(session, errorText(error));
      throw error;
    }
    if (session.discarded) {
      this.#lost(session, result.error ?? "failed");
      return result;
    }
    if (!result.success && this.#settings.rollbackOnError === "batch") {
      await this.#rollBack(`Rolled back with its batch: a record of the batch failed (${result.error ?? "failed"})`);
      return result;
    }
    this.#done.push({ result, input: record, snapshot, mode });
    if (this.#done.length >= this.#settings.batchSize) await this.flush();
    return result;
  }

  /**
   * The record's run discarded the batch's session (it timed out while a function of it still
   * ran, so run-tx.ts destroyed the connections that function may still write through): the
   * open batch is rolled back with them, and the next record opens a new one.
   */
  #lost(session: TxSession, reason: string): void {
    if (this.#session === session) this.#session = null;
    const done = this.#done;
    this.#done = [];
    this.#failAll(done, `Rolled back with its batch: a record of the batch timed out while its function was still running (${reason})`);
  }

  /** Commits the open batch (the end of `processBatch`, or a full batch). */
  async flush(): Promise<void> {
    const session = this.#session;
    if (session === null) return;
    this.#session = null;
    const done = this.#done;
    this.#done = [];
    try {
      await session.commit();
      session.close();
      this.committed++;
    } catch (error) {
      session.close(true);
      this.#failAll(done, `Transaction failed: ${errorText(error)}`);
    }
  }

  /** Rolls the open batch back (its records are reported failed); `processBatch` itself failed when `reason` is absent. */
  async abort(): Promise<void> {
    await this.#rollBack("Rolled back: the batch did not finish");
  }

  async #rollBack(message: string): Promise<void> {
    const session = this.#session;
    this.#session = null;
    const done = this.#done;
    this.#done = [];
    if (session === null) return;
    let broken = false;
    try {
      await session.rollback();
    } catch {
      broken = true;
    }
    session.close(broken);
    this.#failAll(done, message);
  }

  /** Marks the records of a batch that did not commit as failed, with the record each started with. */
  #failAll(done: readonly Done<D, S>[], message: string): void {
    for (const { result, input, snapshot, mode } of done) {
      if (!result.success) continue;
      this.turnedFailed++;
      const failed = result as { success: boolean; error: string | null; data: D };
      failed.success = false;
      failed.error = message;
      if (typeof input !== "object" || input === null) continue;
      if (snapshot !== null) {
        restoreInPlace(input as Data, snapshot);
        failed.data = input;
      } else if (mode === COPY) {
        failed.data = this.#host.inputCopier(input as Data) as D;
      }
    }
  }
}
