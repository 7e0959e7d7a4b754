/** The one thenable test of the runtime (a user function, a provider or a hook may answer with a promise). */

/** True when `value` is a thenable: an object or function with a callable `then`. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
