/**
 * The statements and checks behind the optimistic-lock helpers of the `sqlite` and `postgres`
 * handles (`getVersioned`, `updateVersioned`, `insertVersioned`; docs/data-modes.md). A versioned
 * row carries its version in an ordinary integer column (`version` unless named otherwise), so
 * the version travels with the record in every data mode. An update writes the row only where
 * the stored version still equals the one the record carries, and bumps it in the same
 * statement; when no row changed, another writer got there first. Pure functions over rows and
 * names; the providers run the statements, encode the values in their dialect, and wrap
 * `SqlShapeError` in `ResourceError`.
 */
import { describeRowKey, type RowVersion, VersionConflictError } from "../errors.js";
import { insertStatement, placeholder, quoteIdentifier, quoteTableName, type SqlDialect, type SqlRow, SqlShapeError } from "./sql.js";

/** The version column of versioned rows unless `versionColumn` names another. */
export const DEFAULT_VERSION_COLUMN = "version";

/** The version a row gets from `insertVersioned`. */
export const FIRST_VERSION = 1;

/** The option every versioned helper takes. */
export interface VersionColumnOption {
  readonly versionColumn?: string;
}

/** What `updateVersioned` needs besides the table and the row. */
export interface VersionedUpdateSpec extends VersionColumnOption {
  readonly key: readonly string[];
  readonly columns?: readonly string[];
}

/** A statement and its parameters, each with the column it is written to or compared with. */
export interface PlannedStatement {
  readonly sql: string;
  /** Unencoded values, in placeholder order. */
  readonly params: readonly unknown[];
  /** The column of each parameter (the provider encodes JSON columns by it). */
  readonly paramColumns: readonly string[];
}

/** The optimistic-lock update of one row, and what a conflict report needs. */
export interface VersionedUpdatePlan extends PlannedStatement {
  readonly versionColumn: string;
  readonly expected: RowVersion;
  /** The key columns with the row's values. */
  readonly key: Readonly<Record<string, unknown>>;
  /** `SELECT <version> FROM table WHERE <key>`: the stored version, read when the update changed nothing. */
  readonly currentVersion: PlannedStatement;
}

/** The version column an options object names (default `version`); refuses a name no dialect can quote. */
export function versionColumnOf(options: VersionColumnOption | undefined): string {
  const column = options?.versionColumn ?? DEFAULT_VERSION_COLUMN;
  quoteIdentifier(column, "version column");
  return column;
}

/** True for a value a version column may hold: a safe integer, a bigint, or integer text (Postgres `int8`). */
export function isRowVersion(value: unknown): value is RowVersion {
  if (typeof value === "number") return Number.isSafeInteger(value);
  if (typeof value === "bigint") return true;
  return typeof value === "string" && /^-?\d+$/.test(value);
}

/** The version after `version`, in the same representation (number, bigint or text). */
export function nextVersion(version: RowVersion): RowVersion {
  if (typeof version === "number") return version + 1;
  if (typeof version === "bigint") return version + 1n;
  return (BigInt(version) + 1n).toString();
}

/**
 * The version `row` carries in `column`; `what` names the row in the error (`the row`, `the
 * stored row`). A missing column, NULL or a non-integer is a `SqlShapeError` that says so.
 */
export function versionOf(row: SqlRow, column: string, what: string): RowVersion {
  if (!Object.hasOwn(row, column)) {
    const columns = Object.keys(row).map((name) => `\`${name}\``);
    throw new SqlShapeError(
      `${what} has no \`${column}\` column${columns.length > 0 ? ` (its columns: ${columns.join(", ")})` : ""}; ` +
        "a versioned row carries its version in an integer column (name yours with `{ versionColumn }`)",
    );
  }
  const value = row[column];
  if (!isRowVersion(value)) {
    throw new SqlShapeError(`${what} has \`${column}\` = ${describeVersionValue(value)}, expected an integer version`);
  }
  return value;
}

function describeVersionValue(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value.length <= 40 ? value : `${value.slice(0, 40)}…`);
  return `a value of type ${Array.isArray(value) ? "array" : typeof value}`;
}

