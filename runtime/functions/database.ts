/**
 * Builtin database functions (`database.*`, SEMANTICS §10.3 and §4.2; docs/builtins.md): fetch,
 * upsert, bulk insert, query and batch commit, on the SQL resource (`sqlite` or `postgres`) the
 * state or arc declares, named by its name or role in the `resource` param. Each is a transform:
 * it returns the record with the result added. On SQLite they answer synchronously (the machine
 * keeps `processSync`); on Postgres with a promise. A failed statement is re-wrapped as
 * `DatabaseFunctionError` ("Upsert failed (SqliteError SQLITE_CONSTRAINT_PRIMARYKEY: …)"),
 * never relaying a statement, a parameter value or a secret.
 */
import type { Ctx } from "../machine/api.js";
import { chunk } from "../resources/providers/sql.js";
import { type BoundStatement, bindNamed, databaseFailure, eachInOrder, guard, type Maybe, type QueryParams, type Row, type SqlTarget, sqlTargetOf } from "./database-sql.js";
import { andThen } from "../thenable.js";
import { type TxAction, type TxNow, TX_NOW } from "../transactions/none.js";
import { defineBuiltin, type BuiltinDatabaseTransformer, type BuiltinEntry } from "./entry.js";
import { BuiltinInputError, BuiltinParamsError, DatabaseFunctionError } from "./errors.js";
import type { ParamSpecs, ParamValues } from "./params.js";
import { isPlainObject, isRecordObject, put, typeName, expectRecord, withField } from "./values.js";

const RESOURCE = {
  kind: "string",
  required: true,
  description: "the SQL resource (`sqlite` or `postgres`): its name, or the role the state or arc binds it to",
} as const;

const TABLE = { kind: "string", required: true, description: "the table to write; `schema.table` names a schema" } as const;

/** The SQL target of the resource the builtin names, or a clear error. */
function targetOf(name: string, resource: string, ctx: Ctx | undefined): SqlTarget {
  if (ctx === undefined || typeof ctx.require_resource !== "function") {
    throw new BuiltinInputError(name, "needs the function context (`ctx`) to reach its resource; the engine passes it");
  }
  // "Resource 'X' not found in context.resources (…)" (FSMR0005) when the state or arc does not declare it.
  const handle = ctx.require_resource(resource);
  const target = sqlTargetOf(handle);
  if (target === undefined) {
    throw new BuiltinParamsError(name, "resource", `names \`${resource}\`, which is not a SQL database: database functions need a \`sqlite\` or \`postgres\` resource`);
  }
  return target;
}


/** Runs `work` against the database; a failure leaves as the operation's `DatabaseFunctionError`. */
function attempt<T>(name: string, operation: string, values: unknown, work: () => Maybe<T>): Maybe<T> {
  return guard(work, (error) => {
    throw new DatabaseFunctionError(name, operation, databaseFailure(error, values), { cause: error });
  });
}

/** A statement with named values bound, or the input error naming what is missing. */
function bind(name: string, target: SqlTarget, sql: string, values: Readonly<Record<string, unknown>>, hint: (missing: string) => string): BoundStatement {
  const bound = bindNamed(target.dialect, sql, values);
  if ("missing" in bound) {
    const list = bound.missing.map((m) => `\`${m}\``).join(", ");
    throw new BuiltinInputError(name, `query parameter${bound.missing.length > 1 ? "s" : ""} ${list} ${bound.missing.length > 1 ? "have" : "has"} no value (${hint(bound.missing[0] ?? "")})`);
  }
  if ("mixed" in bound) throw new BuiltinInputError(name, "the query mixes named (`:name`) and positional (`$1`) parameters; use one kind");
  return bound;
}

/** Whole, positive count params (`chunk_size`, `batch_size`), checked when the machine is built. */
export function positiveCount(name: string, param: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new BuiltinParamsError(name, param, `must be a whole number > 0, got ${value}`);
  return value;
}

// ——— database.fetch ———

const PARAM_PREFIX = "param_";

const FETCH_PARAMS = {
  resource: RESOURCE,
  query: { kind: "string", required: true, description: "the SQL; named parameters as `:name` (also `@name`, `$name`)" },
  params: { kind: "object", required: false, description: "named parameter values; record fields `param_<name>` override them" },
  fetch_one: { kind: "boolean", required: false, default: false, description: "add `record` (the first row, or null) instead of `records`" },
} as const satisfies ParamSpecs;

