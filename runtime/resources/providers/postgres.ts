/**
 * The `postgres` resource provider (docs/resources.md): one `pg.Client` per handle. Pooling is
 * the resource manager's job, so there is no `pg.Pool` here: `acquire` connects a new client and
 * `release` ends it.
 *
 * Values: plain objects go to `json`/`jsonb` as JSON (pg's own rule). A JS array, by pg's rule,
 * becomes a Postgres array literal (`= ANY($1)` works); it is sent as JSON text instead where the
 * target is JSON: a parameter cast `$n::jsonb` (or `::json`, `CAST($n AS jsonb)`) in your SQL, and
 * a `json`/`jsonb` column in `upsert`/`insertMany` (the helpers look the column types up when a
 * row carries an array). Strings are sent as they are, so a pre-serialised JSON text works too.
 *
 * Errors leave as `ResourceError` (FSMR0020): the driver's message without parameter values,
 * the SQLSTATE or errno, the statement's first 200 characters, and no secret of the
 * configuration; `retryable` is true for a refused, reset or terminated connection (errno
 * `ECONNREFUSED` …, SQLSTATE class 08, `57P01`–`57P03`, `53300`) and for a serialization failure or
 * deadlock (`40001`, `40P01`: run the transaction again).
 */
import type { Client, ClientConfig, QueryResult, QueryResultRow } from "pg";
import type { ConnectionOptions } from "node:tls";
import { errorText } from "../../errors.js";
import { ResourceConfigError, ResourceError, redact, secretsOf } from "../errors.js";
import type { PostgresHandle, RunInfo, UpsertOptions, VersionedUpdateOptions, VersionOptions } from "../handles.js";
import { type HealthReport, type ResourceProvider, type TransactionControl, TX_CONTROL } from "../types.js";
import { ConfigReader, type ConfigObject, describeType } from "./config-keys.js";
import {
  chunk,
  columnsOf,
  insertStatement,
  jsonCastParams,
  lastPerKey,
  quoteIdentifier,
  quoteTableName,
  rowsPerStatement,
  rowValues,
  SqlShapeError,
  type SqlRow,
  statementFailure,
} from "./sql.js";
import {
  FIRST_VERSION,
  nextVersion,
  type PlannedStatement,
  planGetVersioned,
  planInsertVersioned,
  planUpdateVersioned,
  versionColumnOf,
  versionConflict,
  versionedRow,
} from "./versioned.js";
import { lazyModule } from "../lazy.js";

/** pg, loaded when the first postgres resource opens. */
const pg = lazyModule<typeof import("pg")>("pg");

/** The configuration keys the `postgres` provider accepts (the manager's common keys aside). */
export const POSTGRES_KEYS: readonly string[] = [
  "connection_string",
  "host",
  "port",
  "user",
  "password",
  "database",
  "ssl",
  "statement_timeout",
  "application_name",
];

/** Keys that describe the server one by one, the alternative to `connection_string`. */
const DISCRETE_KEYS = ["host", "port", "user", "password", "database"] as const;

/** How long a connect may take before it fails (retryable); the pool's acquire timeout bounds the wait for a handle, not this. */
const CONNECT_TIMEOUT_MS = 30_000;

