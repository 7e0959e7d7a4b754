/**
 * One engine transaction over the transactional resources (SQLite, Postgres) a run — or a batch
 * of runs — uses (docs/transactions.md). The session holds one handle per resource for its whole
 * life, under its own owner key on the machine's resource manager, so a state leaving does not
 * give back a connection that is inside the transaction.
 *
 * While the session is open, every handle that joins it begins its database transaction and then
 * takes every savepoint open at that moment (`mark`), so undoing a mark undoes the writes since
 * it on every resource, whenever each joined. Statements a handle answers asynchronously
 * (Postgres) are issued without waiting: a connection runs them in order, before the function
 * statements that follow, and the first failure among them fails the commit.
 */
import { errorText } from "../errors.js";
import type { ResourceManager } from "../resources/manager.js";
import { isTransactional, type TransactionControl, TX_CONTROL } from "../resources/types.js";
import { andThen, isThenable, type Maybe } from "../thenable.js";
import { TransactionFailedError, TransactionUsageError } from "./errors.js";


interface Member {
  readonly name: string;
  readonly handle: unknown;
  readonly control: TransactionControl;
}

let sessions = 0;

export class TxSession {
  /** The owner key of the session's loans on the manager. */
  readonly owner: string;
  readonly #manager: ResourceManager;
  /** Handles in the order they joined (commits go in that order). */
  readonly #members: Member[] = [];
  /** Acquisitions in flight, by resource name. */
  readonly #joining = new Map<string, Promise<unknown>>();
  /** Savepoints open now, outermost first. */
  readonly #marks: string[] = [];
  /** Statements issued without waiting, not settled yet. */
  #inFlight: Promise<void>[] = [];
  /** The first failure of a statement issued without waiting (the commit then fails with it). */
  #failure: unknown = null;
  #open = false;
  /** Set by `discard`: the session's connections were destroyed while a function may still use them. */
  #discarded = false;
  /** processSync: a handle that would make the run wait fails it instead. */
  readonly #sync: boolean;

  constructor(manager: ResourceManager, label: string, sync = false) {
    this.#manager = manager;
    this.owner = `${label}/tx${++sessions}`;
    this.#sync = sync;
  }

  /** True while the database transactions are open. */
  get open(): boolean {
    return this.#open;
  }

  /** True once `discard` ended the session (a batch must open a new one). */
  get discarded(): boolean {
    return this.#discarded;
  }

  /** True when at least one handle joined. */
  get holding(): boolean {
    return this.#members.length > 0;
  }

  /** Names of the resources in the session, in the order they joined. */
  get resources(): readonly string[] {
    return this.#members.map((member) => member.name);
  }

