/**
 * `databaseSink(handle, { table, batchSize, mode, key })`: records written as rows of a SQLite or
 * Postgres table, `batchSize` at a time, each batch in one transaction (a savepoint when the
 * handle is already inside one): every row of a batch is written, or none. `flush()` writes the
 * partial batch; positions count the rows committed. A failed batch is rolled back, the batches
 * before it stay, and the sink reports which batch failed and refuses to go on (the rows after it
 * would otherwise land with a hole before them).
 *
 * Rows are the records' own fields (nested objects and arrays are stored as JSON, as the
 * handle's `insertMany`/`upsert` do). Consecutive rows with the same fields go in one statement;
 * a row with fewer fields leaves the others to their column default (insert) or untouched
 * (upsert), never NULL over stored data. The handle stays the caller's: close does not release it.
 */
import { andThen, isThenable, type Maybe } from "../../thenable.js";
import { databaseFailure, eachInOrder, type Row, type SqlTarget, sqlTargetOf } from "../../functions/database-sql.js";
import type { PostgresHandle, SqliteHandle } from "../../resources/handles.js";
import type { Sink, SinkPosition } from "../types.js";
import { SinkClosedError, SinkConfigError, SinkItemError, SinkWriteError } from "./errors.js";

/** Options of `databaseSink`. */
export interface DatabaseSinkOptions {
  /** The table (`schema.table` allowed). */
  readonly table: string;
  /** Rows per transaction (default 1000). */
  readonly batchSize?: number;
  /** `insert` (default) or `upsert`: insert, or update the stored row on a clash of `key`. */
  readonly mode?: "insert" | "upsert";
  /** Upsert only: the columns of a primary or unique key; every row must have them. */
  readonly key?: readonly string[];
}

const DEFAULT_BATCH_SIZE = 1000;

/** Writes records into `options.table` through a `sqlite` or `postgres` resource handle. */
export function databaseSink(handle: SqliteHandle | PostgresHandle, options: DatabaseSinkOptions): Sink {
  const target = sqlTargetOf(handle);
  const table = typeof options.table === "string" ? options.table : "";
  const name = target === undefined ? `database:${table}` : `${target.dialect}:${table}`;
  if (target === undefined) throw new SinkConfigError(name, "the handle is not a sqlite or postgres resource handle");
  if (table === "") throw new SinkConfigError(name, "`table` is required (the table the rows go to)");
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new SinkConfigError(name, `\`batchSize\` must be a whole number >= 1, got ${batchSize}`);
  const mode = options.mode ?? "insert";
  if (mode !== "insert" && mode !== "upsert") throw new SinkConfigError(name, `\`mode\` must be "insert" or "upsert", got ${JSON.stringify(mode)}`);
  if (mode === "insert" && options.key !== undefined) throw new SinkConfigError(name, "`key` applies to mode upsert only");
  const key = options.key ?? [];
  if (mode === "upsert" && key.length === 0) throw new SinkConfigError(name, "mode upsert needs `key`: the columns of a primary or unique key (`key: [\"id\"]`)");
  return new DatabaseSink(name, target, table, batchSize, mode, key);
}

/**
 * The rows of a batch as statements: one per set of fields (in any order). Inserts group every
 * row of the batch with the same fields together, whatever comes between them (a batch whose rows
 * alternate between two shapes is two statements, not one per row); upserts group only
 * consecutive rows, so that two writes of one key keep their order.
 */
function groupsOf(rows: readonly Row[], mode: "insert" | "upsert"): Row[][] {
  if (mode === "insert") {
    const bySignature = new Map<string, Row[]>();
    for (const row of rows) {
      const signature = Object.keys(row).sort().join("\0");
      const group = bySignature.get(signature);
      if (group === undefined) bySignature.set(signature, [row]);
      else group.push(row);
    }
    return [...bySignature.values()];
  }
  const groups: Row[][] = [];
  let signature: string | null = null;
  for (const row of rows) {
    const next = Object.keys(row).sort().join("\0");
    if (next !== signature || groups.length === 0) {
      groups.push([row]);
      signature = next;
    } else (groups[groups.length - 1] as Row[]).push(row);
  }
  return groups;
}

class DatabaseSink implements Sink {
  #rows: Row[] = [];
  #accepted = 0;
  #queued = 0;
  #committed = 0;
  #batches = 0;
  /** The batch in flight (Postgres) and those queued behind it; null when none. */
  #tail: Promise<void> | null = null;
  #failure: SinkWriteError | null = null;
  #closing: Promise<void> | null = null;

