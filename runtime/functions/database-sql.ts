/**
 * What the database builtins (database.ts) need from a SQL resource handle, over both kinds:
 * SQLite (better-sqlite3, synchronous: every method answers at once) and Postgres (pg,
 * asynchronous: every method answers with a promise). The builtins are written once over
 * `Maybe` values with `andThen` (runtime/thenable.ts), `guard` and `eachInOrder`, which stay synchronous as long as the
 * handle does: a SQLite machine keeps `processSync`, a Postgres one gets promises. Also here:
 * named query parameters for both dialects, and the safe summary of a failure.
 */
import { andThen, isThenable, type Maybe } from "../thenable.js";
import { redact } from "../resources/errors.js";
import type { PostgresHandle, SqliteHandle } from "../resources/handles.js";
import { scrubValues, valueTexts } from "../resources/providers/sql.js";
import type { DatabaseFailure } from "./errors.js";

export type { Maybe } from "../thenable.js";

/** A row as the drivers return it, or as the builtins write it. */
export type Row = Record<string, unknown>;

/** Statement parameters: positional (an array), named (an object), or none. */
export type QueryParams = readonly unknown[] | Readonly<Record<string, unknown>> | undefined;


/** Runs `work`; a throw or a rejection goes to `fail`, which throws what the caller should see. */
export function guard<T>(work: () => Maybe<T>, fail: (error: unknown) => never): Maybe<T> {
  let value: Maybe<T>;
  try {
    value = work();
  } catch (error) {
    return fail(error);
  }
  return isThenable(value) ? Promise.resolve(value).catch(fail) : value;
}

/** Runs `step` on each item in order, one after the other (synchronously while the steps answer synchronously). */
export function eachInOrder<T>(items: readonly T[], step: (item: T, index: number) => Maybe<void>, from = 0): Maybe<void> {
  for (let i = from; i < items.length; i++) {
    const done = step(items[i] as T, i);
    if (isThenable(done)) return Promise.resolve(done).then(() => eachInOrder(items, step, i + 1));
  }
  return undefined;
}

/** The SQL dialects the builtins speak. */
export type Dialect = "sqlite" | "postgres";