/** `"a" = ? AND "b" = ?` (or `$n`), numbering placeholders from `first`. */
function whereKey(dialect: SqlDialect, columns: readonly string[], first: number): string {
  return columns.map((column, i) => `${quoteIdentifier(column)} = ${placeholder(dialect, first + i)}`).join(" AND ");
}

/** Refuses a key with no column or with a NULL part (NULL equals nothing in SQL, so it would match no row). */
function checkKeyValues(key: Readonly<Record<string, unknown>>): readonly string[] {
  const columns = Object.keys(key);
  if (columns.length === 0) throw new SqlShapeError("the key names no column (give the row's key columns and values, e.g. `{ id: 7 }`)");
  for (const column of columns) {
    quoteIdentifier(column, "key column");
    if (key[column] === null || key[column] === undefined) {
      throw new SqlShapeError(`key column \`${column}\` is ${key[column] === null ? "null" : "undefined"}; NULL matches no row`);
    }
  }
  return columns;
}

/**
 * `SELECT * FROM table WHERE <key> LIMIT 2`: the row of `key`; the second row, when there is
 * one, shows that the key is not unique (`checkSingleRow`).
 */
export function planGetVersioned(dialect: SqlDialect, table: string, key: Readonly<Record<string, unknown>>): PlannedStatement {
  const columns = checkKeyValues(key);
  return {
    sql: `SELECT * FROM ${quoteTableName(table)} WHERE ${whereKey(dialect, columns, 0)} LIMIT 2`,
    params: columns.map((column) => key[column]),
    paramColumns: columns,
  };
}

/** Refuses a key that matched more than one row: an update by it would write them all. */
function checkSingleRow(table: string, key: Readonly<Record<string, unknown>>, rowCount: number): void {
  if (rowCount > 1) {
    throw new SqlShapeError(`(${describeRowKey(key)}) matches more than one row of \`${table}\`; a versioned row needs the columns of a primary or unique key`);
  }
}

/** The row `planGetVersioned`'s statement found, checked: one row at most, with an integer version. */
export function versionedRow(table: string, key: Readonly<Record<string, unknown>>, rows: readonly SqlRow[], versionColumn: string): SqlRow | undefined {
  checkSingleRow(table, key, rows.length);
  const row = rows[0];
  if (row !== undefined) versionOf(row, versionColumn, "the stored row");
  return row;
}

/**
 * The error of an optimistic-lock update that changed no row, from the rows its
 * `currentVersion` statement read: the version found now, or the row's absence.
 */
export function versionConflict(
  resource: string,
  table: string,
  plan: VersionedUpdatePlan,
  current: readonly SqlRow[],
  secrets: readonly string[],
): VersionConflictError {
  checkSingleRow(table, plan.key, current.length);
  const found = current[0] === undefined ? null : versionOf(current[0], plan.versionColumn, "the stored row");
  return new VersionConflictError(resource, { table, key: plan.key, expected: plan.expected, found }, secrets);
}

/** Refuses a row object that cannot take its new version (frozen, or a read-only field). */
function checkWritable(row: object, column: string): void {
  const field = Object.getOwnPropertyDescriptor(row, column);
  const writable = field === undefined ? Object.isExtensible(row) : field.writable === true || field.set !== undefined;
  if (!writable) throw new SqlShapeError(`the row object is read-only (\`${column}\` cannot be set), so it could not carry its new version; pass a mutable object`);
}

/**
 * `UPDATE table SET <columns>, version = version + 1 WHERE <key> AND version = <the row's> AND
 * (SELECT count(*) FROM table WHERE <key>) = 1`: one statement that writes the row only when its
 * stored version is the one the row carries and the key names exactly one row (a key that is not
 * unique would otherwise write every row it matches). The columns set are `spec.columns`, or
 * every field of the row but the key and the version; each must be a field of the row (a
 * missing one would silently write NULL).
 */