  /**
   * The session's handle of resource `name`: the one it holds, or a new one from the pool that
   * (when the session is open) begins its transaction and takes the open savepoints first.
   */
  acquire(name: string, timeoutMs: number | undefined): Maybe<unknown> {
    for (const member of this.#members) if (member.name === name) return member.handle;
    const joining = this.#joining.get(name);
    if (joining !== undefined) return joining;
    const got = this.#manager.acquire(name, this.owner, timeoutMs);
    const joined = andThen(got, (handle) => this.#join(name, handle, timeoutMs ?? this.#beginTimeoutMs(name)));
    if (!isThenable(joined)) return joined;
    const pending = Promise.resolve(joined).finally(() => this.#joining.delete(name));
    this.#joining.set(name, pending);
    return pending;
  }

  /** Adds a handle the manager lent to the session. */
  #join(name: string, handle: unknown, timeoutMs: number): Maybe<unknown> {
    if (!isTransactional(handle)) {
      this.#manager.release(name, this.owner);
      throw new TransactionUsageError(`resource \`${name}\` says it is transactional, but its handle has no transaction control`);
    }
    const member: Member = { name, handle, control: handle[TX_CONTROL]() };
    this.#members.push(member);
    if (!this.#open) return handle;
    let begun: Maybe<void>;
    try {
      begun = this.#beginMember(member, timeoutMs);
    } catch (error) {
      // Its attempt may still be running (processSync refused to wait for it): destroyed.
      this.#drop(member, true);
      throw error;
    }
    const joined = (): unknown => {
      for (const mark of this.#marks) this.#issue(member.control.savepoint(mark));
      return handle;
    };
    if (!isThenable(begun)) return joined();
    return Promise.resolve(begun).then(joined, (error: unknown) => {
      this.#drop(member, false);
      throw error;
    });
  }

  /**
   * A handle whose transaction could not begin leaves the session (a later acquisition of the
   * resource must not get it back outside the transaction) and goes back to the pool.
   */
  #drop(member: Member, destroy: boolean): void {
    const at = this.#members.indexOf(member);
    if (at >= 0) this.#members.splice(at, 1);
    this.#manager.release(member.name, this.owner, destroy);
  }

  /**
   * Opens the transaction on every handle held (and on those that join later). When one cannot
   * begin, those already begun are rolled back and the session stays closed (its handles stay
   * members: the run's states are using them).
   */
  begin(): Maybe<void> {
    if (this.#open) throw new TransactionUsageError("a transaction is already open: commit or roll it back first");
    this.#open = true;
    this.#failure = null;
    const members = [...this.#members];
    const failed = (begun: number, error: unknown): Maybe<void> => {
      this.#open = false;
      this.#marks.length = 0;
      const undo = members.slice(0, begun).map((member) => settleQuietly(member.control.rollback()));
      const report = (): never => {
        throw error;
      };
      return undo.some(isThenable) ? Promise.all(undo).then(report) : report();
    };
    const step = (i: number): Maybe<void> => {
      const member = members[i];
      if (member === undefined) return;
      let begun: Maybe<void>;
      try {
        begun = this.#beginMember(member, this.#beginTimeoutMs(member.name));
      } catch (error) {
        return failed(i, error);
      }
      if (!isThenable(begun)) return step(i + 1);
      return Promise.resolve(begun).then(
        () => step(i + 1),
        (error: unknown) => failed(i, error),
      );
    };
    return step(0);
  }

  /** How long a handle may wait to begin: not at all under processSync, else the state acquire timeout. */
  #beginTimeoutMs(name: string): number {
    return this.#sync ? 0 : this.#manager.stateTimeoutMs(name);
  }

  #beginMember(member: Member, timeoutMs: number): Maybe<void> {
    const cannotBegin = (error: unknown): never => {
      throw new TransactionFailedError(`cannot begin a transaction on \`${member.name}\`: ${errorText(error)}`, error);
    };
    let begun: void | Promise<void>;
    try {
      begun = member.control.begin(timeoutMs);
    } catch (error) {
      return cannotBegin(error);
    }
    if (this.#sync && isThenable(begun)) {
      // processSync cannot wait for another writer to let go of the database.
      Promise.resolve(begun).then(
        () => void Promise.resolve(member.control.rollback()).catch(() => undefined),
        () => undefined,
      );
      throw new TransactionFailedError(`cannot begin a transaction on \`${member.name}\` without waiting (another writer holds it); use process() instead of processSync()`);
    }
    return isThenable(begun) ? Promise.resolve(begun).catch(cannotBegin) : begun;
  }

  /** Opens savepoint `name` on every handle (and on those that join while it is open). */
  mark(name: string): void {
    if (!this.#open) return;
    this.#marks.push(name);
    for (const member of this.#members) this.#issue(member.control.savepoint(name));
  }

  /** Undoes every write since `mark(name)` and closes that savepoint (and any opened after it). */
  undo(name: string): void {
    const at = this.#marks.lastIndexOf(name);
    if (!this.#open || at < 0) return;
    this.#marks.length = at;
    for (const member of this.#members) this.#issue(member.control.rollbackTo(name));
  }

  /** Keeps the writes since `mark(name)` and closes that savepoint (and any opened after it). */
  keep(name: string): void {
    const at = this.#marks.lastIndexOf(name);
    if (!this.#open || at < 0) return;
    this.#marks.length = at;
    for (const member of this.#members) this.#issue(member.control.release(name));
  }

  /** True when savepoint `name` is open. */
  marked(name: string): boolean {
    return this.#marks.includes(name);
  }

  /**
   * Commits every handle's transaction, in the order they joined. A statement that failed
   * earlier, or a failing commit, rolls back what is not committed yet and throws
   * `TransactionFailedError` (naming resources already committed: there is no two-phase commit
   * across databases).
   */
  commit(): Maybe<void> {
    if (!this.#open) throw new TransactionUsageError("no transaction is open");
    return andThen(this.#settle(), () => {
      if (this.#failure !== null) {
        const failure = this.#failure;
        return andThen(this.rollback(), () => {
          throw new TransactionFailedError(`the transaction was rolled back: ${errorText(failure)}`, failure);
        });
      }
      this.#open = false;
      this.#marks.length = 0;
      const committed: string[] = [];
      const step = (i: number): Maybe<void> => {
        const member = this.#members[i];
        if (member === undefined) return;
        let done: Maybe<void>;
        try {
          done = member.control.commit();
        } catch (error) {
          return this.#commitFailed(committed, i, error);
        }
        if (!isThenable(done)) {
          committed.push(member.name);
          return step(i + 1);
        }
        return Promise.resolve(done).then(
          () => {
            committed.push(member.name);
            return step(i + 1);
          },
          (error: unknown) => this.#commitFailed(committed, i, error),
        );
      };
      return step(0);
    });
  }

  #commitFailed(committed: readonly string[], failedAt: number, error: unknown): Maybe<void> {
    // The failed member too: SQLite keeps a transaction open after a COMMIT it refused (a
    // deferred constraint), and its handle would otherwise go on inside it, flagged as the engine's.
    const rest = this.#members.slice(failedAt);
    const undo = rest.map((member) => settleQuietly(member.control.rollback()));
    const report = (): never => {
      const name = this.#members[failedAt]?.name ?? "?";
      const before = committed.length > 0 ? ` (already committed: ${committed.map((n) => `\`${n}\``).join(", ")})` : "";
      throw new TransactionFailedError(`commit failed on \`${name}\`${before}: ${errorText(error)}`, error);
    };
    return undo.some(isThenable) ? Promise.all(undo).then(report) : report();
  }

  /** Rolls every handle's transaction back; the first failure is thrown after every handle was tried. */
  rollback(): Maybe<void> {
    this.#marks.length = 0;
    if (!this.#open) return;
    this.#open = false;
    const outcomes = this.#members.map((member) => settleOutcome(() => member.control.rollback()));
    const finish = (results: readonly unknown[]): void => {
      this.#inFlight = [];
      const failed = results.find((r) => r !== OK);
      if (failed !== undefined) throw new TransactionFailedError(`rollback failed: ${errorText(failed)}`, failed);
    };
    if (outcomes.some(isThenable)) return Promise.all(outcomes).then(finish);
    return finish(outcomes);
  }

  /**
   * Ends the transaction by destroying its connections now, without waiting for a rollback: a
   * function the engine no longer waits for (a timed-out run's) may still use the handles, and
   * a statement it issues while a `ROLLBACK` is on its way would run after it, outside any
   * transaction, and be kept. A destroyed connection's open transaction is rolled back by the
   * database (SQLite's handle rolls back as it closes; Postgres ends the session).
   */
  discard(): void {
    this.#discarded = true;
    this.close(true);
  }

  /**
   * Gives the handles back to the pool. `broken`: the transaction's end is unknown (a rollback
   * failed, a function may still be using a handle), so they are destroyed instead of lent again.
   */
  close(broken = false): void {
    this.#manager.releaseAll(this.owner, broken);
    this.#members.length = 0;
    this.#marks.length = 0;
    this.#inFlight = [];
    this.#open = false;
  }

  /** Tracks a statement issued without waiting. */
  #issue(outcome: void | Promise<void>): void {
    if (!isThenable(outcome)) return;
    const tracked = Promise.resolve(outcome).then(undefined, (error: unknown) => {
      this.#failure ??= error;
    });
    this.#inFlight.push(tracked);
  }

  /** Waits for the statements issued without waiting. */
  #settle(): Maybe<void> {
    if (this.#inFlight.length === 0) return;
    const waiting = this.#inFlight;
    this.#inFlight = [];
    return Promise.all(waiting).then(() => undefined);
  }
}

const OK = Symbol("ok");

/** Calls `fn`; its outcome as OK or the error, now or as a promise. */
function settleOutcome(fn: () => void | Promise<void>): unknown {
  let value: void | Promise<void>;
  try {
    value = fn();
  } catch (error) {
    return error;
  }
  return isThenable(value) ? Promise.resolve(value).then(() => OK, (error: unknown) => error) : OK;
}

/** A rollback whose failure has no reader (the commit's failure is what is reported). */
function settleQuietly(value: void | Promise<void>): void | Promise<void> {
  return isThenable(value) ? Promise.resolve(value).catch(() => undefined) : undefined;
}
