/**
 * The `sqlite` resource provider (docs/resources.md): better-sqlite3 connections, synchronous.
 *
 * A file database gets one connection per handle, in WAL mode unless `wal: false`, so readers
 * never block the writer. A `:memory:` database is different: SQLite gives every connection its
 * own, empty in-memory database, so handles of one pool would not see each other's tables. The
 * provider therefore opens ONE connection for `:memory:` and every handle shares it; its data
 * lives until the provider closes (releasing the last handle keeps it). While one handle has a
 * transaction open on the shared connection, statements from the other handles are refused
 * (they would silently join that transaction).
 *
 * Values: `undefined` → NULL, booleans → 1/0, `Date` → ISO text, typed arrays → BLOB, other
 * objects and arrays → JSON text; numbers, strings, bigints and Buffers as they are.
 * `begin()` and `transaction(fn)` start `BEGIN IMMEDIATE` (`BEGIN` on a readonly connection):
 * taking the write lock up front means `busy_timeout` applies, instead of a deferred transaction
 * failing with SQLITE_BUSY when it first writes.
 */
import type { Database, Statement } from "better-sqlite3";
import { errorText } from "../../errors.js";
import { ResourceConfigError, ResourceError, redact, secretsOf } from "../errors.js";
import type { RunInfo, SqlParams, SqliteHandle, UpsertOptions, VersionedUpdateOptions, VersionOptions } from "../handles.js";
import { type HealthReport, type ResourceProvider, type TransactionControl, TX_CONTROL } from "../types.js";
import { ConfigReader, type ConfigObject, describeType } from "./config-keys.js";
import { columnsOf, insertStatement, quoteIdentifier, SqlShapeError, type SqlRow, statementFailure } from "./sql.js";
import { FIRST_VERSION, nextVersion, planGetVersioned, planInsertVersioned, planUpdateVersioned, versionColumnOf, versionConflict, versionedRow } from "./versioned.js";
import { lazyModule } from "../lazy.js";
import { isThenable } from "../../thenable.js";

/** better-sqlite3, loaded when the first sqlite resource opens. */
const betterSqlite3 = lazyModule<typeof import("better-sqlite3")>("better-sqlite3");

/** The configuration keys the `sqlite` provider accepts (the manager's common keys aside). */
export const SQLITE_KEYS: readonly string[] = ["path", "wal", "readonly", "busy_timeout", "pragmas"];

/** The path that names SQLite's private in-memory database. */
const MEMORY_PATH = ":memory:";

/** Prepared statements kept per connection (least recently used dropped first). */
const STATEMENT_CACHE_SIZE = 100;

/** A `sqlite` configuration, read and checked. */
export interface SqliteSettings {
  readonly path: string;
  /** True for `:memory:`: one connection shared by every handle. */
  readonly isMemory: boolean;
  readonly wal: boolean;
  readonly readonly: boolean;
  readonly busyTimeoutMs: number;
  /** `name = value` texts, applied in order after the busy timeout and WAL. */
  readonly pragmas: readonly string[];
}

/** Reads and checks a `sqlite` configuration; throws `ResourceConfigError` (FSMR0026). */
export function readSqliteSettings(name: string, config: ConfigObject): SqliteSettings {
  const reader = new ConfigReader(name, config);
  reader.rejectUnknown(SQLITE_KEYS, "sqlite");
  const path = reader.string("path") ?? MEMORY_PATH;
  if (path === "") throw new ResourceConfigError(name, "`path` is empty; give a file path or \":memory:\"");
  if (path.includes("\0")) throw new ResourceConfigError(name, "`path` contains a NUL character");
  const isMemory = path === MEMORY_PATH;
  const readonly = reader.boolean("readonly") ?? false;
  if (readonly && isMemory) throw new ResourceConfigError(name, "`readonly: true` needs a database file; an in-memory database starts empty");
  return {
    path,
    isMemory,
    wal: reader.boolean("wal") ?? true,
    readonly,
    busyTimeoutMs: Math.round((reader.number("busy_timeout", { min: 0 }) ?? 5) * 1000),
    pragmas: readPragmas(name, reader),
  };
}

