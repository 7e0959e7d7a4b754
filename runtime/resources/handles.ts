/**
 * The handle types functions receive in `ctx.resources` (docs/resources.md), one per built-in
 * provider kind. Generated modules type each function's `ctx.resources` with them, so a typo in a
 * method name is a compile error in the user's editor. Providers implement them.
 */
import type { Database } from "better-sqlite3";
import type { ClientBase } from "pg";

/** Parameters of a SQL statement: positional (`?` / `$1`) as an array, named (`@name`) as an object. */
export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

/** What a write statement changed. */
export interface RunInfo {
  readonly changes: number;
  /** SQLite: the rowid of the last insert; Postgres: null. */
  readonly lastInsertRowid: number | bigint | null;
}

/** Options of `upsert`: the columns that identify a row (a unique or primary key). */
export interface UpsertOptions {
  readonly key: readonly string[];
  /** What to do on a key clash: update the other columns (default), or keep the existing row. */
  readonly onConflict?: "update" | "ignore";
}

/**
 * Options of the versioned (optimistic-lock) helpers: the integer column that holds a row's
 * version (docs/data-modes.md).
 */
export interface VersionOptions {
  /** Default `"version"`. */
  readonly versionColumn?: string;
}

/** Options of `updateVersioned`. */
export interface VersionedUpdateOptions extends VersionOptions {
  /** The columns that identify the row (a primary or unique key); taken from the row, never updated. */
  readonly key: readonly string[];
  /** The columns to write; default every field of the row but the key and the version. */
  readonly columns?: readonly string[];
}

/** A SQLite connection (better-sqlite3), synchronous. */
export interface SqliteHandle {
  /** The first row of a query, or undefined. */
  get<T = Record<string, unknown>>(sql: string, params?: SqlParams): T | undefined;
  /** Every row of a query. */
  all<T = Record<string, unknown>>(sql: string, params?: SqlParams): T[];
  /** Runs a write statement. */
  run(sql: string, params?: SqlParams): RunInfo;
  /** Inserts rows, or updates them on a key clash; every row must have the same columns. */
  upsert(table: string, rows: readonly Readonly<Record<string, unknown>>[], options: UpsertOptions): RunInfo;
  /** Inserts rows in one prepared statement (in one transaction unless one is open). */
  insertMany(table: string, rows: readonly Readonly<Record<string, unknown>>[]): RunInfo;
  /**
   * The row of `key` (`{ id: 7 }`) with its version, or undefined; throws when the row has no
   * integer version column or the key matches more than one row.
   */
  getVersioned<T = Record<string, unknown>>(table: string, key: Readonly<Record<string, unknown>>, options?: VersionOptions): T | undefined;
  /**
   * Writes `row` only if its stored version still equals `row[versionColumn]`, bumping it; then
   * sets `row[versionColumn]` to the new version. Another writer's change (or a deleted row)
   * throws `VersionConflictError` (FSMR0029) and leaves the database and `row` unchanged.
   */
  updateVersioned(table: string, row: object, options: VersionedUpdateOptions): RunInfo;
  /** Inserts `row` with version 1, and sets `row[versionColumn]` to 1. */
  insertVersioned(table: string, row: object, options?: VersionOptions): RunInfo;
  begin(): void;
  commit(): void;
  rollback(): void;
  /** Runs `fn` in a transaction (a savepoint when one is open): commits when it returns, rolls back when it throws. */
  transaction<T>(fn: (handle: SqliteHandle) => T): T;
  /** True while a transaction is open on this connection. */
  readonly inTransaction: boolean;
  /** The better-sqlite3 database, for what the helpers do not cover. */
  readonly db: Database;
}

/** A Postgres connection (pg), asynchronous; `$1, $2 …` placeholders, JSON values sent as jsonb. */
export interface PostgresHandle {
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<RunInfo>;
  upsert(table: string, rows: readonly Readonly<Record<string, unknown>>[], options: UpsertOptions): Promise<RunInfo>;
  insertMany(table: string, rows: readonly Readonly<Record<string, unknown>>[]): Promise<RunInfo>;
  /** As `SqliteHandle.getVersioned`; an `int8` version comes back as text, like any `int8`. */
  getVersioned<T = Record<string, unknown>>(table: string, key: Readonly<Record<string, unknown>>, options?: VersionOptions): Promise<T | undefined>;
  /** As `SqliteHandle.updateVersioned`. */
  updateVersioned(table: string, row: object, options: VersionedUpdateOptions): Promise<RunInfo>;
  /** As `SqliteHandle.insertVersioned`. */
  insertVersioned(table: string, row: object, options?: VersionOptions): Promise<RunInfo>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Runs `fn` in a transaction (a savepoint when one is open): commits when it settles, rolls back when it rejects. */
  transaction<T>(fn: (handle: PostgresHandle) => Promise<T>): Promise<T>;
  readonly inTransaction: boolean;
  /** The pg client, for what the helpers do not cover (the provider ends it on release). */
  readonly client: ClientBase;
}

