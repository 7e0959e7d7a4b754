/**
 * A run's resources (SEMANTICS §5.4, fixed): the handles a record's run holds, by owner, on the
 * machine's resource manager. Owner keys carry the run's own id, so two records never share a
 * handle. A state's handles are held per push level: entering a state at level `d` first gives
 * back what levels `d` and deeper held (the state left, and the sub-network a pop left), so a
 * pushing state keeps its handles through its subflow (the subflow's states inherit them) until
 * the pop. An arc's handles are held for one condition, or for its transform chain. `releaseAll`
 * at the end of every run, whatever ended it, is what guarantees that nothing leaks.
 */
import type { ResourceBinding } from "../machine/definition.js";
import type { ResourceManager } from "../resources/manager.js";
import { isThenable } from "../thenable.js";
import type { RunTransaction } from "../transactions/run-tx.js";

type Handles = Readonly<Record<string, unknown>>;

let runIds = 0;

/** The resource side of one run (one per `Run`, reused across its records). */
export class RunResources {
  readonly manager: ResourceManager;
  /** The current record's run id (`run#<n>`), renewed by `begin`. */
  id = "";
  /** processSync: a pool that would make the run wait fails it at once instead. */
  sync = false;
  /** The run's transaction (machine `transaction` setting): transactional resources are acquired through it. */
  tx: RunTransaction | null = null;
  /** Owner key of the state lease at each push level (null: none). */
  readonly #levels: (string | null)[] = [];
  /** Every owner key this record's run used (released by `releaseAll`). */
  readonly #owners = new Set<string>();

  constructor(manager: ResourceManager) {
    this.manager = manager;
  }

  /** Starts a new record's run. */
  begin(sync: boolean): void {
    this.id = `run#${++runIds}`;
    this.sync = sync;
    this.#levels.length = 0;
    this.#owners.clear();
  }

  /** Gives back the state leases of push level `level` and deeper. */
  releaseFrom(level: number): void {
    for (let d = this.#levels.length - 1; d >= level; d--) {
      const owner = this.#levels[d];
      if (owner !== null && owner !== undefined) this.release(owner);
    }
    if (this.#levels.length > level) this.#levels.length = level;
  }

  /**
   * Acquires a state's bindings at push level `level` (reusing any handle of the same resource
   * that `inherited` already holds): the handles by role, or a promise of them.
   */
  acquireState(level: number, stateIndex: number, bindings: readonly ResourceBinding[], inherited: Handles, inheritedRoles: Readonly<Record<string, string>>): Handles | Promise<Handles> {
    const owner = `${this.id}/state${stateIndex}@${level}`;
    while (this.#levels.length <= level) this.#levels.push(null);
    this.#levels[level] = owner;
    return this.#acquire(owner, bindings, inherited, inheritedRoles, true);
  }

  /**
   * Acquires an arc's own bindings under `owner` (its condition's, or its chain's), reusing the
   * handle of any resource the state already holds (`stateHandles`): handles by role, or a promise of them.
   */
  acquireArc(owner: string, bindings: readonly ResourceBinding[], stateHandles: Handles, stateRoles: Readonly<Record<string, string>>): Handles | Promise<Handles> {
    return this.#acquire(`${this.id}/${owner}`, bindings, stateHandles, stateRoles, false);
  }

  /** Gives back an arc's handles. */
  releaseArc(owner: string): void {
    this.release(`${this.id}/${owner}`);
  }

  release(owner: string): void {
    this.manager.releaseAll(owner);
    this.#owners.delete(owner);
  }

  /**
   * Gives back everything this run holds (the end of the run, however it ended). `abandoned`:
   * a function of the run may still be using its handles (it timed out while awaiting), so they
   * are destroyed rather than lent to the next record.
   */
  releaseAll(abandoned = false): void {
    for (const owner of this.#owners) this.manager.releaseAll(owner, abandoned);
    this.#owners.clear();
    this.#levels.length = 0;
  }

  #acquire(owner: string, bindings: readonly ResourceBinding[], inherited: Handles, inheritedRoles: Readonly<Record<string, string>>, forState: boolean): Handles | Promise<Handles> {
    this.#owners.add(owner);
    const handles: Record<string, unknown> = {};
    let waits: Promise<void>[] | null = null;
    try {
      for (const { role, name } of bindings) {
        const reuse = heldByName(inherited, inheritedRoles, name);
        if (reuse !== NOT_HELD) {
          handles[role] = reuse;
          continue;
        }
        const timeout = this.sync ? 0 : forState ? this.manager.stateTimeoutMs(name) : undefined;
        const tx = this.tx;
        const got = tx !== null && tx.covers(name) ? tx.acquire(name, timeout) : this.manager.acquire(name, owner, timeout);
        if (isThenable(got)) {
          (waits ??= []).push(
            Promise.resolve(got).then((handle) => {
              handles[role] = handle;
            }),
          );
        } else {
          handles[role] = got;
        }
      }
    } catch (error) {
      // The run fails with this error; acquisitions already waiting are let go (the owner's
      // release gives their handles back when they arrive), and their outcome has no reader.
      for (const wait of waits ?? []) wait.catch(() => undefined);
      throw error;
    }
    if (waits === null) return Object.freeze(handles);
    return Promise.all(waits).then(() => Object.freeze(handles));
  }
}

const EMPTY: Handles = Object.freeze({});
const EMPTY_ROLES: Readonly<Record<string, string>> = Object.freeze({});
const NOT_HELD = Symbol("not held");

/** The handle an inherited scope holds for resource `name`, under any role. */
function heldByName(handles: Handles, roles: Readonly<Record<string, string>>, name: string): unknown {
  for (const role in roles) if (roles[role] === name && Object.hasOwn(handles, role)) return handles[role];
  return NOT_HELD;
}
