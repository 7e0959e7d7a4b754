/**
 * Errors of resources (codes FSMR0020–FSMR0039) and the redaction every resource message goes
 * through: a DSN's password, a token or an API key never reaches an error message, a log line
 * or a result.
 */
import { FsmRuntimeError } from "../errors.js";

/** A provider failed (connect, query, request …). The message names the resource and is redacted. */
export class ResourceError extends FsmRuntimeError {
  /** The resource's name in the machine. */
  readonly resource: string;
  /** True when retrying may help (a refused connection, a 5xx, a reset): `isRetryable` honours it. */
  readonly retryable: boolean;
  constructor(resource: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super("FSMR0020", `resource \`${resource}\`: ${message}`);
    this.resource = resource;
    this.retryable = options.retryable ?? false;
    if (options.cause !== undefined) Object.defineProperty(this, "cause", { value: options.cause, enumerable: false });
  }
}

/** No handle became free within the pool's acquire timeout. */
export class ResourceTimeoutError extends FsmRuntimeError {
  readonly resource: string;
  constructor(resource: string, timeoutMs: number, max: number) {
    super(
      "FSMR0021",
      timeoutMs === 0
        ? `resource \`${resource}\`: all ${max} handles are in use and the acquire timeout is 0 (do not wait)`
        : `resource \`${resource}\`: no handle became free within ${timeoutMs / 1000} s (pool max ${max})`,
    );
    this.resource = resource;
  }
}

/** An acquire on a closed resource manager (the machine was closed). */
export class ResourceManagerClosedError extends FsmRuntimeError {
  constructor(resource: string) {
    super("FSMR0022", `resource \`${resource}\`: the resource manager is closed`);
  }
}

/** A filesystem path or glob that leaves the resource's base path (checked before any I/O). */
export class PathEscapeError extends FsmRuntimeError {
  constructor(resource: string, path: string, reason: string) {
    super("FSMR0023", `resource \`${resource}\`: path \`${path}\` ${reason}`);
  }
}

/** An HTTP call refused because the circuit breaker is open. */
export class CircuitOpenError extends FsmRuntimeError {
  constructor(resource: string, retryInMs: number) {
    super("FSMR0024", `resource \`${resource}\`: circuit breaker is open after repeated failures; next attempt allowed in ${Math.ceil(retryInMs / 1000)} s`);
  }
}

/** An HTTP response with an error status (4xx is never retried; 5xx after the retries). */
export class HttpStatusError extends FsmRuntimeError {
  readonly status: number;
  /** The response body (parsed JSON or text), for functions that want the server's explanation. */
  readonly body: unknown;
  readonly retryable: boolean;
  constructor(resource: string, method: string, path: string, status: number, statusText: string, body: unknown, attempts: number) {
    super("FSMR0025", `resource \`${resource}\`: ${method} ${path} answered HTTP ${status}${statusText ? ` ${statusText}` : ""}${attempts > 1 ? ` after ${attempts} attempts` : ""}`);
    this.status = status;
    this.body = body;
    this.retryable = status >= 500;
  }
}

/** A resource configuration the provider cannot use (missing or ill-typed key). */
export class ResourceConfigError extends FsmRuntimeError {
  constructor(resource: string, message: string) {
    super("FSMR0026", `resource \`${resource}\`: ${message}`);
  }
}

/** A feature whose native part is missing (sqlite-vec not loadable, pgvector not installed). */
export class NotInstalledError extends FsmRuntimeError {
  constructor(resource: string, what: string, help: string) {
    super("FSMR0027", `resource \`${resource}\`: ${what} is not installed; ${help}`);
  }
}

/** The manager was asked for a resource it does not manage. */
export class UnknownResourceError extends FsmRuntimeError {
  constructor(resource: string, known: readonly string[]) {
    super("FSMR0028", `unknown resource \`${resource}\`${known.length > 0 ? ` (the machine declares ${known.map((k) => `\`${k}\``).join(", ")})` : " (the machine declares no resources)"}`);
  }
}

/** Placeholder shown instead of a secret. */
export const REDACTED = "***";

/**
 * Removes secrets from a message: each given secret (of 4 characters or more) wherever it
 * appears, the password of any URL (`postgres://user:pw@host`), and values of `password=`,
 * `token=`, `api_key=`, `apikey=`, `secret=` pairs and of `Bearer`/`Basic` authorizations.
 */
export function redact(message: string, secrets: readonly string[] = []): string {
  let out = message;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)@/gi, `$1${REDACTED}@`);
  out = out.replace(/\b(password|passwd|pwd|token|api[_-]?key|apikey|secret)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,'"]+)/gi, `$1$2${REDACTED}`);
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`);
  return out;
}

/**
 * The secrets of a resource configuration, to pass to `redact`: the values of keys that name
 * secrets (`password`, `token`, `api_key`, `key_value`, `secret`, `connection_string`, `dsn` …),
 * at any depth.
 */
export function secretsOf(config: unknown): string[] {
  const out: string[] = [];
  const visit = (value: unknown, key: string): void => {
    if (typeof value === "string") {
      if (/pass|token|secret|api_?key|key_value|connection_string|dsn|authorization/i.test(key)) out.push(value);
      return;
    }
    if (Array.isArray(value)) for (const item of value) visit(item, key);
    else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(config, "");
  return out;
}

/** A row version as the SQL drivers return it: an integer, a bigint, or Postgres `int8` text (pg's default). */
export type RowVersion = number | bigint | string;

/** Longest key value (in characters) an optimistic-lock message quotes before cutting it. */
const KEY_VALUE_CHARS = 40;

/** A row's key as messages show it: `id=7`, `sku="A-1", region="eu"` (long values cut). */
export function describeRowKey(key: Readonly<Record<string, unknown>>): string {
  return Object.entries(key)
    .map(([column, value]) => `${column}=${describeKeyValue(value)}`)
    .join(", ");
}

function describeKeyValue(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length <= KEY_VALUE_CHARS ? text : `${text.slice(0, KEY_VALUE_CHARS)}…`;
}

/**
 * An optimistic-lock write (`updateVersioned`) found the row changed since it was read: its
 * stored version is no longer the one the record carries, or the row is gone. Not retryable:
 * the record still carries the stale version, so only reading the row again can help.
 */
export class VersionConflictError extends FsmRuntimeError {
  /** The resource's name in the machine. */
  readonly resource: string;
  readonly table: string;
  /** The key columns and values of the row. */
  readonly key: Readonly<Record<string, unknown>>;
  /** The version the record carried (the one it was read with). */
  readonly expected: RowVersion;
  /** The version stored now, or null when the row was deleted. */
  readonly found: RowVersion | null;
  /** Never retried by the arc-transform retry policy (E11): the same write would conflict again. */
  readonly retryable = false;
  constructor(
    resource: string,
    conflict: { table: string; key: Readonly<Record<string, unknown>>; expected: RowVersion; found: RowVersion | null },
    secrets: readonly string[] = [],
  ) {
    const { table, key, expected, found } = conflict;
    const what =
      found === null
        ? `expected version ${String(expected)}, but the row was deleted — another writer deleted it since it was read`
        : `expected version ${String(expected)}, found ${String(found)} — another writer changed the row since it was read`;
    super("FSMR0029", redact(`resource \`${resource}\`: optimistic lock conflict on \`${table}\` (${describeRowKey(key)}): ${what}`, secrets));
    this.resource = resource;
    this.table = table;
    this.key = key;
    this.expected = expected;
    this.found = found;
  }
}