/** Runs a query with the params and the record's `param_*` fields; adds `records` (or `record`). */
function fetch({ resource, query, params = {}, fetch_one: fetchOne = false }: ParamValues<typeof FETCH_PARAMS>, name: string): BuiltinDatabaseTransformer {
  const fixed = structuredClone(params);
  return (data, ctx) => {
    const record = expectRecord(name, data);
    const target = targetOf(name, resource, ctx);
    const values: Row = { ...fixed };
    for (const key of Object.keys(record)) {
      if (key.startsWith(PARAM_PREFIX) && key.length > PARAM_PREFIX.length) put(values, key.slice(PARAM_PREFIX.length), record[key]);
    }
    const bound = bind(name, target, query, values, (m) => `give it in \`params\` or as the record field \`${PARAM_PREFIX}${m}\``);
    const rows = attempt(name, "Fetch", bound.params, () => target.rows(bound.sql, bound.params));
    return andThen(rows, (found) => (fetchOne ? withField(record, "record", found[0] ?? null) : withField(record, "records", found)));
  };
}

// ——— database.query ———

const QUERY_PARAMS = {
  resource: RESOURCE,
  query_field: { kind: "string", required: false, default: "query", description: "the record field holding the SQL" },
  params_field: { kind: "string", required: false, default: "params", description: "the record field holding its parameters: an array (positional) or an object (named)" },
  result_field: { kind: "string", required: false, default: "result", description: "the field the rows are written to" },
} as const satisfies ParamSpecs;

/** Runs the SQL the record carries, with the parameters it carries; adds the rows. */
function query(
  { resource, query_field: queryField = "query", params_field: paramsField = "params", result_field: resultField = "result" }: ParamValues<typeof QUERY_PARAMS>,
  name: string,
): BuiltinDatabaseTransformer {
  return (data, ctx) => {
    const record = expectRecord(name, data);
    const sql = record[queryField];
    if (sql === undefined || sql === null) throw new BuiltinInputError(name, `Query field '${queryField}' not found`);
    if (typeof sql !== "string" || sql.trim() === "") throw new BuiltinInputError(name, `Query field '${queryField}' must hold SQL text, got ${sql === "" ? "an empty string" : typeName(sql)}`);
    const target = targetOf(name, resource, ctx);
    const given = record[paramsField];
    let bound: BoundStatement;
    if (given === undefined || given === null) bound = { sql, params: undefined };
    else if (Array.isArray(given)) bound = { sql, params: given as readonly unknown[] };
    else if (isPlainObject(given)) bound = bind(name, target, sql, given, () => `add it to the record field \`${paramsField}\``);
    else throw new BuiltinInputError(name, `Params field '${paramsField}' must be an array or an object, got ${typeName(given)}`);
    const params: QueryParams = bound.params;
    const rows = attempt(name, "Query", params, () => target.rows(bound.sql, params));
    return andThen(rows, (found) => withField(record, resultField, found));
  };
}

// ——— rows to write ———

/** The rows a write takes: `data.records`, else `[data.record]`, else `[data]` (SEMANTICS §10.3). */
function rowsOf(name: string, data: Row): readonly Row[] {
  const records = data["records"];
  if (records !== undefined && records !== null) return rowList(name, "records", records);
  const record = data["record"];
  if (record !== undefined && record !== null) {
    if (!isRecordObject(record)) throw new BuiltinInputError(name, `\`record\` must be an object, got ${typeName(record)}`);
    return [record];
  }
  return [data];
}

/** `value` as rows: an array of objects, or an input error naming the field and the bad item. */
function rowList(name: string, field: string, value: unknown): readonly Row[] {
  if (!Array.isArray(value)) throw new BuiltinInputError(name, `\`${field}\` must be an array of objects, got ${typeName(value)}`);
  const items: readonly unknown[] = value;
  items.forEach((item, i) => {
    if (!isRecordObject(item)) throw new BuiltinInputError(name, `\`${field}\` item ${i} must be an object, got ${typeName(item)}`);
  });
  return items as readonly Row[];
}

/** Rows cut to `columns` (a column a row lacks is written as NULL); rows as they are without a list. */
function project(rows: readonly Row[], columns: readonly string[] | undefined): readonly Row[] {
  if (columns === undefined) return rows;
  return rows.map((row) => {
    const out: Row = {};
    for (const column of columns) put(out, column, row[column] ?? null);
    return out;
  });
}