  constructor(
    readonly description: string,
    private readonly target: SqlTarget,
    private readonly table: string,
    private readonly batchSize: number,
    private readonly mode: "insert" | "upsert",
    private readonly key: readonly string[],
  ) {}

  write(item: unknown): void | Promise<void> {
    if (this.#closing !== null) throw new SinkClosedError(this.description);
    if (this.#failure !== null) return Promise.reject(this.#failure);
    this.#rows.push(this.#rowOf(item));
    if (this.#rows.length < this.batchSize) return undefined;
    return this.#writeBuffered();
  }

  flush(): Promise<SinkPosition> {
    if (this.#closing !== null) return Promise.reject(new SinkClosedError(this.description));
    return this.#flush();
  }

  /** Writes the partial batch; rejects when a batch failed. The handle stays open. */
  close(): Promise<void> {
    this.#closing ??= this.#flush().then(() => undefined);
    return this.#closing;
  }

  async #flush(): Promise<SinkPosition> {
    if (this.#rows.length > 0) await this.#writeBuffered();
    while (this.#tail !== null) await this.#tail;
    if (this.#failure !== null) throw this.#failure;
    return { items: this.#committed, bytes: null };
  }

  /** The record as a row (a shallow copy: later changes to its top-level fields do not reach the batch). */
  #rowOf(item: unknown): Row {
    const index = this.#accepted;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new SinkItemError(this.description, index, `is ${item === null ? "null" : Array.isArray(item) ? "an array" : `a ${typeof item}`}, not an object: a row needs named columns`);
    }
    const row = { ...(item as Row) };
    if (Object.keys(row).length === 0) throw new SinkItemError(this.description, index, "has no fields, so it gives no columns");
    const missing = this.key.filter((column) => row[column] === undefined);
    if (missing.length > 0) throw new SinkItemError(this.description, index, `lacks the upsert key ${missing.map((c) => `\`${c}\``).join(", ")}`);
    this.#accepted++;
    return row;
  }

  /** Writes the buffered rows as the next batch: at once (SQLite) or after the batch in flight (Postgres). */
  #writeBuffered(): undefined | Promise<void> {
    const rows = this.#rows;
    this.#rows = [];
    const batch = ++this.#batches;
    const first = this.#queued;
    this.#queued += rows.length;
    if (this.#tail !== null) return this.#track(this.#tail.then(() => this.#writeBatch(rows, batch, first)));
    try {
      const done = this.#writeBatch(rows, batch, first);
      return done === undefined ? undefined : this.#track(done);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #track(promise: Promise<void>): Promise<void> {
    const tracked = promise.finally(() => {
      if (this.#tail === tracked) this.#tail = null;
    });
    this.#tail = tracked;
    return tracked;
  }

  /** One batch in one transaction; throws (or rejects with) the sink's failure. */
  #writeBatch(rows: readonly Row[], batch: number, first: number): undefined | Promise<void> {
    if (this.#failure !== null) throw this.#failure;
    const fail = (error: unknown): never => {
      throw this.#fail(error, rows, batch, first);
    };
    let done: Maybe<void>;
    try {
      done = this.target.transaction((t) => eachInOrder(groupsOf(rows, this.mode), (group) => andThen(this.#statement(t, group), () => undefined)));
    } catch (error) {
      return fail(error);
    }
    const commit = (): undefined => {
      this.#committed += rows.length;
      return undefined;
    };
    return isThenable(done) ? Promise.resolve(done).then(commit, fail) : commit();
  }

  #statement(target: SqlTarget, rows: readonly Row[]): Maybe<number> {
    return this.mode === "insert" ? target.insert(this.table, rows) : target.upsert(this.table, rows, this.key, "update");
  }

  #fail(error: unknown, rows: readonly Row[], batch: number, first: number): SinkWriteError {
    const cause = databaseFailure(error, rows);
    const code = cause.sqlCode === undefined ? "" : ` ${cause.sqlCode}`;
    const rowsBefore = `${this.#committed} ${this.#committed === 1 ? "row" : "rows"}`;
    const before =
      this.#committed === 0 ? "nothing was committed before it" : batch === 2 ? `batch 1 (${rowsBefore}) stays committed` : `batches 1–${batch - 1} (${rowsBefore}) stay committed`;
    this.#failure = new SinkWriteError(
      this.description,
      `batch ${batch} (rows ${first + 1}–${first + rows.length}) failed and was rolled back; ${before}: ${cause.errorType}${code}: ${cause.detail}`,
      { cause: error },
    );
    return this.#failure;
  }
}
