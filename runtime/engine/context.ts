/**
 * The function context (`ctx`, SEMANTICS §2.10): one object per run whose fields the engine
 * sets before each call, so calling a user function allocates nothing.
 */
import { ResourceNotFoundError, UnboundRoleError, ValidationError } from "../errors.js";
import type { ContextFactory, Ctx, TxControl } from "../machine/api.js";
import { NO_TX } from "../transactions/none.js";

const NONE: Readonly<Record<string, never>> = Object.freeze({});

/**
 * The `ctx` every user function receives. Its fields describe the call in progress and are
 * valid during that call (a function that keeps `ctx` for later sees the fields of later calls).
 */
export class FunctionContext implements Ctx {
  state_name = "";
  network_name: string | null = null;
  function_name = "";
  metadata: Readonly<Record<string, unknown>> = NONE;
  resources: Readonly<Record<string, unknown>> = NONE;
  /** The run's transaction control (NO_TX without engine transactions). */
  tx: TxControl = NO_TX;
  #variables: Record<string, unknown> | null = null;
  readonly #factory: ContextFactory | null;
  /** The factory's fields for this run, once a function has read `extra`. */
  #extra: Readonly<Record<string, unknown>> | null = null;

  constructor(factory: ContextFactory | null = null) {
    this.#factory = factory;
  }

  /** Run-wide variables (Q21): one object per run, created on first use. */
  get variables(): Record<string, unknown> {
    return (this.#variables ??= {});
  }

  /**
   * The context factory's fields (decision E19): built on the first read of a run, from the
   * fields of the call that reads it, then the same frozen object for the rest of the run. A
   * factory that throws (or returns no object) fails the function that read `extra`; the next
   * read calls it again.
   */
  get extra(): Readonly<Record<string, unknown>> {
    if (this.#extra !== null) return this.#extra;
    if (this.#factory === null) return NONE;
    const made: unknown = this.#factory(
      Object.freeze({
        state_name: this.state_name,
        network_name: this.network_name,
        function_name: this.function_name,
        variables: this.variables,
        metadata: this.metadata,
      }),
    );
    if (typeof made !== "object" || made === null || Array.isArray(made)) {
      const type = made === null ? "null" : Array.isArray(made) ? "array" : typeof made;
      throw new TypeError(`contextFactory returned ${type}, expected an object of extra ctx fields`);
    }
    return (this.#extra = Object.freeze({ ...made }));
  }

  /** Starts a run: variables pre-seeded with a copy of `seed` (the caller's object is not shared). */
  begin(seed: Readonly<Record<string, unknown>> | undefined): void {
    this.#variables = seed === undefined ? null : { ...seed };
    this.#extra = null;
  }

  /** Ends a run: drops what it referenced. */
  end(): void {
    this.#variables = null;
    this.#extra = null;
    this.metadata = NONE;
    this.resources = NONE;
  }

  reject(reason?: string): never {
    throw new ValidationError(reason);
  }

  require_resource(name: string): unknown {
    if (Object.hasOwn(this.resources, name)) return this.resources[name];
    const roles = this.#roles();
    for (const role in roles) {
      if (roles[role] === name) return this.resources[role];
    }
    throw new ResourceNotFoundError(name);
  }

  resource_for_role(role: string): unknown {
    const roles = this.#roles();
    if (!Object.hasOwn(roles, role)) throw new UnboundRoleError(role, Object.keys(roles));
    return this.resources[role];
  }

  /** Role → resource name of the running function (every slot's metadata carries `resource_roles`). */
  #roles(): Readonly<Record<string, string>> {
    return (this.metadata["resource_roles"] as Readonly<Record<string, string>> | undefined) ?? NONE;
  }
}
