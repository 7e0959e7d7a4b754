/**
 * The `vector` provider (also spelled `vector_store`): collections of vectors with JSON
 * metadata and k-nearest search, over sqlite-vec (default), an in-memory brute-force store, or
 * pgvector. The sqlite and memory backends are synchronous and share one store per provider (so
 * every handle sees the same collections); the postgres backend holds one connection per handle.
 */
import type { VectorHandle, VectorHit, VectorItem, VectorSearchOptions } from "../handles.js";
import type { HealthReport, ResourceProvider } from "../types.js";
import { ResourceConfigError, ResourceError, redact, secretsOf } from "../errors.js";
import { ConfigReader, type ConfigObject } from "./config-keys.js";
import type { VectorMetric } from "./vector-common.js";
import { MemoryVectorStore } from "./vector-memory.js";
import { connectPgVector, type PgVectorStore } from "./vector-postgres.js";
import { SqliteVectorStore } from "./vector-sqlite.js";

/** The configuration keys of a `vector` resource (docs/resources.md). */
export const VECTOR_KEYS = ["dimensions", "backend", "path", "connection_string", "metric"] as const;

/** Where a vector resource keeps its collections. */
export type VectorBackend = "sqlite" | "memory" | "postgres";

/** A checked `vector` configuration. */
export type VectorConfig =
  | { readonly backend: "sqlite"; readonly dimensions: number; readonly metric: VectorMetric; readonly path: string }
  | { readonly backend: "memory"; readonly dimensions: number; readonly metric: VectorMetric }
  | { readonly backend: "postgres"; readonly dimensions: number; readonly metric: VectorMetric; readonly connectionString: string };

/** Reads a `vector` configuration (env-resolved, common keys removed); ResourceConfigError on any problem. */
export function parseVectorConfig(name: string, config: ConfigObject): VectorConfig {
  const reader = new ConfigReader(name, config);
  reader.rejectUnknown(VECTOR_KEYS, "vector");
  const dimensions = reader.number("dimensions", { integer: true, min: 1 });
  if (dimensions === undefined) throw configError(name, "`dimensions` is required (the length of every vector, e.g. 384)");
  const backend = oneOf(name, "backend", reader.string("backend") ?? "sqlite", ["sqlite", "memory", "postgres"] as const);
  const metric = oneOf(name, "metric", reader.string("metric") ?? "cosine", ["cosine", "l2"] as const);
  const path = reader.string("path");
  const connectionString = reader.string("connection_string");
  if (path !== undefined && backend !== "sqlite") throw configError(name, `\`path\` applies to \`backend: "sqlite"\` only, not "${backend}"`);
  if (connectionString !== undefined && backend !== "postgres") {
    throw configError(name, `\`connection_string\` applies to \`backend: "postgres"\` only, not "${backend}"`);
  }
  switch (backend) {
    case "sqlite":
      return { backend, dimensions, metric, path: path ?? ":memory:" };
    case "memory":
      return { backend, dimensions, metric };
    case "postgres":
      if (connectionString === undefined || connectionString === "") throw configError(name, '`connection_string` is required with `backend: "postgres"`');
      return { backend, dimensions, metric, connectionString };
  }
}

/** Creates the provider of a `vector` resource; ResourceConfigError when the configuration is wrong. */
export function createVectorProvider(name: string, config: ConfigObject): ResourceProvider<VectorHandle> {
  const settings = parseVectorConfig(name, config);
  const counters = new VectorCounters();
  switch (settings.backend) {
    case "sqlite":
      return new LocalVectorProvider(name, counters, () => new SqliteVectorStore({ resource: name, ...settings }));
    case "memory":
      return new LocalVectorProvider(name, counters, () => new MemoryVectorStore({ resource: name, ...settings }));
    case "postgres":
      return new PgVectorProvider(name, { resource: name, ...settings, secrets: secretsOf(config) }, counters);
  }
}

/** What a backend store offers; sync for sqlite and memory, async for postgres. */
interface VectorStore {
  createCollection(name: string): void | Promise<void>;
  upsert(collection: string, items: readonly VectorItem[]): void | Promise<void>;
  search(collection: string, vector: readonly number[], options: VectorSearchOptions): VectorHit[] | Promise<VectorHit[]>;
  delete(collection: string, ids: readonly string[]): number | Promise<number>;
  count(collection: string): number | Promise<number>;
}

/** Calls made through the handles of one provider (upsert, search and delete calls), reported by `metrics()`. */
class VectorCounters {
  upserts = 0;
  searches = 0;
  deletes = 0;
  snapshot(): Record<string, number> {
    return { upserts: this.upserts, searches: this.searches, deletes: this.deletes };
  }
}

/** A handle: the store's methods, counted, refused once the handle was released. */
class StoreHandle implements VectorHandle {
  #isReleased = false;
  constructor(
    readonly resource: string,
    readonly store: VectorStore,
    readonly counters: VectorCounters,
  ) {}