/** Every row must carry a value for each key column: a NULL key never clashes, so the row would be added again. */
function requireKeys(name: string, rows: readonly Row[], key: readonly string[]): void {
  rows.forEach((row, i) => {
    const absent = key.find((column) => row[column] === undefined || row[column] === null);
    if (absent !== undefined) throw new BuiltinInputError(name, `row ${i} has no value for the key column \`${absent}\``);
  });
}

/** How rows are written: plain inserts (a key clash fails), or upserts that update or keep the stored row. */
type WriteMode = { readonly kind: "insert" } | { readonly kind: "upsert"; readonly key: readonly string[]; readonly onConflict: "update" | "ignore" };

function write(target: SqlTarget, table: string, rows: readonly Row[], mode: WriteMode): Maybe<number> {
  if (rows.length === 0) return 0;
  return mode.kind === "insert" ? target.insert(table, rows) : target.upsert(table, rows, mode.key, mode.onConflict);
}

/** Writes chunks in order, adding up the rows written. */
function writeChunks(target: SqlTarget, table: string, chunks: readonly (readonly Row[])[], mode: WriteMode): Maybe<number> {
  let written = 0;
  return andThen(
    eachInOrder(chunks, (rows) => andThen(write(target, table, rows, mode), (n) => void (written += n))),
    () => written,
  );
}

// ——— database.upsert ———

const ON_CONFLICT = ["update", "ignore", "error"];

const UPSERT_PARAMS = {
  resource: RESOURCE,
  table: TABLE,
  key_columns: { kind: "string[]", required: true, description: "the columns that identify a row (a primary or unique key)" },
  value_columns: { kind: "string[]", required: false, description: "the other columns to write; default: every field of the row" },
  on_conflict: {
    kind: "string",
    required: false,
    values: ON_CONFLICT,
    default: "update",
    description: "on a key clash: `update` the stored row, `ignore` the new one, or fail (`error`)",
  },
} as const satisfies ParamSpecs;

/** Inserts or updates `data.records` (else `data.record`, else the record); adds `upserted_count`. */
function upsert({ resource, table, key_columns: key, value_columns: values, on_conflict: onConflict = "update" }: ParamValues<typeof UPSERT_PARAMS>, name: string): BuiltinDatabaseTransformer {
  const columns = values === undefined ? undefined : [...new Set([...key, ...values])];
  const mode: WriteMode = onConflict === "error" ? { kind: "insert" } : { kind: "upsert", key, onConflict: onConflict === "ignore" ? "ignore" : "update" };
  return (data, ctx) => {
    const record = expectRecord(name, data);
    const rows = project(rowsOf(name, record), columns);
    requireKeys(name, rows, key);
    const target = targetOf(name, resource, ctx);
    const count = attempt(name, "Upsert", rows, () => write(target, table, rows, mode));
    return andThen(count, (n) => withField(record, "upserted_count", n));
  };
}

// ——— database.bulk_insert ———

const ON_DUPLICATE = ["error", "ignore", "update"];

const BULK_INSERT_PARAMS = {
  resource: RESOURCE,
  table: TABLE,
  columns: { kind: "string[]", required: false, description: "the columns to write; default: every field of the first row" },
  chunk_size: { kind: "number", required: false, default: 1000, description: "rows per write, a whole number > 0" },
  on_duplicate: {
    kind: "string",
    required: false,
    values: ON_DUPLICATE,
    default: "error",
    description: "on a key clash: fail (`error`), keep the stored row (`ignore`), or `update` it",
  },
  key_columns: { kind: "string[]", required: false, description: "the key that identifies a row; required with `ignore` and `update`" },
} as const satisfies ParamSpecs;

