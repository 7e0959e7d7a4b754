/**
 * SQL text shared by the `sqlite` and `postgres` providers: identifier quoting, the statements
 * behind `upsert` and `insertMany` in both dialects, and the safe statement preview and value
 * scrubbing that error messages use. Pure functions over strings and rows; the providers run the
 * statements and wrap `SqlShapeError` in `ResourceError`.
 */

/** The dialects the SQL providers speak. */
export type SqlDialect = "sqlite" | "postgres";

/** A row as `upsert` and `insertMany` receive it: column name → value. */
export type SqlRow = Readonly<Record<string, unknown>>;

/** A table name, column name or row set the helpers cannot turn into a statement. */
export class SqlShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlShapeError";
  }
}

/** Postgres refuses a statement with more bind parameters than this (the wire protocol's Int16 count). */
export const POSTGRES_MAX_PARAMS = 65_535;

/** Rows per multi-row `INSERT` at most, so one statement stays small enough to parse quickly. */
export const MAX_ROWS_PER_STATEMENT = 1_000;

/** How many characters of a statement error messages quote. */
export const STATEMENT_PREVIEW_CHARS = 200;

/**
 * Quotes one identifier (a column, or one part of a table name) as both dialects read it:
 * `"name"`, with `"` doubled. Refuses an empty name and a NUL, which neither dialect can store.
 */
export function quoteIdentifier(name: string, what = "column"): string {
  if (name === "") throw new SqlShapeError(`${what} name is empty`);
  if (name.includes("\0")) throw new SqlShapeError(`${what} name ${JSON.stringify(name)} contains a NUL character`);
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a table name; dots separate a schema (or attached database) from the table, so
 * `audit.events` is `"audit"."events"`. Column names, by contrast, are taken whole.
 */
export function quoteTableName(table: string): string {
  if (table === "") throw new SqlShapeError("table name is empty");
  return table
    .split(".")
    .map((part) => quoteIdentifier(part, `table \`${table}\`: part`))
    .join(".");
}

/**
 * The columns of a row set: the first row's keys. Every other row must have the same keys (in
 * any order), so a missing field never silently writes NULL over stored data.
 */
export function columnsOf(rows: readonly SqlRow[]): readonly string[] {
  const first = rows[0];
  if (first === undefined) return [];
  const columns = Object.keys(first);
  if (columns.length === 0) throw new SqlShapeError("row 0 has no columns");
  const known = new Set(columns);
  for (let i = 1; i < rows.length; i++) {
    const keys = Object.keys(rows[i] ?? {});
    const extra = keys.find((key) => !known.has(key));
    const missing = keys.length === columns.length ? undefined : columns.find((column) => !keys.includes(column));
    if (extra !== undefined || missing !== undefined) {
      const problem = extra !== undefined ? `has column \`${extra}\`, which row 0 lacks` : `lacks column \`${missing}\``;
      throw new SqlShapeError(`row ${i} ${problem}; every row must have the columns of row 0 (${columns.join(", ")})`);
    }
  }
  return columns;
}

/** How `upsert` treats a row whose key already exists. */
export interface ConflictClause {
  readonly key: readonly string[];
  readonly onConflict: "update" | "ignore";
}

/** Checks an upsert key against the row set's columns. */
export function checkUpsertKey(key: readonly string[], columns: readonly string[]): void {
  if (key.length === 0) throw new SqlShapeError("upsert needs at least one key column (`{ key: [\"id\"] }`)");
  const seen = new Set<string>();
  for (const column of key) {
    if (seen.has(column)) throw new SqlShapeError(`key column \`${column}\` is named twice`);
    seen.add(column);
    if (!columns.includes(column)) {
      throw new SqlShapeError(`key column \`${column}\` is not a column of the rows (${columns.join(", ")})`);
    }
  }
}

/** The `$n` (postgres) or `?` (sqlite) placeholder of the parameter at zero-based `index`. */
export function placeholder(dialect: SqlDialect, index: number): string {
  return dialect === "sqlite" ? "?" : `$${index + 1}`;
}

/**
 * `INSERT INTO table (columns) VALUES (…), (…)` for `rowCount` rows, plus an `ON CONFLICT (key)
 * DO UPDATE SET c = excluded.c …` (or `DO NOTHING`) clause when `conflict` is given. With only key
 * columns there is nothing to update, so the clause is `DO NOTHING`. Both dialects spell the
 * clause the same (SQLite ≥ 3.24).
 */
export function insertStatement(dialect: SqlDialect, table: string, columns: readonly string[], rowCount: number, conflict?: ConflictClause): string {
  if (columns.length === 0) throw new SqlShapeError("rows have no columns");
  const quoted = columns.map((column) => quoteIdentifier(column));
  const tuples: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    tuples.push(`(${columns.map((_, i) => placeholder(dialect, row * columns.length + i)).join(", ")})`);
  }
  let sql = `INSERT INTO ${quoteTableName(table)} (${quoted.join(", ")}) VALUES ${tuples.join(", ")}`;
  if (conflict !== undefined) {
    checkUpsertKey(conflict.key, columns);
    const target = conflict.key.map((column) => quoteIdentifier(column)).join(", ");
    const updated = columns.filter((column) => !conflict.key.includes(column)).map((column) => quoteIdentifier(column));
    sql +=
      conflict.onConflict === "ignore" || updated.length === 0
        ? ` ON CONFLICT (${target}) DO NOTHING`
        : ` ON CONFLICT (${target}) DO UPDATE SET ${updated.map((column) => `${column} = excluded.${column}`).join(", ")}`;
  }
  return sql;
}