/** Reads and checks a `postgres` configuration into pg's client options; throws `ResourceConfigError` (FSMR0026). */
export function readPostgresSettings(name: string, config: ConfigObject): ClientConfig {
  const reader = new ConfigReader(name, config);
  reader.rejectUnknown(POSTGRES_KEYS, "postgres");
  const connectionString = reader.string("connection_string");
  const discrete = DISCRETE_KEYS.filter((key) => config[key] !== undefined);
  if (connectionString !== undefined && discrete.length > 0) {
    throw new ResourceConfigError(
      name,
      `give \`connection_string\` or ${DISCRETE_KEYS.map((key) => `\`${key}\``).join("/")}, not both (found ${discrete.map((key) => `\`${key}\``).join(", ")})`,
    );
  }
  if (connectionString === "") throw new ResourceConfigError(name, "`connection_string` is empty");
  const host = reader.string("host");
  if (connectionString === undefined && (host === undefined || host === "")) {
    throw new ResourceConfigError(name, "`connection_string` (or `host`) is required");
  }
  const out: ClientConfig = {
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    fallback_application_name: "fsmc",
  };
  if (connectionString !== undefined) out.connectionString = connectionString;
  if (host !== undefined) out.host = host;
  const port = reader.number("port", { integer: true, min: 1 });
  if (port !== undefined) {
    if (port > 65_535) throw new ResourceConfigError(name, `\`port\` must be at most 65535, got ${port}`);
    out.port = port;
  }
  const user = reader.string("user");
  if (user !== undefined) out.user = user;
  const password = reader.string("password");
  if (password !== undefined) out.password = password;
  const database = reader.string("database");
  if (database !== undefined) out.database = database;
  const ssl = readSsl(name, config["ssl"]);
  if (ssl !== undefined) out.ssl = ssl;
  const statementTimeout = reader.number("statement_timeout", { min: 0, exclusiveMin: true });
  if (statementTimeout !== undefined) out.statement_timeout = Math.round(statementTimeout * 1000);
  const applicationName = reader.string("application_name");
  if (applicationName !== undefined) out.application_name = applicationName;
  return out;
}

/** `ssl`: true/false (or `"true"`/`"false"`), or an object of TLS options (`{ rejectUnauthorized: false, ca }`). */
function readSsl(name: string, value: unknown): boolean | ConnectionOptions | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as ConnectionOptions;
  throw new ResourceConfigError(name, `\`ssl\` must be true, false or an object of TLS options, got ${describeType(value)}`);
}

/** SQLSTATEs worth retrying: the connection went away, the server is busy, or the transaction lost a race. */
const RETRYABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "40001", "40P01"]);

/** Socket errno codes of a connection that may succeed on a new try. */
const RETRYABLE_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** pg's messages for a connection that died or never came up (no code on them). */
const DEAD_CONNECTION = /Connection terminated|connection timeout|not queryable|Client was closed/i;

/** The code of a driver error: its SQLSTATE or errno (the first inner one of an `AggregateError`). */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = errorCode(inner);
      if (innerCode !== undefined) return innerCode;
    }
  }
  return undefined;
}

/** A driver error's text; Node's `AggregateError` of a refused dual-stack connect has an empty message. */
function driverMessage(error: unknown): string {
  if (error instanceof AggregateError && error.message === "") {
    return [...new Set(error.errors.map((inner) => errorText(inner)))].join("; ");
  }
  return errorText(error);
}

