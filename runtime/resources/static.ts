/**
 * A provider that lends one ready-made value: for tests, and for an application that already
 * holds a client (`createFlow({ resources: { db: handleProvider(myDb) } })`). Every acquire gets
 * the same value; releasing it does nothing, and closing the machine leaves it open (it is yours).
 */
import type { ResourceProvider } from "./types.js";

/** A synchronous provider of `handle`. */
export function handleProvider<H>(handle: H, kind = "static"): ResourceProvider<H> {
  return {
    kind,
    sync: true,
    acquire: () => handle,
    release: () => undefined,
  };
}