/** `pragmas: { foreign_keys: true, cache_size: -20000 }` → `["foreign_keys = ON", "cache_size = -20000"]`. */
function readPragmas(name: string, reader: ConfigReader): string[] {
  const nested = reader.object("pragmas");
  if (nested === undefined) return [];
  return Object.entries(nested.config).map(([pragma, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(pragma)) {
      throw new ResourceConfigError(name, `\`pragmas\` key ${JSON.stringify(pragma)} is not a pragma name (letters, digits and _)`);
    }
    return `${pragma} = ${pragmaValue(name, pragma, value)}`;
  });
}

/** A pragma value as SQL: ON/OFF, a number, a bare word (`NORMAL`), or a quoted string. */
function pragmaValue(name: string, pragma: string, value: unknown): string {
  if (typeof value === "boolean") return value ? "ON" : "OFF";
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string") return /^[A-Za-z0-9_.+-]+$/.test(value) ? value : `'${value.replaceAll("'", "''")}'`;
  throw new ResourceConfigError(name, `\`pragmas.${pragma}\` must be a string, number or boolean, got ${describeType(value)}`);
}

/** A parameter value as better-sqlite3 binds it (see the module comment). */
export function toSqliteValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "object") return value;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return JSON.stringify(value);
}

/** Statement parameters as better-sqlite3 binds them: one array (positional) or one object (named), or none. */
function bindArguments(params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return [params.map(toSqliteValue)];
  return [Object.fromEntries(Object.entries(params).map(([key, value]) => [key, toSqliteValue(value)]))];
}

/** The provider's counters (`metrics()`). */
interface SqliteCounters {
  statements: number;
  commits: number;
  rollbacks: number;
  errors: number;
  connections: number;
}

/** One better-sqlite3 connection and what its handles share: prepared statements and transaction state. */
interface Session {
  readonly db: Database;
  readonly statements: Map<string, Statement<unknown[], unknown>>;
  /** The handle whose `begin()`/`transaction(fn)` opened the current transaction. */
  owner: SqliteConnection | null;
  /** `transaction(fn)` calls in progress (the outermost is the transaction, the others savepoints). */
  scopes: number;
  /** True while the open transaction is the engine's (`TransactionControl`): `begin`/`commit`/`rollback` refuse. */
  engine: boolean;
}

/** What a handle needs from its provider. */
interface SqliteContext {
  readonly name: string;
  readonly settings: SqliteSettings;
  readonly secrets: readonly string[];
  readonly counters: SqliteCounters;
}

/** The SQLite result code of a driver error (`SQLITE_BUSY` …), if any. */
function sqliteCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** A handle: one connection (or the shared in-memory one) lent to one owner at a time. */
class SqliteConnection implements SqliteHandle {
  readonly #context: SqliteContext;
  readonly #shared: boolean;
  /** Kept after release, closed (or, for `:memory:`, still the shared one), so callers can inspect it. */
  readonly #db: Database;
  #session: Session | null;

  constructor(context: SqliteContext, session: Session, shared: boolean) {
    this.#context = context;
    this.#session = session;
    this.#db = session.db;
    this.#shared = shared;
  }

  get db(): Database {
    return this.#db;
  }

  get inTransaction(): boolean {
    return this.#session?.db.inTransaction ?? false;
  }

  get<T = Record<string, unknown>>(sql: string, params?: SqlParams): T | undefined {
    return this.#execute(sql, params, (statement, args) => statement.get(...args)) as T | undefined;
  }

  all<T = Record<string, unknown>>(sql: string, params?: SqlParams): T[] {
    return this.#execute(sql, params, (statement, args) => statement.all(...args)) as T[];
  }

  run(sql: string, params?: SqlParams): RunInfo {
    const result = this.#execute(sql, params, (statement, args) => statement.run(...args));
    return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
  }

