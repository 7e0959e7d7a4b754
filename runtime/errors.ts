/** Base class of every error the runtime throws; `code` is a stable `FSMRxxxx`. */
export class FsmRuntimeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A soft reject (SEMANTICS decision 9): from a condition it makes the arc unavailable, from a
 * pre-validator it refuses the entry. Any error whose `name` is "ValidationError" counts, so user
 * modules need not import the runtime.
 */
export class ValidationError extends Error {
  constructor(message = "rejected") {
    super(message);
    this.name = "ValidationError";
  }
}

/** Thrown by a function stub that the user has not written yet. */
export class NotImplementedError extends Error {
  constructor(functionName: string) {
    super(`function \`${functionName}\` is not implemented yet: write it in the functions module`);
    this.name = "NotImplementedError";
  }
}

/** An error a function marks as worth retrying (arc-transform retry policy, decision Q16). */
export class RetryableError extends Error {
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RetryableError";
  }
}

/** A registered function the machine names is missing from the functions passed in. */
export class FunctionNotFoundError extends FsmRuntimeError {
  constructor(name: string) {
    super("FSMR0001", `Registered function not found: ${name}`);
  }
}

/** A `custom` resource has no provider: no `module` in its configuration and none passed in. */
export class ResourceUnavailableError extends FsmRuntimeError {
  constructor(name: string, type: string) {
    super(
      "FSMR0002",
      `resource \`${name}\` (${type}) has no provider: give \`module\` (and \`export\`) in its configuration, or pass one in createMachine({ resources: { ${name}: provider } })`,
    );
  }
}

/** `processSync` was called on a machine with async functions, or a function returned a Promise. */
export class NotSynchronousError extends FsmRuntimeError {
  constructor(detail: string) {
    super("FSMR0003", `processSync cannot run this machine: ${detail}; use process() instead`);
  }
}

const IO_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EBUSY",
  "EAGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** True for errors the retry policy retries: marked `retryable`, or an I/O error code. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { retryable?: unknown; code?: unknown };
  if (e.retryable === true) return true;
  return typeof e.code === "string" && IO_ERROR_CODES.has(e.code);
}

/** True for a soft reject (decision 9). */
export function isValidationError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "ValidationError";
}

/** `str(exception)`: an error's message, or the thrown value as text. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** A machine definition the engine cannot run (an index out of range, a misplaced target): a bug in the generator. */
export class InvalidDefinitionError extends FsmRuntimeError {
  constructor(machine: string, detail: string) {
    super("FSMR0004", `invalid definition of machine \`${machine}\`: ${detail}`);
  }
}

/** `ctx.require_resource(name)` named a resource the running state or arc does not declare (SEMANTICS §2.10). */
export class ResourceNotFoundError extends FsmRuntimeError {
  constructor(name: string) {
    super(
      "FSMR0005",
      `Resource '${name}' not found in context.resources (is it declared in the state's or arc's 'resources'?)`,
    );
  }
}

/** `ctx.resource_for_role(role)` named a role the running state or arc does not bind (SEMANTICS §2.10). */
export class UnboundRoleError extends FsmRuntimeError {
  constructor(role: string, bound: readonly string[]) {
    const known = bound.length === 0 ? "no roles are bound here" : `bound roles: ${bound.join(", ")}`;
    super("FSMR0006", `Role '${role}' is not bound to a resource (${known})`);
  }
}

/** A record was handed to a DIRECT-mode run while another run still works on it in place. */
export class ConcurrentRecordUseError extends FsmRuntimeError {
  constructor() {
    super(
      "FSMR0007",
      "DIRECT mode does not support concurrent access: this record is already being processed by another run",
    );
  }
}

/** `process` or `processSync` was called after `close()`. */
export class MachineClosedError extends FsmRuntimeError {
  constructor(machine: string) {
    super("FSMR0008", `machine \`${machine}\` is closed: create a new one to process more records`);
  }
}
