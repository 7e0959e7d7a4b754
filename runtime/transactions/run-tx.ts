/**
 * A run's side of the machine's `transaction` setting (docs/transactions.md, decision E21), and
 * its `ctx.tx`. One per `Run`, reused across its records.
 *
 * - `single`: the run opens a session at its start; every transactional resource it acquires
 *   joins it; the end of the run commits it when the record succeeded and rolls it back when it
 *   failed (a commit that fails fails the record).
 * - `batch`: inside `processBatch` the run joins the batch's session under a record savepoint,
 *   kept when the record succeeds and undone when it fails (batch.ts decides about the batch);
 *   a lone `process` call behaves as `single`.
 * - `manual`: the run holds a closed session from its start; `ctx.tx.begin/commit/rollback`
 *   open and end it. A transaction still open when the run ends is rolled back and fails the record.
 *
 * In every mode, each state entry (and each arc transform chain) that has resources runs under
 * a savepoint while the transaction is open: an entry that fails — and whose record COPY mode
 * restores — has its writes undone too, so a record routed on after a failure leaves nothing
 * half-written. A record whose transaction rolls back ends with the record it started with.
 */
import { errorText } from "../errors.js";
import type { TxControl } from "../machine/api.js";
import type { Data, TransactionMode } from "../machine/definition.js";
import { deepCopy } from "../modes/copy.js";
import { COPY, restoreInPlace } from "../modes/modes.js";
import type { ResourceManager } from "../resources/manager.js";
import { andThen, isThenable, type Maybe } from "../thenable.js";
import { TransactionUsageError } from "./errors.js";
import { type TxAction, TX_NOW } from "./none.js";
import { TxSession } from "./session.js";

/** The part of a run this module reads and writes (run.ts's `Run`). */
export interface TxRun {
  readonly m: { readonly inputCopier: (data: Data) => Data };
  mode: number;
  input: unknown;
  data: Data;
  success: boolean;
  error: string | null;
  timedOut: boolean;
  abandoned: boolean;
  readonly res: { readonly id: string } | null;
}

/** Savepoint names the engine uses (user savepoints are prefixed, so they never clash). */
const ENTRY = "fsmc_entry";
const ARC = "fsmc_arc";
const RECORD = "fsmc_record";

export class RunTransaction implements TxControl {
  readonly mode: TransactionMode;
  readonly #manager: ResourceManager;
  /** The run's session: its own (single, manual), or the batch's. */
  #session: TxSession | null = null;
  #shared = false;
  /** Non-COPY modes: the input as it was, to put back in place when the transaction rolls back. */
  #snapshot: Data | null = null;
  #run: TxRun | null = null;
  /**
   * A state entry (or an arc transform chain) with resources is running: its savepoint is open,
   * or — in mode manual before `begin` — would be, so `begin` takes it then (the writes of an
   * entry that fails after `begin` are undone like those of any failed entry).
   */
  #inEntry = false;
  #inArc = false;

  constructor(mode: TransactionMode, manager: ResourceManager) {
    this.mode = mode;
    this.#manager = manager;
  }

  /** True while a transaction is open for this run. */
  get active(): boolean {
    return this.#session?.open ?? false;
  }