/** Inserts `data.records` (else `data.record`, else the record) in chunks, all in one transaction; adds `inserted_count`. */
function bulkInsert(
  { resource, table, columns, chunk_size: chunkSize, on_duplicate: onDuplicate = "error", key_columns: key }: ParamValues<typeof BULK_INSERT_PARAMS>,
  name: string,
): BuiltinDatabaseTransformer {
  const size = positiveCount(name, "chunk_size", chunkSize, 1000);
  if (onDuplicate !== "error" && key === undefined) {
    throw new BuiltinParamsError(name, "key_columns", `is required with on_duplicate "${onDuplicate}" (the key a duplicate clashes on)`);
  }
  const mode: WriteMode = key === undefined || onDuplicate === "error" ? { kind: "insert" } : { kind: "upsert", key, onConflict: onDuplicate === "ignore" ? "ignore" : "update" };
  const projected = columns === undefined || key === undefined ? columns : [...new Set([...key, ...columns])];
  return (data, ctx) => {
    const record = expectRecord(name, data);
    const rows = project(rowsOf(name, record), projected);
    if (mode.kind === "upsert") requireKeys(name, rows, mode.key);
    const target = targetOf(name, resource, ctx);
    const chunks = chunk(rows, size);
    const count = attempt(name, "Bulk insert", rows, () => (chunks.length === 0 ? 0 : target.transaction((tx) => writeChunks(tx, table, chunks, mode))));
    return andThen(count, (n) => withField(record, "inserted_count", n));
  };
}

// ——— database.batch_commit ———

const ATOMICITY = ["require", "best_effort"];

const BATCH_COMMIT_PARAMS = {
  resource: RESOURCE,
  table: TABLE,
  batch_size: { kind: "number", required: false, default: 1000, description: "rows per chunk, a whole number > 0" },
  atomicity: {
    kind: "string",
    required: false,
    values: ATOMICITY,
    default: "require",
    description: "`require`: the whole batch in one transaction; `best_effort`: each chunk in its own",
  },
  key_columns: { kind: "string[]", required: false, description: "upsert on this key (a clash updates the stored row); default: plain inserts" },
  use_transaction: { kind: "boolean", required: false, description: "legacy: `true` is `atomicity: require`, `false` is `best_effort`" },
} as const satisfies ParamSpecs;

/** The atomicity the params ask for (`use_transaction` is the legacy spelling). */
function atomicityOf(name: string, atomicity: string | undefined, useTransaction: boolean | undefined): "require" | "best_effort" {
  const legacy = useTransaction === undefined ? undefined : useTransaction ? "require" : "best_effort";
  if (atomicity !== undefined && legacy !== undefined && atomicity !== legacy) {
    throw new BuiltinParamsError(name, "use_transaction", `${useTransaction} means atomicity "${legacy}", which contradicts atomicity "${atomicity}"; give only \`atomicity\``);
  }
  return (atomicity ?? legacy ?? "require") === "best_effort" ? "best_effort" : "require";
}

/**
 * Commits `data.batch`: with `require`, all rows in one transaction (all or nothing); with
 * `best_effort`, chunks of `batch_size` each in its own, so the chunks before a failing one stay
 * (the error says how many). Adds `committed_count` and empties `batch`.
 */
function batchCommit(
  { resource, table, batch_size: batchSize, atomicity, key_columns: key, use_transaction: useTransaction }: ParamValues<typeof BATCH_COMMIT_PARAMS>,
  name: string,
): BuiltinDatabaseTransformer {
  const size = positiveCount(name, "batch_size", batchSize, 1000);
  const mode: WriteMode = key === undefined ? { kind: "insert" } : { kind: "upsert", key, onConflict: "update" };
  const atomic = atomicityOf(name, atomicity, useTransaction) === "require";
  return (data, ctx) => {
    const record = expectRecord(name, data);
    const given = record["batch"];
    const rows = given === undefined || given === null ? [] : rowList(name, "batch", given);
    if (key !== undefined) requireKeys(name, rows, key);
    const done = (count: number): Row => ({ ...withField(record, "committed_count", count), batch: [] });
    if (rows.length === 0) return done(0);
    const target = targetOf(name, resource, ctx);
    const chunks = chunk(rows, size);
    if (atomic) {
      const count = attempt(name, "Batch commit", rows, () => target.transaction((tx) => writeChunks(tx, table, chunks, mode)));
      return andThen(count, done);
    }
    let committed = 0;
    let chunksCommitted = 0;
    const each = eachInOrder(chunks, (part) =>
      andThen(
        guard(
          () => target.transaction((tx) => write(tx, table, part, mode)),
          (error) => {
            throw new DatabaseFunctionError(name, "Batch commit", databaseFailure(error, part), {
              cause: error,
              committed: { chunks: chunksCommitted, ofChunks: chunks.length, rows: committed },
            });
          },
        ),
        (n) => {
          committed += n;
          chunksCommitted++;
        },
      ),
    );
    return andThen(each, () => done(committed));
  };
}