/** A SQL handle as the builtins use it (one per call: the handle the run holds for the resource). */
export interface SqlTarget {
  readonly dialect: Dialect;
  /** Every row of a statement; [] for a statement that returns none (an INSERT without RETURNING). */
  rows(sql: string, params: QueryParams): Maybe<Row[]>;
  /** Inserts rows (all with the same columns); resolves with the rows written. */
  insert(table: string, rows: readonly Row[]): Maybe<number>;
  /** Inserts rows, updating or keeping the stored row on a clash of `key`; resolves with the rows inserted or updated. */
  upsert(table: string, rows: readonly Row[], key: readonly string[], onConflict: "update" | "ignore"): Maybe<number>;
  /** Runs `work` in a transaction (a savepoint when one is open): committed when it ends, rolled back when it fails. */
  transaction<T>(work: (target: SqlTarget) => Maybe<T>): Maybe<T>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The target of a `sqlite` or `postgres` resource handle, or undefined for any other handle. */
export function sqlTargetOf(handle: unknown): SqlTarget | undefined {
  if (!isObject(handle) || typeof handle["transaction"] !== "function" || typeof handle["upsert"] !== "function") return undefined;
  const db = handle["db"];
  if (isObject(db) && typeof db["prepare"] === "function") return sqliteTarget(handle as unknown as SqliteHandle);
  const client = handle["client"];
  if (isObject(client) && typeof client["query"] === "function") return postgresTarget(handle as unknown as PostgresHandle);
  return undefined;
}

function sqliteTarget(handle: SqliteHandle): SqlTarget {
  const target: SqlTarget = {
    dialect: "sqlite",
    rows(sql, params) {
      // `all` refuses a statement that returns no data; such a statement runs and gives no rows.
      if (handle.db.prepare(sql).reader) return handle.all<Row>(sql, params);
      handle.run(sql, params);
      return [];
    },
    insert: (table, rows) => handle.insertMany(table, rows).changes,
    upsert: (table, rows, key, onConflict) => handle.upsert(table, rows, { key, onConflict }).changes,
    transaction: (work) => handle.transaction(() => work(target)),
  };
  return target;
}

function postgresTarget(handle: PostgresHandle): SqlTarget {
  const target: SqlTarget = {
    dialect: "postgres",
    rows(sql, params) {
      if (params !== undefined && !Array.isArray(params)) throw new TypeError("engine bug: named parameters reach the postgres handle");
      return handle.all<Row>(sql, params as readonly unknown[] | undefined);
    },
    insert: async (table, rows) => (await handle.insertMany(table, rows)).changes,
    upsert: async (table, rows, key, onConflict) => (await handle.upsert(table, rows, { key, onConflict })).changes,
    transaction: (work) => handle.transaction(async () => await work(target)),
  };
  return target;
}

/** One named placeholder in a statement: `:name`, `@name` or `$name`, at `[start, end)`. */
interface Placeholder {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const DOLLAR_QUOTE = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;

/** `[start, end)` of the name at `at`, or undefined. */
function nameAt(sql: string, at: number): number | undefined {
  NAME.lastIndex = at;
  return NAME.test(sql) ? NAME.lastIndex : undefined;
}

/** Where the quoted text starting at `at` (with `quote`, doubled to escape) ends. */
function skipQuoted(sql: string, at: number, quote: string): number {
  let i = at + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/**
 * The named placeholders of a statement, in order, skipping string literals, quoted identifiers,
 * comments, Postgres dollar-quoted strings and `::` casts. `?`, `?1` and `$1` are positional, not named.
 */
export function namedPlaceholders(sql: string): { readonly named: readonly Placeholder[]; readonly positional: boolean } {
  const named: Placeholder[] = [];
  let positional = false;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"' || c === "`") {
      i = skipQuoted(sql, i, c);
    } else if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === ":" && next === ":") {
      i += 2;
    } else if (c === "$") {
      DOLLAR_QUOTE.lastIndex = i;
      const quote = DOLLAR_QUOTE.exec(sql);
      if (quote !== null) {
        const end = sql.indexOf(quote[0], i + quote[0].length);
        i = end === -1 ? sql.length : end + quote[0].length;
        continue;
      }
      const end = nameAt(sql, i + 1);
      if (end !== undefined) {
        named.push({ name: sql.slice(i + 1, end), start: i, end });
        i = end;
      } else {
        if (next !== undefined && /[0-9]/.test(next)) positional = true;
        i++;
      }
    } else if (c === ":" || c === "@") {
      const end = nameAt(sql, i + 1);
      if (end !== undefined) {
        named.push({ name: sql.slice(i + 1, end), start: i, end });
        i = end;
      } else i++;
    } else {
      if (c === "?") positional = true;
      i++;
    }
  }
  return { named, positional };
}

/** A statement ready to run: its text in the dialect's form and its parameters. */
export interface BoundStatement {
  readonly sql: string;
  readonly params: QueryParams;
}

/**
 * Binds named values to a statement: SQLite takes `:name`, `@name`, `$name` itself (given only the
 * names the statement uses); for Postgres the placeholders become `$1, $2 …` (one number per
 * name). Returns the names without a value instead when some are missing, or `mixed` when a
 * Postgres statement mixes named and positional placeholders.
 */
export function bindNamed(dialect: Dialect, sql: string, values: Readonly<Record<string, unknown>>): BoundStatement | { readonly missing: readonly string[] } | { readonly mixed: true } {
  const { named, positional } = namedPlaceholders(sql);
  if (named.length === 0) return { sql, params: undefined };
  const names = [...new Set(named.map((p) => p.name))];
  const missing = names.filter((name) => !Object.hasOwn(values, name) || values[name] === undefined);
  if (missing.length > 0) return { missing };
  if (dialect === "sqlite") return { sql, params: Object.fromEntries(names.map((name) => [name, values[name]])) };
  if (positional) return { mixed: true };
  let text = "";
  let from = 0;
  for (const p of named) {
    text += `${sql.slice(from, p.start)}$${names.indexOf(p.name) + 1}`;
    from = p.end;
  }
  return { sql: text + sql.slice(from), params: names.map((name) => values[name]) };
}

/** Longest driver text a failure quotes. */
const DETAIL_CHARS = 200;

/** The innermost cause of an error (a provider's `ResourceError` wraps the driver's error). */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10 && isObject(current) && isObject(current["cause"]); depth++) current = current["cause"];
  return current;
}

/** The class of an error as messages name it: `SqliteError`, pg's `DatabaseError` (whose `name` is just "error"). */
function errorTypeOf(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const byClass = error.constructor.name;
  return byClass !== "" && byClass !== "Error" ? byClass : error.name;
}

/** True when the error, or one of its causes, is marked retryable (a busy SQLite file, a dropped Postgres connection). */
function isRetryable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 10 && isObject(current); depth++) {
    if (current["retryable"] === true) return true;
    current = current["cause"];
  }
  return false;
}

/**
 * What failed, safe to show: the innermost error's class and code, and its first line with the
 * values of `values` (parameters, rows) scrubbed and secrets redacted — the provider's wrapping
 * text (statement preview, resource prefix) left out.
 */
export function databaseFailure(error: unknown, values: unknown): DatabaseFailure {
  const root = rootCause(error);
  const code = isObject(root) && typeof root["code"] === "string" ? root["code"] : undefined;
  const message = root instanceof Error ? root.message : String(root);
  const firstLine = (message.split("\n")[0] ?? "").trim();
  let detail = redact(scrubValues(firstLine, valueTexts(values)));
  if (detail.length > DETAIL_CHARS) detail = `${detail.slice(0, DETAIL_CHARS)}…`;
  return { errorType: errorTypeOf(root), sqlCode: code, detail, retryable: isRetryable(error) };
}
