/**
 * Loads a provider's driver (better-sqlite3, pg, undici, sqlite-vec) the first time a resource
 * of that kind opens, not when `fsmc/runtime` is imported: a machine without resources, or with
 * other kinds, never pays for loading (or compiling the native part of) drivers it does not use.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** A loader of CommonJS package `name`, cached after its first call. */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