  upsert(table: string, rows: readonly SqlRow[], options: UpsertOptions): RunInfo {
    return this.#writeRows("upsert", table, rows, (columns) =>
      insertStatement("sqlite", table, columns, 1, { key: options.key, onConflict: options.onConflict ?? "update" }),
    );
  }

  insertMany(table: string, rows: readonly SqlRow[]): RunInfo {
    return this.#writeRows("insertMany", table, rows, (columns) => insertStatement("sqlite", table, columns, 1));
  }

  getVersioned<T = Record<string, unknown>>(table: string, key: Readonly<Record<string, unknown>>, options?: VersionOptions): T | undefined {
    const [plan, versionColumn] = this.#shaped("getVersioned from", table, () => [planGetVersioned("sqlite", table, key), versionColumnOf(options)] as const);
    const rows = this.all(plan.sql, plan.params);
    return this.#shaped("getVersioned from", table, () => versionedRow(table, key, rows, versionColumn)) as T | undefined;
  }

  updateVersioned(table: string, row: object, options: VersionedUpdateOptions): RunInfo {
    const plan = this.#shaped("updateVersioned on", table, () => planUpdateVersioned("sqlite", table, row, options));
    const { changes } = this.run(plan.sql, plan.params);
    if (changes === 0) {
      // Read only for the report: the update itself decided, atomically, that the row had changed.
      const current = this.all(plan.currentVersion.sql, plan.currentVersion.params);
      throw this.#shaped("updateVersioned on", table, () => versionConflict(this.#context.name, table, plan, current, this.#context.secrets));
    }
    (row as Record<string, unknown>)[plan.versionColumn] = nextVersion(plan.expected);
    return { changes, lastInsertRowid: null };
  }

  insertVersioned(table: string, row: object, options?: VersionOptions): RunInfo {
    const plan = this.#shaped("insertVersioned into", table, () => planInsertVersioned("sqlite", table, row, options));
    const result = this.run(plan.sql, plan.params);
    (row as Record<string, unknown>)[plan.versionColumn] = FIRST_VERSION;
    return result;
  }

  begin(): void {
    const session = this.#usable();
    this.#refuseEngine(session, "begin");
    if (session.db.inTransaction) throw this.#error("begin(): a transaction is already open; use transaction(fn) to nest one");
    this.#control(this.#beginStatement());
    session.owner = this;
  }

  commit(): void {
    this.#endTransaction("commit", "COMMIT");
    this.#context.counters.commits++;
  }

  rollback(): void {
    this.#endTransaction("rollback", "ROLLBACK");
    this.#context.counters.rollbacks++;
  }

  transaction<T>(fn: (handle: SqliteHandle) => T): T {
    const session = this.#usable();
    const nested = session.db.inTransaction;
    const savepoint = quoteIdentifier(`fsmc_savepoint_${session.scopes + 1}`);
    this.#control(nested ? `SAVEPOINT ${savepoint}` : this.#beginStatement());
    if (!nested) session.owner = this;
    session.scopes++;
    let result: T;
    try {
      result = this.#callScoped(fn);
    } catch (error) {
      session.scopes--;
      this.#abandon(session, nested ? savepoint : null, error);
      throw error;
    }
    session.scopes--;
    try {
      this.#control(nested ? `RELEASE ${savepoint}` : "COMMIT");
    } catch (error) {
      this.#abandon(session, nested ? savepoint : null, error);
      throw error;
    }
    if (!nested) {
      session.owner = null;
      this.#context.counters.commits++;
    }
    return result;
  }

  /** The engine's control of this connection's transaction (machine `transaction` setting). */
  [TX_CONTROL](): TransactionControl {
    return {
      begin: (timeoutMs) => this.#engineBegin(timeoutMs),
      commit: () => this.#engineEnd("COMMIT"),
      rollback: () => this.#engineEnd("ROLLBACK"),
      savepoint: (name) => this.#control(`SAVEPOINT ${quoteIdentifier(name)}`),
      rollbackTo: (name) => {
        const savepoint = quoteIdentifier(name);
        // A statement error can make SQLite roll the whole transaction back on its own; then there is nothing to undo to.
        if (this.#live().db.inTransaction) this.#control(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      },
      release: (name) => this.#control(`RELEASE ${quoteIdentifier(name)}`),
    };
  }

  /**
   * Opens the engine's transaction. Taking the write lock must not block the thread (other runs
   * of the same process may hold it and need the event loop to finish), so the attempt does not
   * wait on `busy_timeout`: while another writer (or another handle of the shared in-memory
   * connection) holds it, the attempt is repeated on a timer, up to `timeoutMs`.
   */
  #engineBegin(timeoutMs: number): void | Promise<void> {
    if (this.#tryEngineBegin()) return;
    const deadline = Date.now() + timeoutMs;
    return new Promise<void>((resolve, reject) => {
      let delay = 1;
      const attempt = (): void => {
        try {
          if (this.#tryEngineBegin()) return resolve();
        } catch (error) {
          return reject(error);
        }
        if (Date.now() >= deadline) {
          return reject(this.#error(`could not begin a transaction within ${timeoutMs} ms: another writer holds the database lock`));
        }
        setTimeout(attempt, delay);
        delay = Math.min(delay * 2, 50);
      };
      setTimeout(attempt, delay);
    });
  }

  /** One attempt at the engine's `BEGIN`: false when another writer holds the lock. */
  #tryEngineBegin(): boolean {
    const session = this.#live();
    if (session.db.inTransaction) {
      if (session.owner === this || !this.#shared) throw this.#error("the engine's transaction cannot begin: this connection is already inside a transaction");
      return false;
    }
    const db = session.db;
    const busyTimeout = this.#context.settings.busyTimeoutMs;
    if (!this.#context.settings.readonly) db.pragma("busy_timeout = 0");
    try {
      this.#control(this.#beginStatement());
    } catch (error) {
      if (error instanceof ResourceError && /^SQLITE_BUSY/.test(sqliteCode(error.cause) ?? "")) return false;
      throw error;
    } finally {
      if (!this.#context.settings.readonly) db.pragma(`busy_timeout = ${busyTimeout}`);
    }
    session.owner = this;
    session.engine = true;
    return true;
  }

  #engineEnd(sql: "COMMIT" | "ROLLBACK"): void {
    const session = this.#live();
    try {
      // After a failed statement SQLite may have rolled back already: a ROLLBACK then has nothing to do.
      if (sql === "COMMIT" || session.db.inTransaction) this.#control(sql);
    } finally {
      if (sql === "ROLLBACK" || !session.db.inTransaction) {
        session.owner = null;
        session.engine = false;
        session.scopes = 0;
      }
    }
    if (sql === "COMMIT") this.#context.counters.commits++;
    else this.#context.counters.rollbacks++;
  }

  #refuseEngine(session: Session, method: string): void {
    if (session.engine && session.owner === this) {
      throw this.#error(`${method}(): the machine's transaction owns this connection; use ctx.tx (transaction mode manual), or transaction(fn) for a nested savepoint`);
    }
  }

  /** Undoes an open transaction this handle owns, then forgets the connection; closes it unless shared. */
  detach(): void {
    const session = this.#session;
    if (session === null) return;
    this.#session = null;
    try {
      const owns = session.owner === this || (session.owner === null && !this.#shared);
      if (owns && session.db.open && session.db.inTransaction) {
        session.db.exec("ROLLBACK");
        this.#context.counters.rollbacks++;
      }
      if (session.owner === this) {
        session.owner = null;
        session.scopes = 0;
        session.engine = false;
      }
    } finally {
      if (!this.#shared && session.db.open) {
        session.db.close();
        this.#context.counters.connections--;
      }
    }
  }

  /** True when the handle can be lent again: open, answering, and not left inside a transaction. */
  isReusable(): boolean {
    const session = this.#session;
    if (session === null || !session.db.open) return false;
    if (session.db.inTransaction && (session.owner === this || !this.#shared)) return false;
    try {
      session.db.prepare("select 1").get();
      return true;
    } catch (error) {
      if (sqliteCode(error) === undefined && !(error instanceof TypeError)) throw error;
      return false;
    }
  }

  /** Undoes a failed scope: back to its savepoint, or the whole transaction (unless SQLite already rolled it back). */
  #abandon(session: Session, savepoint: string | null, error: unknown): void {
    if (session.db.inTransaction) this.#undo(error, savepoint === null ? ["ROLLBACK"] : [`ROLLBACK TO ${savepoint}`, `RELEASE ${savepoint}`]);
    if (savepoint === null) {
      session.owner = null;
      this.#context.counters.rollbacks++;
    }
  }

  /** `BEGIN IMMEDIATE` takes the write lock now, so `busy_timeout` applies; a readonly connection cannot take it. */
  #beginStatement(): string {
    return this.#context.settings.readonly ? "BEGIN" : "BEGIN IMMEDIATE";
  }

  /** Calls a scoped transaction's body; a promise means the body is async, which a sqlite transaction cannot wait for. */
  #callScoped<T>(fn: (handle: SqliteHandle) => T): T {
    const result = fn(this);
    if (isThenable(result)) {
      throw this.#error("transaction(fn): fn returned a promise; a sqlite transaction is synchronous, so do the work inside fn without awaiting");
    }
    return result;
  }

  /** Runs the statements that undo a failed scope; a failure there is reported with the first error's message. */
  #undo(first: unknown, statements: readonly string[]): void {
    try {
      for (const sql of statements) this.#live().db.exec(sql);
    } catch (error) {
      throw new ResourceError(
        this.#context.name,
        redact(`rolling back after "${errorText(first)}" failed: ${errorText(error)}`, this.#context.secrets),
        { cause: error },
      );
    }
  }

  #endTransaction(method: "commit" | "rollback", sql: string): void {
    const session = this.#usable();
    this.#refuseEngine(session, method);
    if (session.scopes > 0) throw this.#error(`${method}() inside transaction(fn): return from fn to commit, or throw to roll back`);
    if (!session.db.inTransaction) throw this.#error(`${method}(): no transaction is open`);
    this.#control(sql);
    session.owner = null;
  }

  /** Writes rows with one prepared statement, atomically (a transaction, or a savepoint inside one). */
  #writeRows(method: string, table: string, rows: readonly SqlRow[], statementFor: (columns: readonly string[]) => string): RunInfo {
    if (rows.length === 0) return { changes: 0, lastInsertRowid: null };
    let sql: string;
    let columns: readonly string[];
    try {
      columns = columnsOf(rows);
      sql = statementFor(columns);
    } catch (error) {
      if (error instanceof SqlShapeError) throw this.#error(`${method} into \`${table}\`: ${error.message}`, error);
      throw error;
    }
    return this.transaction(() => {
      const statement = this.#prepare(sql, undefined);
      let changes = 0;
      let lastInsertRowid: number | bigint | null = null;
      for (const row of rows) {
        const values = columns.map((column) => row[column]);
        const result = this.#guard(sql, values, () => statement.run(values.map(toSqliteValue)));
        this.#context.counters.statements++;
        changes += result.changes;
        lastInsertRowid = result.lastInsertRowid;
      }
      return { changes, lastInsertRowid };
    });
  }

  /** Runs a versioned helper's shape work; a `SqlShapeError` leaves as a `ResourceError` naming the method and table. */
  #shaped<R>(what: string, table: string, work: () => R): R {
    try {
      return work();
    } catch (error) {
      if (error instanceof SqlShapeError) throw this.#error(`${what} \`${table}\`: ${error.message}`, error);
      throw error;
    }
  }

  /** Prepares (or reuses) a statement and runs it with the parameters. */
  #execute<R>(sql: string, params: SqlParams | undefined, run: (statement: Statement<unknown[], unknown>, args: unknown[]) => R): R {
    const statement = this.#prepare(sql, params);
    const result = this.#guard(sql, params, () => run(statement, bindArguments(params)));
    this.#context.counters.statements++;
    return result;
  }

  #prepare(sql: string, params: unknown): Statement<unknown[], unknown> {
    const session = this.#usable();
    const cached = session.statements.get(sql);
    if (cached !== undefined) {
      session.statements.delete(sql);
      session.statements.set(sql, cached);
      return cached;
    }
    const statement = this.#guard(sql, params, () => session.db.prepare<unknown[], unknown>(sql));
    session.statements.set(sql, statement);
    if (session.statements.size > STATEMENT_CACHE_SIZE) {
      const oldest = session.statements.keys().next();
      if (oldest.done !== true) session.statements.delete(oldest.value);
    }
    return statement;
  }

  /** Runs a transaction-control statement (`BEGIN`, `COMMIT`, `SAVEPOINT` …). */
  #control(sql: string): void {
    const db = this.#live().db;
    this.#guard(sql, undefined, () => db.exec(sql));
  }

  /** Runs driver work; any driver error leaves as a redacted `ResourceError` quoting the statement, never its values. */
  #guard<R>(sql: string, params: unknown, work: () => R): R {
    try {
      return work();
    } catch (error) {
      if (error instanceof ResourceError) throw error;
      this.#context.counters.errors++;
      const code = sqliteCode(error);
      const message = statementFailure(errorText(error), code, sql, params);
      throw new ResourceError(this.#context.name, redact(message, this.#context.secrets), {
        retryable: code !== undefined && /^SQLITE_(BUSY|LOCKED)/.test(code),
        cause: error,
      });
    }
  }

  /** The session, or an error when this handle was released. */
  #live(): Session {
    if (this.#session === null) throw this.#error("this handle was released; acquire a new one");
    return this.#session;
  }

  /** The session, refusing statements while another handle's transaction holds the shared connection. */
  #usable(): Session {
    const session = this.#live();
    if (session.owner !== null && session.owner !== this && session.db.inTransaction) {
      throw this.#error("the shared in-memory connection is inside another handle's transaction; wait until it commits or rolls back");
    }
    return session;
  }

  #error(message: string, cause?: unknown): ResourceError {
    return new ResourceError(this.#context.name, redact(message, this.#context.secrets), cause === undefined ? {} : { cause });
  }
}