export function planUpdateVersioned(dialect: SqlDialect, table: string, row: object, spec: VersionedUpdateSpec): VersionedUpdatePlan {
  const fields = row as SqlRow;
  const versionColumn = versionColumnOf(spec);
  const keyColumns = spec.key;
  if (keyColumns.length === 0) throw new SqlShapeError("updateVersioned needs at least one key column (`{ key: [\"id\"] }`)");
  const key: Record<string, unknown> = {};
  for (const column of keyColumns) {
    if (Object.hasOwn(key, column)) throw new SqlShapeError(`key column \`${column}\` is named twice`);
    if (column === versionColumn) throw new SqlShapeError(`the version column \`${column}\` cannot be part of the key`);
    if (!Object.hasOwn(fields, column)) throw new SqlShapeError(`the row has no key column \`${column}\``);
    key[column] = fields[column];
  }
  checkKeyValues(key);
  const expected = versionOf(fields, versionColumn, "the row");
  const columns =
    spec.columns === undefined
      ? Object.keys(fields).filter((column) => column !== versionColumn && !keyColumns.includes(column))
      : checkColumns(spec.columns, fields, keyColumns, versionColumn);
  checkWritable(row, versionColumn);
  const quotedTable = quoteTableName(table);
  const version = quoteIdentifier(versionColumn, "version column");
  const sets = columns.map((column, i) => `${quoteIdentifier(column)} = ${placeholder(dialect, i)}`);
  sets.push(`${version} = ${version} + 1`);
  const where = whereKey(dialect, keyColumns, columns.length);
  // Postgres reuses the key's `$n` in the subquery; SQLite's `?` are bound again, in order.
  const keyValues = keyColumns.map((column) => key[column]);
  const sql =
    `UPDATE ${quotedTable} SET ${sets.join(", ")} WHERE ${where} AND ${version} = ${placeholder(dialect, columns.length + keyColumns.length)}` +
    ` AND (SELECT count(*) FROM ${quotedTable} WHERE ${where}) = 1`;
  const params = [...columns.map((column) => fields[column]), ...keyValues, expected];
  const paramColumns = [...columns, ...keyColumns, versionColumn];
  if (dialect === "sqlite") {
    params.push(...keyValues);
    paramColumns.push(...keyColumns);
  }
  return {
    sql,
    params,
    paramColumns,
    versionColumn,
    expected,
    key,
    currentVersion: {
      sql: `SELECT ${version} FROM ${quotedTable} WHERE ${whereKey(dialect, keyColumns, 0)} LIMIT 2`,
      params: keyValues,
      paramColumns: keyColumns,
    },
  };
}

/** Checks `columns` of `updateVersioned`: fields of the row, neither key nor version, each once. */
function checkColumns(columns: readonly string[], fields: SqlRow, keyColumns: readonly string[], versionColumn: string): readonly string[] {
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column)) throw new SqlShapeError(`column \`${column}\` is named twice in \`columns\``);
    seen.add(column);
    if (column === versionColumn) throw new SqlShapeError(`\`columns\` names the version column \`${column}\`, which updateVersioned sets itself`);
    if (keyColumns.includes(column)) throw new SqlShapeError(`\`columns\` names the key column \`${column}\`; the key identifies the row and is not updated`);
    if (!Object.hasOwn(fields, column)) throw new SqlShapeError(`\`columns\` names \`${column}\`, which the row does not have`);
  }
  return columns;
}

/** `INSERT INTO table (<the row's fields>, version) VALUES (…)` with the version 1. */
export function planInsertVersioned(
  dialect: SqlDialect,
  table: string,
  row: object,
  options: VersionColumnOption | undefined,
): PlannedStatement & { readonly versionColumn: string } {
  const versionColumn = versionColumnOf(options);
  const fields = { ...(row as SqlRow), [versionColumn]: FIRST_VERSION };
  checkWritable(row, versionColumn);
  const columns = Object.keys(fields);
  return {
    sql: insertStatement(dialect, table, columns, 1),
    params: columns.map((column) => fields[column]),
    paramColumns: columns,
    versionColumn,
  };
}