/** How many rows one multi-row postgres `INSERT` of `columnCount` columns may carry. */
export function rowsPerStatement(columnCount: number): number {
  return Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(POSTGRES_MAX_PARAMS / Math.max(1, columnCount))));
}

/** Splits rows into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The values of rows, row by row, in column order (`undefined` becomes null). */
export function rowValues(rows: readonly SqlRow[], columns: readonly string[], encode: (value: unknown, column: string) => unknown): unknown[] {
  const out: unknown[] = [];
  for (const row of rows) for (const column of columns) out.push(encode(row[column] ?? null, column));
  return out;
}

/** A value's identity as a key part; null when the value is NULL, which never conflicts in SQL. */
function keyPart(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return `date:${value.toISOString()}`;
  if (typeof value === "bigint") return `number:${value.toString()}`;
  if (typeof value === "number") return `number:${value}`;
  if (ArrayBuffer.isView(value)) return `bytes:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
  if (typeof value === "object") return `json:${JSON.stringify(value)}`;
  return `${typeof value}:${String(value)}`;
}

/**
 * Keeps, of rows that share a key, only the last (in the position of the last), which is what
 * applying them one by one would leave. Postgres refuses a multi-row `ON CONFLICT DO UPDATE` that
 * touches one row twice. Rows with a NULL key part never conflict, so they all stay.
 */
export function lastPerKey(rows: readonly SqlRow[], key: readonly string[]): readonly SqlRow[] {
  const last = new Map<string, number>();
  rows.forEach((row, index) => {
    const parts = key.map((column) => keyPart(row[column]));
    if (parts.every((part) => part !== null)) last.set(JSON.stringify(parts), index);
  });
  if (last.size === rows.length) return rows;
  const keep = new Set(last.values());
  return rows.filter((row, index) => keep.has(index) || key.some((column) => keyPart(row[column]) === null));
}

/** The statement as error messages quote it: whitespace collapsed, cut at 200 characters. */
export function statementPreview(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length <= STATEMENT_PREVIEW_CHARS ? flat : `${flat.slice(0, STATEMENT_PREVIEW_CHARS)}…`;
}

/** The text forms of statement parameters that a driver's message could echo (strings, numbers, JSON). */
export function valueTexts(params: unknown): string[] {
  const out: string[] = [];
  const add = (value: unknown): void => {
    if (value === null || value === undefined || typeof value === "boolean") return;
    if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") out.push(String(value));
    else if (value instanceof Date) out.push(value.toISOString());
    else if (Array.isArray(value)) {
      out.push(JSON.stringify(value));
      value.forEach(add);
    } else if (typeof value === "object" && !ArrayBuffer.isView(value)) {
      out.push(JSON.stringify(value));
      Object.values(value).forEach(add);
    }
  };
  if (Array.isArray(params)) params.forEach(add);
  else if (typeof params === "object" && params !== null) Object.values(params).forEach(add);
  return out.filter((text) => text !== "");
}

/**
 * Removes parameter values from a driver's message: every quoted occurrence (`"abc"`, `'abc'`,
 * as in `invalid input syntax for type integer: "abc"`), and bare occurrences of values of four
 * characters or more that are not plain words (`12345678`, `a@b.example`): a value such as
 * `duplicate` stays, or `duplicate key value violates …` would lose its meaning.
 */
export function scrubValues(message: string, values: readonly string[]): string {
  let out = message;
  for (const value of [...new Set(values)].sort((a, b) => b.length - a.length)) {
    out = out.split(`"${value}"`).join('"***"').split(`'${value}'`).join("'***'");
    if (value.length >= 4 && /[^A-Za-z ]/.test(value)) out = out.split(value).join("***");
  }
  return out;
}

/**
 * The message of a failed statement: the driver's text without parameter values, its code, and
 * the statement's first 200 characters (`UNIQUE constraint failed: items.id (SQLITE_CONSTRAINT_PRIMARYKEY)
 * in \`INSERT INTO …\``). Callers still pass it through `redact`.
 */
export function statementFailure(driverMessage: string, code: string | undefined, sql: string, params: unknown): string {
  const text = scrubValues(driverMessage, valueTexts(params));
  return `${text}${code === undefined || code === "" ? "" : ` (${code})`} in \`${statementPreview(sql)}\``;
}

/**
 * Zero-based indexes of the `$n` parameters a postgres statement casts to JSON (`$2::jsonb`,
 * `CAST($2 AS json)`). pg sends a JS array as a Postgres array literal (so `= ANY($1)` works); an
 * array meant for a JSON parameter must be sent as JSON text instead, and the cast says which.
 */
export function jsonCastParams(sql: string): ReadonlySet<number> {
  const out = new Set<number>();
  for (const match of sql.matchAll(/\$(\d+)\s*::\s*jsonb?\b|\bCAST\s*\(\s*\$(\d+)\s+AS\s+jsonb?\b/gi)) {
    out.add(Number(match[1] ?? match[2]) - 1);
  }
  return out;
}