/**
 * Opens a connection with the configured busy timeout and, when `configure`, the journal mode and
 * pragmas (a health probe skips them: switching to WAL may wait for the write lock).
 */
function openDatabase(context: SqliteContext, configure = true): Database {
  const { settings } = context;
  let db: Database | undefined;
  try {
    db = new (betterSqlite3())(settings.path, { readonly: settings.readonly, timeout: settings.busyTimeoutMs });
    if (!configure) return db;
    if (settings.wal && !settings.isMemory && !settings.readonly) db.pragma("journal_mode = WAL");
    for (const pragma of settings.pragmas) db.pragma(pragma);
    return db;
  } catch (error) {
    if (db?.open === true) db.close();
    const code = sqliteCode(error);
    const hint = code === "SQLITE_CANTOPEN" ? " (does the directory exist, and may this process write there?)" : "";
    throw new ResourceError(
      context.name,
      redact(`cannot open \`${settings.path}\`: ${errorText(error)}${code === undefined ? "" : ` (${code})`}${hint}`, context.secrets),
      { retryable: code !== undefined && /^SQLITE_(BUSY|LOCKED)/.test(code), cause: error },
    );
  }
}

function newSession(db: Database): Session {
  return { db, statements: new Map(), owner: null, scopes: 0, engine: false };
}