/** True when a new attempt (or a new connection) may succeed. */
export function isRetryablePostgresError(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && (RETRYABLE_ERRNOS.has(code) || RETRYABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  return code === undefined && DEAD_CONNECTION.test(driverMessage(error));
}

/** An array as JSON text where the target is JSON; any other value as pg sends it. */
function encodeValue(value: unknown, isJson: boolean): unknown {
  if (value === undefined) return null;
  return isJson && Array.isArray(value) ? JSON.stringify(value) : value;
}

/** Statement parameters with arrays cast to JSON sent as JSON text. */
function encodeParams(sql: string, params: readonly unknown[]): unknown[] {
  if (!params.some(Array.isArray)) return [...params];
  const json = jsonCastParams(sql);
  return params.map((value, index) => encodeValue(value, json.has(index)));
}

/** The provider's counters (`metrics()`). */
interface PostgresCounters {
  statements: number;
  commits: number;
  rollbacks: number;
  errors: number;
  connections: number;
}

/** What a handle needs from its provider. */
interface PostgresContext {
  readonly name: string;
  readonly secrets: readonly string[];
  readonly counters: PostgresCounters;
}

/** A handle: one connected `pg.Client`. */
class PostgresConnection implements PostgresHandle {
  readonly #context: PostgresContext;
  readonly #client: Client;
  /** The error the client emitted while idle (the server went away); the handle is then useless. */
  #broken: Error | null = null;
  #released = false;
  /** The last statement sent (each waits for the one before: #send). */
  #tail: Promise<unknown> = Promise.resolve();
  /** `transaction(fn)` calls in progress (the outermost is the transaction, the others savepoints). */
  #scopes = 0;
  /** True while the open transaction is the engine's (`TransactionControl`): `begin`/`commit`/`rollback` refuse. */
  #engine = false;

  constructor(context: PostgresContext, client: Client) {
    this.#context = context;
    this.#client = client;
    // Without a listener an idle client's error (a server restart) would crash the process.
    client.on("error", (error: Error) => {
      this.#broken = error;
    });
  }

  get client(): Client {
    return this.#client;
  }

  get inTransaction(): boolean {
    const status = this.#client.getTransactionStatus();
    return status === "T" || status === "E";
  }

  async get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    const result = await this.#query(sql, params);
    return result.rows[0] as T | undefined;
  }

  async all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    const result = await this.#query(sql, params);
    return result.rows as T[];
  }

  async run(sql: string, params?: readonly unknown[]): Promise<RunInfo> {
    const result = await this.#query(sql, params);
    return { changes: result.rowCount ?? 0, lastInsertRowid: null };
  }

  async upsert(table: string, rows: readonly SqlRow[], options: UpsertOptions): Promise<RunInfo> {
    const onConflict = options.onConflict ?? "update";
    // Postgres refuses to update one row twice in a statement: keep the last row of each key.
    return this.#writeRows("upsert", table, onConflict === "update" ? lastPerKey(rows, options.key) : rows, (columns, count) =>
      insertStatement("postgres", table, columns, count, { key: options.key, onConflict }),
    );
  }

  async insertMany(table: string, rows: readonly SqlRow[]): Promise<RunInfo> {
    return this.#writeRows("insertMany", table, rows, (columns, count) => insertStatement("postgres", table, columns, count));
  }

  async getVersioned<T = Record<string, unknown>>(table: string, key: Readonly<Record<string, unknown>>, options?: VersionOptions): Promise<T | undefined> {
    const [plan, versionColumn] = this.#shaped("getVersioned from", table, () => [planGetVersioned("postgres", table, key), versionColumnOf(options)] as const);
    const { rows } = await this.#planned(table, plan);
    return this.#shaped("getVersioned from", table, () => versionedRow(table, key, rows, versionColumn)) as T | undefined;
  }

  async updateVersioned(table: string, row: object, options: VersionedUpdateOptions): Promise<RunInfo> {
    const plan = this.#shaped("updateVersioned on", table, () => planUpdateVersioned("postgres", table, row, options));
    const changes = (await this.#planned(table, plan)).rowCount ?? 0;
    if (changes === 0) {
      // Read only for the report: the update itself decided, atomically, that the row had changed.
      const current = (await this.#planned(table, plan.currentVersion)).rows;
      throw this.#shaped("updateVersioned on", table, () => versionConflict(this.#context.name, table, plan, current, this.#context.secrets));
    }
    (row as Record<string, unknown>)[plan.versionColumn] = nextVersion(plan.expected);
    return { changes, lastInsertRowid: null };
  }

  async insertVersioned(table: string, row: object, options?: VersionOptions): Promise<RunInfo> {
    const plan = this.#shaped("insertVersioned into", table, () => planInsertVersioned("postgres", table, row, options));
    const changes = (await this.#planned(table, plan)).rowCount ?? 0;
    (row as Record<string, unknown>)[plan.versionColumn] = FIRST_VERSION;
    return { changes, lastInsertRowid: null };
  }

  async begin(): Promise<void> {
    this.#refuseEngine("begin");
    if (this.#scopes > 0 || this.inTransaction) throw this.#error("begin(): a transaction is already open; use transaction(fn) to nest one");
    await this.#query("BEGIN");
  }

  async commit(): Promise<void> {
    this.#checkEnd("commit");
    await this.#commit();
  }

  async rollback(): Promise<void> {
    this.#checkEnd("rollback");
    await this.#query("ROLLBACK");
    this.#context.counters.rollbacks++;
  }

  async transaction<T>(fn: (handle: PostgresHandle) => Promise<T>): Promise<T> {
    const nested = this.#scopes > 0 || this.inTransaction;
    const savepoint = quoteIdentifier(`fsmc_savepoint_${this.#scopes + 1}`);
    this.#scopes++;
    try {
      await this.#query(nested ? `SAVEPOINT ${savepoint}` : "BEGIN");
    } catch (error) {
      this.#scopes--;
      throw error;
    }
    let result: T;
    try {
      result = await fn(this);
    } catch (error) {
      this.#scopes--;
      await this.#undo(error, nested ? [`ROLLBACK TO SAVEPOINT ${savepoint}`, `RELEASE SAVEPOINT ${savepoint}`] : ["ROLLBACK"]);
      throw error;
    }
    this.#scopes--;
    if (nested) await this.#query(`RELEASE SAVEPOINT ${savepoint}`);
    else await this.#commit();
    return result;
  }

  /**
   * The engine's control of this connection's transaction (machine `transaction` setting). pg
   * runs a client's queries in the order they were issued, so a savepoint issued without waiting
   * still comes before the statements that follow it.
   */
  [TX_CONTROL](): TransactionControl {
    return {
      begin: async () => {
        if (this.#scopes > 0 || this.inTransaction) throw this.#error("the engine's transaction cannot begin: this connection is already inside a transaction");
        await this.#query("BEGIN");
        this.#engine = true;
      },
      commit: async () => {
        try {
          await this.#commit();
        } finally {
          this.#engine = false;
        }
      },
      rollback: async () => {
        try {
          if (this.inTransaction) {
            await this.#query("ROLLBACK");
            this.#context.counters.rollbacks++;
          }
        } finally {
          this.#engine = false;
        }
      },
      savepoint: async (name) => {
        await this.#query(`SAVEPOINT ${quoteIdentifier(name)}`);
      },
      rollbackTo: async (name) => {
        const savepoint = quoteIdentifier(name);
        // Both issued now, so no statement of a function can come between them.
        await Promise.all([this.#query(`ROLLBACK TO SAVEPOINT ${savepoint}`), this.#query(`RELEASE SAVEPOINT ${savepoint}`)]);
      },
      release: async (name) => {
        await this.#query(`RELEASE SAVEPOINT ${quoteIdentifier(name)}`);
      },
    };
  }

  #refuseEngine(method: string): void {
    if (this.#engine) {
      throw this.#error(`${method}(): the machine's transaction owns this connection; use ctx.tx (transaction mode manual), or transaction(fn) for a nested savepoint`);
    }
  }

  /** Ends the connection (the server rolls back whatever transaction was open). */
  async end(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#context.counters.connections--;
    await this.#client.end();
  }

  /** True when the handle can be lent again: connected, answering, and not left inside a transaction. */
  async isReusable(): Promise<boolean> {
    if (this.#released || this.#broken !== null || this.#client.getTransactionStatus() !== "I") return false;
    try {
      await this.#client.query("select 1");
      return true;
    } catch (error) {
      if (error instanceof Error) return false;
      throw error;
    }
  }

  /** Commits; a transaction that had already failed ends in a rollback, which is reported as the error it is. */
  async #commit(): Promise<void> {
    const wasFailed = this.#client.getTransactionStatus() === "E";
    const result = await this.#query("COMMIT");
    if (wasFailed || result.command === "ROLLBACK") {
      this.#context.counters.rollbacks++;
      throw this.#error("commit(): a statement of the transaction had failed, so Postgres rolled the transaction back");
    }
    this.#context.counters.commits++;
  }

  /** Refuses `commit()`/`rollback()` outside a transaction or inside `transaction(fn)`. */
  #checkEnd(method: "commit" | "rollback"): void {
    this.#refuseEngine(method);
    if (this.#scopes > 0) throw this.#error(`${method}() inside transaction(fn): return from fn to commit, or throw to roll back`);
    if (!this.inTransaction) throw this.#error(`${method}(): no transaction is open`);
  }

  /** Undoes a failed scope; when that fails too (the connection died), the report names both. */
  async #undo(first: unknown, statements: readonly string[]): Promise<void> {
    if (!this.inTransaction) return;
    try {
      for (const sql of statements) await this.#send(sql, undefined);
      if (statements[0] === "ROLLBACK") this.#context.counters.rollbacks++;
    } catch (error) {
      throw new ResourceError(
        this.#context.name,
        redact(`rolling back after "${driverMessage(first)}" failed: ${driverMessage(error)}`, this.#context.secrets),
        { retryable: isRetryablePostgresError(error), cause: error },
      );
    }
  }

  /** Writes rows in multi-row statements; more than one statement runs in a transaction (a savepoint inside one). */
  async #writeRows(
    method: string,
    table: string,
    rows: readonly SqlRow[],
    statementFor: (columns: readonly string[], rowCount: number) => string,
  ): Promise<RunInfo> {
    if (rows.length === 0) return { changes: 0, lastInsertRowid: null };
    let columns: readonly string[];
    let batches: SqlRow[][];
    try {
      columns = columnsOf(rows);
      batches = chunk(rows, rowsPerStatement(columns.length));
      statementFor(columns, 1);
    } catch (error) {
      if (error instanceof SqlShapeError) throw this.#error(`${method} into \`${table}\`: ${error.message}`, error);
      throw error;
    }
    const jsonColumns = rows.some((row) => columns.some((column) => Array.isArray(row[column]))) ? await this.#jsonColumns(table) : new Set<string>();
    const write = async (): Promise<RunInfo> => {
      let changes = 0;
      for (const batch of batches) {
        const values = rowValues(batch, columns, (value, column) => encodeValue(value, jsonColumns.has(column)));
        const result = await this.#query(statementFor(columns, batch.length), values);
        changes += result.rowCount ?? 0;
      }
      return { changes, lastInsertRowid: null };
    };
    return batches.length === 1 ? write() : this.transaction(write);
  }

  /** Runs a versioned helper's statement; arrays bound to json/jsonb columns go as JSON text, as in `upsert`. */
  async #planned(table: string, plan: PlannedStatement): Promise<QueryResult<QueryResultRow>> {
    const jsonColumns = plan.params.some(Array.isArray) ? await this.#jsonColumns(table) : new Set<string>();
    return this.#query(
      plan.sql,
      plan.params.map((value, i) => encodeValue(value, jsonColumns.has(plan.paramColumns[i] ?? ""))),
    );
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

  /** The `json`/`jsonb` columns of a table (none when it does not exist: the insert then says so). */
  async #jsonColumns(table: string): Promise<ReadonlySet<string>> {
    const result = await this.#query(
      "SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped AND atttypid IN ('json'::regtype, 'jsonb'::regtype)",
      [quoteTableName(table)],
    );
    return new Set(result.rows.map((row) => String(row["name"])));
  }

  /** Runs one statement; a driver error leaves as a redacted `ResourceError` that quotes the statement, never its values. */
  async #query(sql: string, params?: readonly unknown[]): Promise<QueryResult<QueryResultRow>> {
    if (this.#released) throw this.#error("this handle was released; acquire a new one");
    if (this.#broken !== null) {
      throw new ResourceError(this.#context.name, redact(`the connection is broken: ${driverMessage(this.#broken)}`, this.#context.secrets), {
        retryable: true,
        cause: this.#broken,
      });
    }
    try {
      const result = await this.#send(sql, params === undefined ? undefined : encodeParams(sql, params));
      this.#context.counters.statements++;
      return result;
    } catch (error) {
      this.#context.counters.errors++;
      const message = statementFailure(driverMessage(error), errorCode(error), sql, params);
      throw new ResourceError(this.#context.name, redact(message, this.#context.secrets), { retryable: isRetryablePostgresError(error), cause: error });
    }
  }

  /**
   * Sends a statement after the ones issued before it have answered. Statements issued without
   * waiting (the engine's savepoints) keep their order this way, and pg never sees a query while
   * one is running (pg 8 warns about that; pg 9 refuses it).
   */
  #send(sql: string, params: unknown[] | undefined): Promise<QueryResult<QueryResultRow>> {
    const sent = this.#tail.then(() => this.#client.query(sql, params));
    this.#tail = sent.then(
      () => undefined,
      () => undefined,
    );
    return sent;
  }

  #error(message: string, cause?: unknown): ResourceError {
    return new ResourceError(this.#context.name, redact(message, this.#context.secrets), cause === undefined ? {} : { cause });
  }
}