  /** Starts a record's run: its own session, or the batch's `shared` one (under a record savepoint). */
  start(run: TxRun, sync: boolean, shared: TxSession | null = null): void {
    this.#run = run;
    this.#inEntry = false;
    this.#inArc = false;
    this.#snapshot = run.mode === COPY || this.mode === "manual" ? null : deepCopy(run.input as Data);
    if (shared !== null) {
      this.#session = shared;
      this.#shared = true;
      shared.mark(RECORD);
      return;
    }
    this.#shared = false;
    const session = new TxSession(this.#manager, run.res?.id ?? "run", sync);
    this.#session = session;
    if (this.mode !== "manual") void session.begin();
  }

  /** The session's handle of transactional resource `name` (the state's and arc's acquisitions go here). */
  acquire(name: string, timeoutMs: number | undefined): Maybe<unknown> {
    return (this.#session as TxSession).acquire(name, timeoutMs);
  }

  /** True when acquisitions of `name` must go through the session. */
  covers(name: string): boolean {
    return this.#session !== null && this.#manager.isTransactional(name);
  }

  markEntry(): void {
    this.#inEntry = true;
    this.#session?.mark(ENTRY);
  }

  undoEntry(): void {
    this.#inEntry = false;
    this.#session?.undo(ENTRY);
  }

  keepEntry(): void {
    this.#inEntry = false;
    this.#session?.keep(ENTRY);
  }

  /** Marks (or, for a retry, re-marks) the start of an arc transform chain. */
  markArc(retry: boolean): void {
    const session = this.#session;
    if (session === null) return;
    this.#inArc = true;
    if (retry) session.undo(ARC);
    session.mark(ARC);
  }

  undoArc(): void {
    this.#inArc = false;
    this.#session?.undo(ARC);
  }

  keepArc(): void {
    this.#inArc = false;
    this.#session?.keep(ARC);
  }

  /**
   * Ends the record's part: commits or rolls back its own session, or keeps or undoes its record
   * savepoint in the batch's. A record whose writes were rolled back gets its input back as data;
   * a commit that fails fails the record.
   */
  finish(): Maybe<void> {
    const run = this.#run;
    const session = this.#session;
    if (run === null || session === null) return;
    if (run.abandoned) {
      // A function the run stopped waiting for may still use the handles: end the transaction
      // by destroying them now (a batch's too: batch.ts then reports its open batch rolled back).
      session.discard();
      this.#restore(run);
      this.#release();
      return;
    }
    if (this.#shared) {
      if (run.success && !run.timedOut) session.keep(RECORD);
      else {
        session.undo(RECORD);
        this.#restore(run);
      }
      this.#release();
      return;
    }
    let outcome: Maybe<void>;
    try {
      outcome = this.#end(run, session);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    const broken = (error: unknown): void => {
      this.#fail(run, `Transaction failed: ${errorText(error)}`);
      session.close(true);
      this.#release();
    };
    if (!isThenable(outcome)) {
      session.close();
      this.#release();
      return;
    }
    return Promise.resolve(outcome).then(() => {
      session.close();
      this.#release();
    }, broken);
  }

  /** Commits or rolls back the run's own session. */
  #end(run: TxRun, session: TxSession): Maybe<void> {
    if (!session.open) return;
    if (this.mode === "manual") {
      return andThen(session.rollback(), () => {
        if (run.success) this.#fail(run, "Transaction left open at the end of the run: it was rolled back (call ctx.tx.commit() before the run ends)");
        this.#restore(run);
      });
    }
    if (!run.success || run.timedOut) {
      return andThen(session.rollback(), () => this.#restore(run));
    }
    let committed: Maybe<void>;
    try {
      committed = session.commit();
    } catch (error) {
      this.#fail(run, `Transaction failed: ${errorText(error)}`);
      return;
    }
    if (!isThenable(committed)) return;
    return Promise.resolve(committed).catch((error: unknown) => this.#fail(run, `Transaction failed: ${errorText(error)}`));
  }

  /** A record whose transaction did not commit: failed, with the record it started with. */
  #fail(run: TxRun, message: string): void {
    run.success = false;
    run.error = message;
    this.#restore(run);
  }

  /**
   * Puts the record back as it entered the run (the writes it made are gone with the rollback).
   * A timed-out run's result is its input (E6): only REFERENCE and DIRECT, which changed that
   * input in place, have anything to put back.
   */
  #restore(run: TxRun): void {
    if (typeof run.input !== "object" || run.input === null) return;
    if (this.#snapshot === null) {
      if (run.mode === COPY && !run.timedOut) run.data = run.m.inputCopier(run.input as Data);
      return;
    }
    restoreInPlace(run.input as Data, this.#snapshot);
    run.data = run.input as Data;
  }

  /**
   * After a run that ended without `finish` (the engine threw): its own session's handles are
   * destroyed (the database rolls their transactions back); in a batch's session its record
   * savepoint is undone — or, when a function may still be running, the batch's session is
   * discarded too.
   */
  abandon(): void {
    const session = this.#session;
    if (session !== null) {
      if (!this.#shared || this.#run?.abandoned === true) session.discard();
      else session.undo(RECORD);
    }
    this.#release();
  }

  #release(): void {
    this.#session = null;
    this.#snapshot = null;
    this.#run = null;
    this.#shared = false;
    this.#inEntry = false;
    this.#inArc = false;
  }

  // ctx.tx (TxControl)

  begin(): Promise<void> {
    return settled(() => this[TX_NOW]("begin"));
  }

  commit(): Promise<void> {
    return settled(() => this[TX_NOW]("commit"));
  }

  rollback(): Promise<void> {
    return settled(() => this[TX_NOW]("rollback"));
  }

  savepoint(name: string): Promise<void> {
    return settled(() => this[TX_NOW]("savepoint", name));
  }

  rollbackTo(name: string): Promise<void> {
    return settled(() => this[TX_NOW]("rollbackTo", name));
  }

  /**
   * The `ctx.tx` operations, answering synchronously when every handle does (SQLite), so a
   * function that writes right after an un-awaited `begin()` writes inside the transaction, and
   * the `database.transaction` builtin keeps `processSync`.
   */
  [TX_NOW](action: TxAction, name?: string): Maybe<void> {
    switch (action) {
      case "begin": {
        const session = this.#manualSession("begin");
        if (session.open) throw new TransactionUsageError("ctx.tx.begin(): a transaction is already open; commit or roll it back first");
        return andThen(session.begin(), () => {
          // Begun inside an entry or an arc chain: its failure must undo what it writes from now on.
          if (this.#inEntry) session.mark(ENTRY);
          if (this.#inArc) session.mark(ARC);
        });
      }
      case "commit": {
        const session = this.#manualSession("commit");
        if (!session.open) throw new TransactionUsageError("ctx.tx.commit(): no transaction is open (call ctx.tx.begin() first)");
        return session.commit();
      }
      case "rollback": {
        const session = this.#manualSession("rollback");
        if (!session.open) throw new TransactionUsageError("ctx.tx.rollback(): no transaction is open (call ctx.tx.begin() first)");
        return session.rollback();
      }
      case "savepoint": {
        const session = this.#openSession("savepoint");
        session.mark(userSavepoint(name ?? ""));
        return;
      }
      case "rollbackTo": {
        const session = this.#openSession("rollbackTo");
        const savepoint = userSavepoint(name ?? "");
        if (!session.marked(savepoint)) throw new TransactionUsageError(`ctx.tx.rollbackTo(): no savepoint \`${name ?? ""}\` is open`);
        session.undo(savepoint);
        return;
      }
    }
  }

  #manualSession(method: string): TxSession {
    if (this.mode !== "manual") {
      throw new TransactionUsageError(`ctx.tx.${method}(): the machine's transactions are managed by the engine (transaction mode ${this.mode}); only mode manual lets functions begin, commit and roll back`);
    }
    const session = this.#session;
    if (session === null) throw new TransactionUsageError(`ctx.tx.${method}(): called outside a run`);
    return session;
  }

  #openSession(method: string): TxSession {
    const session = this.#session;
    if (session === null || !session.open) throw new TransactionUsageError(`ctx.tx.${method}(): no transaction is open`);
    return session;
  }
}

/** `work()`'s outcome as a promise (a synchronous throw becomes a rejection). */
function settled(work: () => Maybe<void>): Promise<void> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A user savepoint's SQL name: checked, and prefixed so it never clashes with the engine's. */
function userSavepoint(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,50}$/.test(name)) {
    throw new TransactionUsageError(`savepoint name \`${name}\` must be a letter or \`_\` followed by letters, digits or \`_\` (at most 51 characters)`);
  }
  return `u_${name}`;
}