/**
 * The `sqlite` provider of resource `name`. The configuration is environment-resolved, without
 * the manager's keys; a wrong one throws `ResourceConfigError` here, before anything opens.
 */
export function createSqliteProvider(name: string, config: Readonly<Record<string, unknown>>): ResourceProvider<SqliteHandle> {
  const context: SqliteContext = {
    name,
    settings: readSqliteSettings(name, config),
    secrets: secretsOf(config),
    counters: { statements: 0, commits: 0, rollbacks: 0, errors: 0, connections: 0 },
  };
  let shared: Session | null = null;

  const sharedSession = (): Session => {
    if (shared === null || !shared.db.open) {
      shared = newSession(openDatabase(context));
      context.counters.connections++;
    }
    return shared;
  };

  return {
    kind: "sqlite",
    transactional: true,
    sync: true,
    acquire(): SqliteHandle {
      if (context.settings.isMemory) return new SqliteConnection(context, sharedSession(), true);
      const session = newSession(openDatabase(context));
      context.counters.connections++;
      return new SqliteConnection(context, session, false);
    },
    release(handle: SqliteHandle): void {
      if (!(handle instanceof SqliteConnection)) throw new ResourceError(name, "release() was given a handle this provider did not make");
      try {
        handle.detach();
      } catch (error) {
        throw new ResourceError(name, redact(`closing the connection failed: ${errorText(error)}`, context.secrets), { cause: error });
      }
    },
    validate(handle: SqliteHandle): boolean {
      return handle instanceof SqliteConnection && handle.isReusable();
    },
    health(): HealthReport {
      try {
        const db = context.settings.isMemory ? sharedSession().db : openDatabase(context, false);
        try {
          db.prepare("select count(*) from sqlite_master").get(); // reads the file, unlike `select 1`
        } finally {
          if (!context.settings.isMemory) db.close();
        }
        return { status: "healthy" };
      } catch (error) {
        return { status: "unhealthy", detail: redact(errorText(error), context.secrets) };
      }
    },
    metrics(): Readonly<Record<string, number>> {
      return { ...context.counters };
    },
    close(): void {
      if (shared !== null && shared.db.open) {
        shared.db.close();
        context.counters.connections--;
      }
      shared = null;
    },
  };
}