// ——— database.transaction ———

const TX_ACTIONS = ["begin", "commit", "rollback", "savepoint", "rollback_to"];

const TRANSACTION_PARAMS = {
  resource: RESOURCE,
  action: { kind: "string", required: true, values: TX_ACTIONS, description: "`begin`, `commit`, `rollback`, `savepoint` or `rollback_to`" },
  savepoint: { kind: "string", required: false, description: "the savepoint's name (`savepoint` and `rollback_to` only)" },
} as const satisfies ParamSpecs;

const TX_ACTION_OF: Readonly<Record<string, TxAction>> = { begin: "begin", commit: "commit", rollback: "rollback", savepoint: "savepoint", rollback_to: "rollbackTo" };

/**
 * SEMANTICS §4.2's `DatabaseTransaction` over the run's transaction (`ctx.tx`, machines with
 * `transaction manual`; docs/transactions.md): `begin` in one state, `commit` or `rollback` in
 * a later one, `savepoint`/`rollback_to` in between. `resource` must be declared by the state,
 * so its connection is in the transaction from `begin` on (every other transactional resource
 * the run uses joins it too). Adds `transaction_active`. No handle is put in the record (the
 * reference's `_transaction`): the run holds the connections.
 */
function transaction({ resource, action, savepoint }: ParamValues<typeof TRANSACTION_PARAMS>, name: string): BuiltinDatabaseTransformer {
  const op = TX_ACTION_OF[action];
  if (op === undefined) throw new BuiltinParamsError(name, "action", `must be one of ${TX_ACTIONS.join(", ")}, got "${action}"`);
  const named = op === "savepoint" || op === "rollbackTo";
  if (named && savepoint === undefined) throw new BuiltinParamsError(name, "savepoint", `is required with action "${action}"`);
  if (!named && savepoint !== undefined) throw new BuiltinParamsError(name, "savepoint", `is only read by actions "savepoint" and "rollback_to", not "${action}"`);
  return (data, ctx) => {
    const record = expectRecord(name, data);
    targetOf(name, resource, ctx);
    const tx = (ctx as Ctx).tx as Partial<TxNow> & Ctx["tx"];
    const now = tx[TX_NOW];
    const done = andThen(now === undefined ? (op === "savepoint" || op === "rollbackTo" ? tx[op](savepoint ?? "") : tx[op]()) : now.call(tx, op, savepoint), () =>
      withField(record, "transaction_active", tx.active),
    );
    return done;
  };
}

/** The builtin database functions, in no particular order (the registry sorts them). */
export const DATABASE_FUNCTIONS: readonly BuiltinEntry[] = [
  defineBuiltin(
    {
      name: "database.fetch",
      kind: "transformer",
      summary: "Runs a query with named parameters (params and the record's `param_*` fields); adds `records`, or `record` with fetch_one.",
      params: FETCH_PARAMS,
    },
    fetch,
  ),
  defineBuiltin(
    {
      name: "database.query",
      kind: "transformer",
      summary: "Runs the SQL held in a record field with the parameters held in another; adds the rows.",
      params: QUERY_PARAMS,
    },
    query,
  ),
  defineBuiltin(
    {
      name: "database.upsert",
      kind: "transformer",
      summary: "Inserts or updates `records` (else `record`, else the record) by key; adds `upserted_count`.",
      params: UPSERT_PARAMS,
    },
    upsert,
  ),
  defineBuiltin(
    {
      name: "database.bulk_insert",
      kind: "transformer",
      summary: "Inserts `records` (else `record`, else the record) in chunks, in one transaction; adds `inserted_count`.",
      params: BULK_INSERT_PARAMS,
    },
    bulkInsert,
  ),
  defineBuiltin(
    {
      name: "database.batch_commit",
      kind: "transformer",
      summary: "Commits the rows of `batch`, all or nothing (require) or chunk by chunk (best_effort); adds `committed_count`, empties `batch`.",
      params: BATCH_COMMIT_PARAMS,
    },
    batchCommit,
  ),
  defineBuiltin(
    {
      name: "database.transaction",
      kind: "transformer",
      summary: "Begins, commits or rolls back the run's transaction (transaction mode manual), or marks or undoes a savepoint; adds `transaction_active`.",
      params: TRANSACTION_PARAMS,
    },
    transaction,
  ),
];