/** Connects a new client; a failure leaves as a redacted, retryable-when-transient `ResourceError`. */
async function connect(context: PostgresContext, options: ClientConfig): Promise<Client> {
  const client = new (pg().Client)(options);
  try {
    await client.connect();
    return client;
  } catch (error) {
    const code = errorCode(error);
    throw new ResourceError(
      context.name,
      redact(`cannot connect: ${driverMessage(error)}${code === undefined ? "" : ` (${code})`}`, context.secrets),
      { retryable: isRetryablePostgresError(error), cause: error },
    );
  }
}

/**
 * The `postgres` provider of resource `name`. The configuration is environment-resolved, without
 * the manager's keys; a wrong one throws `ResourceConfigError` here, before anything connects.
 */
export function createPostgresProvider(name: string, config: Readonly<Record<string, unknown>>): ResourceProvider<PostgresHandle> {
  const options = readPostgresSettings(name, config);
  const context: PostgresContext = {
    name,
    secrets: secretsOf(config),
    counters: { statements: 0, commits: 0, rollbacks: 0, errors: 0, connections: 0 },
  };
  return {
    kind: "postgres",
    transactional: true,
    sync: false,
    async acquire(): Promise<PostgresHandle> {
      const client = await connect(context, options);
      context.counters.connections++;
      return new PostgresConnection(context, client);
    },
    async release(handle: PostgresHandle): Promise<void> {
      if (!(handle instanceof PostgresConnection)) throw new ResourceError(name, "release() was given a handle this provider did not make");
      try {
        await handle.end();
      } catch (error) {
        throw new ResourceError(name, redact(`closing the connection failed: ${driverMessage(error)}`, context.secrets), { cause: error });
      }
    },
    async validate(handle: PostgresHandle): Promise<boolean> {
      return handle instanceof PostgresConnection && (await handle.isReusable());
    },
    async health(): Promise<HealthReport> {
      let client: Client | undefined;
      let probeError: Error | undefined;
      try {
        client = await connect(context, options);
        // Without a listener an error event would crash the process; a failing probe rejects its query anyway.
        client.on("error", (error: Error) => {
          probeError = error;
        });
        await client.query("select 1");
        return { status: "healthy" };
      } catch (error) {
        // The driver's own words: the connect wrapper's "resource `x`: cannot connect:" adds nothing to a health detail.
        const reason = probeError ?? (error instanceof ResourceError && error.cause !== undefined ? error.cause : error);
        return { status: "unhealthy", detail: redact(driverMessage(reason), context.secrets) };
      } finally {
        await client?.end();
      }
    },
    metrics(): Readonly<Record<string, number>> {
      return { ...context.counters };
    },
  };
}