  get isReleased(): boolean {
    return this.#isReleased;
  }

  markReleased(): void {
    this.#isReleased = true;
  }

  createCollection(name: string): void | Promise<void> {
    return this.#live().createCollection(name);
  }

  upsert(collection: string, items: readonly VectorItem[]): void | Promise<void> {
    const store = this.#live();
    this.counters.upserts++;
    return store.upsert(collection, items);
  }

  search(collection: string, vector: readonly number[], options: VectorSearchOptions): VectorHit[] | Promise<VectorHit[]> {
    const store = this.#live();
    this.counters.searches++;
    return store.search(collection, vector, options);
  }

  delete(collection: string, ids: readonly string[]): number | Promise<number> {
    const store = this.#live();
    this.counters.deletes++;
    return store.delete(collection, ids);
  }

  count(collection: string): number | Promise<number> {
    return this.#live().count(collection);
  }

  #live(): VectorStore {
    if (this.#isReleased) throw new ResourceError(this.resource, "this vector handle was released; use the handle of the current state");
    return this.store;
  }
}

/** The sqlite and memory backends: one synchronous store per provider, opened at the first acquire. */
class LocalVectorProvider implements ResourceProvider<VectorHandle> {
  readonly kind = "vector";
  readonly sync = true;
  #store: SqliteVectorStore | MemoryVectorStore | undefined;
  #isClosed = false;

  constructor(
    readonly name: string,
    readonly counters: VectorCounters,
    readonly open: () => SqliteVectorStore | MemoryVectorStore,
  ) {}

  acquire(): VectorHandle {
    if (this.#isClosed) throw new ResourceError(this.name, "the vector provider is closed");
    this.#store ??= this.open();
    return new StoreHandle(this.name, this.#store, this.counters);
  }

  release(handle: VectorHandle): void {
    if (handle instanceof StoreHandle) handle.markReleased();
  }

  validate(handle: VectorHandle): boolean {
    const store = this.#store;
    const isOpen = store === undefined || !(store instanceof SqliteVectorStore) || store.isOpen;
    return handle instanceof StoreHandle && !handle.isReleased && !this.#isClosed && isOpen;
  }

  health(): HealthReport {
    if (this.#isClosed) return { status: "unhealthy", detail: "the provider is closed" };
    if (!(this.#store instanceof SqliteVectorStore)) return { status: "healthy" };
    try {
      this.#store.version();
      return { status: "healthy" };
    } catch (error) {
      return { status: "unhealthy", detail: (error as Error).message };
    }
  }

  metrics(): Readonly<Record<string, number>> {
    return this.counters.snapshot();
  }

  close(): void {
    this.#isClosed = true;
    if (this.#store instanceof SqliteVectorStore) this.#store.close();
    else this.#store?.clear();
    this.#store = undefined;
  }
}

/** The postgres backend: one connection (and store) per handle. */
class PgVectorProvider implements ResourceProvider<VectorHandle> {
  readonly kind = "vector";
  readonly sync = false;
  readonly #stores = new Map<StoreHandle, PgVectorStore>();

  constructor(
    readonly name: string,
    readonly settings: Parameters<typeof connectPgVector>[0],
    readonly counters: VectorCounters,
  ) {}

  async acquire(): Promise<VectorHandle> {
    const store = await connectPgVector(this.settings);
    const handle = new StoreHandle(this.name, store, this.counters);
    this.#stores.set(handle, store);
    return handle;
  }

  async release(handle: VectorHandle): Promise<void> {
    if (!(handle instanceof StoreHandle)) return;
    handle.markReleased();
    const store = this.#stores.get(handle);
    this.#stores.delete(handle);
    await store?.close();
  }

  async validate(handle: VectorHandle): Promise<boolean> {
    const store = handle instanceof StoreHandle ? this.#stores.get(handle) : undefined;
    if (store === undefined || !store.isOpen) return false;
    // A failed round trip means a dead connection: answering false makes the pool destroy the handle.
    return store.ping().then(
      () => true,
      () => false,
    );
  }

  async health(): Promise<HealthReport> {
    try {
      const store = await connectPgVector(this.settings);
      await store.close();
      return { status: "healthy" };
    } catch (error) {
      return { status: "unhealthy", detail: redact((error as Error).message, this.settings.secrets) };
    }
  }

  metrics(): Readonly<Record<string, number>> {
    return this.counters.snapshot();
  }

  async close(): Promise<void> {
    const stores = [...this.#stores.values()];
    this.#stores.clear();
    await Promise.all(stores.map((store) => store.close()));
  }
}

/** The value of a key that takes one of a few words. */
function oneOf<T extends string>(resource: string, key: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw configError(resource, `\`${key}\` must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value)}`);
}

function configError(resource: string, message: string): ResourceConfigError {
  return new ResourceConfigError(resource, message);
}
