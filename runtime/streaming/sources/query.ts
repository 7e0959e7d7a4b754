/**
 * What the database sources share: their options, and the query that resumes after a key. With
 * `keyColumn`, the query is wrapped as
 * `select * from (<sql>) as fsmc_rows [where fsmc_rows."<key>" > <last key>] order by fsmc_rows."<key>"`,
 * so rows come in key order and a resume starts after the last key done.
 */
import { quoteIdentifier, SqlShapeError } from "../../resources/providers/sql.js";
import type { ResumePoint } from "../types.js";
import { SourceOptionsError, SourceReadError } from "./errors.js";

/** Options of `sqliteQuerySource` and `postgresCursorSource`. */
export interface QuerySourceOptions {
  /** Rows fetched per round trip (Postgres `FETCH`) or per page (SQLite); default 1000. */
  readonly batchSize?: number;
  /**
   * A column of the query's rows whose values are unique and ordered (a primary key): the rows
   * come in its order, each position's `cursor` is its value, and a resume point's `cursor`
   * continues after it.
   */
  readonly keyColumn?: string;
  /** Where to start: after `cursor` (needs `keyColumn`), else after skipping `index` rows. */
  readonly start?: ResumePoint;
}

/** Checked query options. */
export interface QuerySettings {
  readonly batchSize: number;
  readonly keyColumn: string | undefined;
  /** The quoted key column, as the wrapped query names it. */
  readonly keySql: string | undefined;
  /** Index of the first row yielded. */
  readonly firstIndex: number;
  /** Rows to skip before yielding (a resume without a cursor). */
  readonly skip: number;
  /** The last key done, when resuming by key. */
  readonly after: { readonly key: unknown } | undefined;
}

export const DEFAULT_BATCH_SIZE = 1000;
const KNOWN = new Set(["batchSize", "keyColumn", "start"]);

/** Checks the options of a database source named `what`. */
export function querySettings(options: QuerySourceOptions, what: string): QuerySettings {
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw new SourceOptionsError(`${what}: unknown option \`${key}\` (known: batchSize, keyColumn, start)`);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new SourceOptionsError(`${what}: \`batchSize\` must be a positive integer, got ${String(batchSize)}`);
  const { keyColumn, start } = options;
  let keySql: string | undefined;
  if (keyColumn !== undefined) {
    try {
      keySql = `fsmc_rows.${quoteIdentifier(String(keyColumn), "key column")}`;
    } catch (error) {
      if (error instanceof SqlShapeError) throw new SourceOptionsError(`${what}: \`keyColumn\`: ${error.message}`);
      throw error;
    }
  }
  const firstIndex = checkIndex(start?.index ?? 0, what);
  if (start?.cursor !== undefined && keyColumn === undefined) {
    throw new SourceOptionsError(`${what}: the resume point has a \`cursor\`, but no \`keyColumn\` says which column it is a value of`);
  }
  const after = start?.cursor !== undefined ? { key: start.cursor } : undefined;
  return { batchSize, keyColumn, keySql, firstIndex, skip: after === undefined ? firstIndex : 0, after };
}

/** A resume point's `index`: a non-negative integer. */
export function checkIndex(index: unknown, what: string): number {
  if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
    throw new SourceOptionsError(`${what}: the resume point's \`index\` must be a non-negative integer, got ${String(index)}`);
  }
  return index;
}

/** The user's query, wrapped for key order when there is a key column, and for rows after the key `afterParam` when given. */
export function keyedQuery(sql: string, settings: QuerySettings, afterParam?: string): string {
  const inner = sql.replace(/[\s;]+$/, "");
  if (settings.keySql === undefined) return inner;
  const where = afterParam === undefined ? "" : ` where ${settings.keySql} > ${afterParam}`;
  return `select * from (${inner}) as fsmc_rows${where} order by ${settings.keySql}`;
}

/** The key of a row, which must have the key column. */
export function keyOf(row: unknown, settings: QuerySettings, what: string): unknown {
  if (settings.keyColumn === undefined) return undefined;
  const value = (row as Record<string, unknown>)[settings.keyColumn];
  if (value === undefined || value === null) throw new SourceReadError(`${what}: a row has no value in the key column \`${settings.keyColumn}\``);
  return value;
}
