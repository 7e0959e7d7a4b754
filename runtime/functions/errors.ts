/**
 * Errors of the built-in function library: FSMR0010–FSMR0019. The first two are raised when a
 * generated module builds its machine (a wrong name or params); the third when a record cannot
 * be processed by a builtin transformer; the fourth when a database builtin's statements fail;
 * the fifth when a stream builtin cannot read or write its file; the sixth when `stream.aggregate`
 * would hold more groups than it may.
 */
import { FsmRuntimeError } from "../errors.js";

/** A builtin name that is not in the library (SEMANTICS §1.13, decision E12). */
export class BuiltinNotFoundError extends FsmRuntimeError {
  constructor(readonly functionName: string) {
    super("FSMR0010", `Built-in function not found: ${functionName}`);
  }
}

/** Params of a builtin that are missing, unknown or of the wrong type or value. */
export class BuiltinParamsError extends FsmRuntimeError {
  constructor(
    readonly functionName: string,
    /** The offending param, or null when the params as a whole are wrong (not an object). */
    readonly param: string | null,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      "FSMR0011",
      param === null
        ? `Built-in function \`${functionName}\`: ${detail}`
        : `Built-in function \`${functionName}\`: param \`${param}\` ${detail}`,
      options,
    );
  }
}

/** A record a builtin transformer cannot process (not an object, or a key clash it would hide). */
export class BuiltinInputError extends FsmRuntimeError {
  constructor(
    readonly functionName: string,
    detail: string,
  ) {
    super("FSMR0012", `Built-in function \`${functionName}\`: ${detail}`);
  }
}

/** What failed in a database builtin, as its error reports it (drawn from the underlying error). */
export interface DatabaseFailure {
  /** The class of the error that caused it (`SqliteError`, `DatabaseError` …). */
  readonly errorType: string;
  /** The driver's error code (`SQLITE_CONSTRAINT_PRIMARYKEY`, a Postgres SQLSTATE such as `23505`), if any. */
  readonly sqlCode: string | undefined;
  /** The driver's first line, values scrubbed and secrets redacted ("" when there is nothing safe to say). */
  readonly detail: string;
  /** True when trying again may succeed (a busy database, a dropped connection). */
  readonly retryable: boolean;
}

/** What a `best_effort` batch commit had committed when a chunk failed. */
export interface CommittedPart {
  readonly chunks: number;
  readonly ofChunks: number;
  /** Rows written by the committed chunks (inserted or updated). */
  readonly rows: number;
}

/**
 * A built-in database function (`database.*`) whose statements failed: `<Operation> failed
 * (<ErrorType> <code>: <text>)`, SEMANTICS §10.3's re-wrap. The text is the driver's first line
 * with parameter values scrubbed and secrets redacted, never the statement or the connection
 * string; the original error stays as `cause` for code that wants more.
 */
export class DatabaseFunctionError extends FsmRuntimeError {
  readonly errorType: string;
  readonly sqlCode: string | undefined;
  /** Honoured by the arc-transform retry policy (decision E11). */
  readonly retryable: boolean;
  /** `best_effort` batch commits: what stayed committed before the failing chunk. */
  readonly committed: CommittedPart | undefined;
  constructor(
    readonly functionName: string,
    /** `Fetch`, `Upsert`, `Bulk insert`, `Query` or `Batch commit`. */
    readonly operation: string,
    failure: DatabaseFailure,
    options: { cause?: unknown; committed?: CommittedPart } = {},
  ) {
    const { errorType, sqlCode, detail } = failure;
    const part = options.committed;
    super(
      "FSMR0013",
      `${operation} failed (${errorType}${sqlCode === undefined ? "" : ` ${sqlCode}`}${detail === "" ? "" : `: ${detail}`})` +
        (part === undefined ? "" : `; ${part.chunks} of ${part.ofChunks} chunks (${part.rows} rows) were committed before it`),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.errorType = errorType;
    this.sqlCode = sqlCode;
    this.retryable = failure.retryable;
    this.committed = part;
  }
}

/**
 * A built-in stream function (`stream.chunk_reader`, `stream.write`) could not read or write its
 * file: a missing or unreadable file, a cursor that does not fit the file, a row the file's format
 * cannot hold, a failed write. The streaming error underneath is the `cause`.
 */
export class StreamFunctionError extends FsmRuntimeError {
  constructor(
    readonly functionName: string,
    /** The file, as the params name it. */
    readonly path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super("FSMR0014", `Built-in function \`${functionName}\`: ${detail}`, options);
  }
}

/** `stream.aggregate` met a new group while it already holds `max_groups` of them: its state stays bounded. */
export class AggregateLimitError extends FsmRuntimeError {
  constructor(
    readonly functionName: string,
    readonly maxGroups: number,
    /** The group the record would have started: group field → value. */
    readonly group: Readonly<Record<string, unknown>>,
  ) {
    const text = JSON.stringify(group);
    // Group values are strings too: a long one is cut so the message stays one readable line.
    const shown = text.length > 200 ? `${text.slice(0, 199)}…` : text;
    super(
      "FSMR0015",
      `Built-in function \`${functionName}\`: the record starts a new group ${shown}, but max_groups (${maxGroups}) groups are held already; the record is not counted`,
    );
  }
}
