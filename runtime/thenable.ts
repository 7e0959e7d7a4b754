/** The one thenable test of the runtime (a user function, a provider or a hook may answer with a promise). */

/** True when `value` is a thenable: an object or function with a callable `then`. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** A value now (a synchronous provider or function), or a promise of it. */
export type Maybe<T> = T | Promise<T>;

/**
 * `next(value)`, at once when `value` is not a thenable. (Not named `then`: a module exporting
 * `then` is itself a thenable, and `import()` of it never settles.)
 */
export function andThen<T, R>(value: Maybe<T>, next: (value: T) => Maybe<R>): Maybe<R> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value);
}
