/** Helpers for the builtin library tests: call a builtin with any arguments, freeze inputs deeply. */
import { builtin } from "../../../runtime/functions/registry.js";

/** A slot function as the engine calls it, with arguments the tests choose freely. */
export type Callable = (data: unknown, ctx?: unknown) => unknown;

/** A minimal function context: builtins must not need anything from it. */
export const CTX = Object.freeze({ state_name: "start", network_name: null, function_name: "builtin", variables: {}, metadata: {} });

/** The builtin `name` configured with `params`, typed for direct calls. */
export function make(name: string, params?: Readonly<Record<string, unknown>>): Callable {
  return builtin(name, params) as Callable;
}

/** Calls the builtin once with `(data, CTX)`. */
export function run(name: string, params: Readonly<Record<string, unknown>> | undefined, data: unknown): unknown {
  return make(name, params)(data, CTX);
}

/** `value` frozen all the way down, so any write to it throws in strict-mode code. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** The error `fn` throws (fails the test when it throws nothing). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw, got none");
}
