/**
 * The in-memory vector backend: brute-force k-nearest search over float32 vectors, with the
 * same checks, distances and ordering as the sqlite-vec backend. Every handle of one provider
 * sees the same collections; they vanish when the process ends.
 */
import type { VectorHit, VectorItem, VectorSearchOptions } from "../handles.js";
import {
  checkCollectionName,
  checkItems,
  checkSearchOptions,
  checkVector,
  matchesFilter,
  storedMetadata,
  unknownCollection,
  vectorDistance,
  type VectorSettings,
} from "./vector-common.js";

/** One stored item. */
interface MemoryEntry {
  readonly vector: Float32Array;
  readonly metadata: Record<string, unknown>;
}

/** The collections of one `vector` resource with `backend: "memory"`; every method is synchronous. */
export class MemoryVectorStore {
  readonly #collections = new Map<string, Map<string, MemoryEntry>>();
  constructor(readonly settings: VectorSettings) {}

  /** Creates a collection; a no-op when it exists. */
  createCollection(name: string): void {
    checkCollectionName(this.settings.resource, name);
    if (!this.#collections.has(name)) this.#collections.set(name, new Map());
  }

  /** Inserts items or replaces those with the same id; creates the collection when missing. */
  upsert(collection: string, items: readonly VectorItem[]): void {
    this.createCollection(collection);
    checkItems(this.settings, collection, items);
    const entries = this.#collection(collection);
    for (const item of items) {
      entries.set(item.id, { vector: Float32Array.from(item.vector), metadata: storedMetadata(item.metadata) });
    }
  }

  /** The `k` nearest items that pass the filter, nearest first (ties by id). */
  search(collection: string, vector: readonly number[], options: VectorSearchOptions): VectorHit[] {
    const entries = this.#collection(collection);
    checkVector(this.settings, collection, vector, "the query vector");
    const { k, filter } = checkSearchOptions(this.settings.resource, collection, options);
    const query = Float32Array.from(vector);
    const hits: VectorHit[] = [];
    for (const [id, entry] of entries) {
      if (!matchesFilter(entry.metadata, filter)) continue;
      hits.push({ id, distance: vectorDistance(this.settings.metric, query, entry.vector), metadata: storedMetadata(entry.metadata) });
    }
    hits.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return hits.slice(0, k);
  }

  /** Deletes items by id; the number that existed. */
  delete(collection: string, ids: readonly string[]): number {
    const entries = this.#collection(collection);
    let deleted = 0;
    for (const id of new Set(ids)) if (entries.delete(id)) deleted++;
    return deleted;
  }

  /** The number of items in a collection. */
  count(collection: string): number {
    return this.#collection(collection).size;
  }

  /** Forgets every collection. */
  clear(): void {
    this.#collections.clear();
  }

  #collection(name: string): Map<string, MemoryEntry> {
    checkCollectionName(this.settings.resource, name);
    const entries = this.#collections.get(name);
    if (entries === undefined) throw unknownCollection(this.settings.resource, name, [...this.#collections.keys()].sort());
    return entries;
  }
}