/** A directory: every path is relative to the resource's `base_path` and checked before any I/O. */
export interface FilesystemHandle {
  /** The absolute path of `path` inside the base path (throws PathEscapeError outside it). */
  resolve(path: string): string;
  readText(path: string): Promise<string>;
  writeText(path: string, text: string): Promise<void>;
  readBytes(path: string): Promise<Uint8Array>;
  writeBytes(path: string, bytes: Uint8Array): Promise<void>;
  readJson<T = unknown>(path: string): Promise<T>;
  writeJson(path: string, value: unknown): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Deletes a file; false when there was none. */
  remove(path: string): Promise<boolean>;
  /** Paths (relative to the base path, `/`-separated, sorted) of the files matching a glob (`**`, `*`, `?`); every file without one. */
  list(glob?: string): Promise<string[]>;
  /** A new empty file in the resource's temp folder (deleted when the resource closes); its relative path. */
  tempFile(suffix?: string): Promise<string>;
}

/** An HTTP response; `body` is parsed JSON when the server says JSON, else text. */
export interface HttpResponse<T = unknown> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: T;
}

/** Options of one HTTP request. */
export interface HttpRequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON (objects, arrays, numbers …) or as is (string, bytes). */
  readonly body?: unknown;
  /** Overrides the resource's `timeout` (seconds) for this request. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** An HTTP API at the resource's `base_url`, with its auth, retries, rate limit and circuit breaker. */
export interface HttpHandle {
  request<T = unknown>(method: string, path: string, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  get<T = unknown>(path: string, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  post<T = unknown>(path: string, body?: unknown, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  put<T = unknown>(path: string, body?: unknown, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  patch<T = unknown>(path: string, body?: unknown, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  delete<T = unknown>(path: string, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
}

/** One chat message (OpenAI format). */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant" | "tool";
  readonly content: string;
}

/** Token counts of one call, or of every call so far (`usage()`). */
export interface LlmUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  readonly requests: number;
}

/** Per-call options of an LLM call (override the resource's). */
export interface LlmCallOptions {
  readonly model?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly stop?: readonly string[];
  /** Ask for a JSON object answer (`response_format: {type: "json_object"}`). */
  readonly json?: boolean;
  readonly signal?: AbortSignal;
}

/** The answer of a chat or completion call. */
export interface LlmAnswer {
  readonly content: string;
  readonly usage: LlmUsage;
  readonly finishReason: string | null;
  /** The server's whole JSON answer. */
  readonly raw: unknown;
}

/** An OpenAI-compatible LLM server (OpenAI, Ollama, vLLM, llama.cpp …). */
export interface LlmHandle {
  chat(messages: readonly ChatMessage[], options?: LlmCallOptions): Promise<LlmAnswer>;
  /** A single user prompt through the chat endpoint. */
  complete(prompt: string, options?: LlmCallOptions): Promise<LlmAnswer>;
  /** The answer's text as it is generated. */
  stream(messages: readonly ChatMessage[], options?: LlmCallOptions): AsyncIterable<string>;
  /** One embedding per text, with the resource's `embedding_model` (else `model`). */
  embed(texts: readonly string[], options?: { readonly model?: string; readonly signal?: AbortSignal }): Promise<number[][]>;
  /** Usage of this resource so far (all handles). */
  usage(): LlmUsage;
}

/** One item of a vector collection. */
export interface VectorItem {
  readonly id: string;
  readonly vector: readonly number[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** One search hit: lower `distance` is nearer (cosine distance, or L2). */
export interface VectorHit {
  readonly id: string;
  readonly distance: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Options of a k-nearest search; `filter` keeps items whose metadata equals every given value. */
export interface VectorSearchOptions {
  readonly k: number;
  readonly filter?: Readonly<Record<string, string | number | boolean | null>>;
}

/** A vector store (sqlite-vec, in-memory brute force, or pgvector). Methods answer synchronously for the sqlite and memory backends. */
export interface VectorHandle {
  createCollection(name: string): void | Promise<void>;
  upsert(collection: string, items: readonly VectorItem[]): void | Promise<void>;
  search(collection: string, vector: readonly number[], options: VectorSearchOptions): VectorHit[] | Promise<VectorHit[]>;
  delete(collection: string, ids: readonly string[]): number | Promise<number>;
  count(collection: string): number | Promise<number>;
}
