/**
 * What every vector backend (memory, sqlite-vec, pgvector) shares: the settings, the checks of
 * collection names, vectors, search options and filters, and the two distances. The backends
 * give the same answers for the same calls; these functions are where that sameness lives.
 */
import { createRequire } from "node:module";
import type { VectorItem, VectorSearchOptions } from "../handles.js";
import { NotInstalledError, ResourceError } from "../errors.js";

const require = createRequire(import.meta.url);

/** How near two vectors are: cosine distance (`1 - cos θ`) or Euclidean (L2) distance. */
export type VectorMetric = "cosine" | "l2";

/** The settings a backend needs. */
export interface VectorSettings {
  /** The resource's name, for messages. */
  readonly resource: string;
  readonly dimensions: number;
  readonly metric: VectorMetric;
}

/** A filter of `search`: an item is kept when its metadata has every key with exactly that value. */
export type VectorFilter = NonNullable<VectorSearchOptions["filter"]>;

/** Collection names become table names, so they are plain identifiers. */
const COLLECTION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** Throws unless `name` is a usable collection name (letters, digits, `_`; not starting with a digit). */
export function checkCollectionName(resource: string, name: string): void {
  if (typeof name !== "string" || !COLLECTION_NAME.test(name)) {
    throw new ResourceError(
      resource,
      `collection name ${JSON.stringify(name)} is not valid: use letters, digits and \`_\` (not starting with a digit, at most 48 characters)`,
    );
  }
}

/** Throws unless `vector` has the resource's dimensions, holds finite numbers, and (cosine) is not all zeros. */
export function checkVector(settings: VectorSettings, collection: string, vector: readonly number[], what: string): void {
  if (!Array.isArray(vector)) {
    throw new ResourceError(settings.resource, `collection \`${collection}\`: ${what} must be an array of numbers`);
  }
  if (vector.length !== settings.dimensions) {
    throw new ResourceError(
      settings.resource,
      `collection \`${collection}\`: ${what} has ${vector.length} dimensions, but the resource is configured with \`dimensions: ${settings.dimensions}\``,
    );
  }
  let isZero = true;
  for (const value of vector) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new ResourceError(settings.resource, `collection \`${collection}\`: ${what} holds ${String(value)}, not a finite number`);
    }
    if (value !== 0) isZero = false;
  }
  if (isZero && settings.metric === "cosine") {
    throw new ResourceError(settings.resource, `collection \`${collection}\`: ${what} is all zeros, which has no cosine distance to anything`);
  }
}

/** Throws unless every item has a non-empty string id, a valid vector, and object metadata; ids must be unique in one call. */
export function checkItems(settings: VectorSettings, collection: string, items: readonly VectorItem[]): void {
  if (!Array.isArray(items)) throw new ResourceError(settings.resource, `collection \`${collection}\`: upsert takes an array of items`);
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item?.id !== "string" || item.id === "") {
      throw new ResourceError(settings.resource, `collection \`${collection}\`: every item needs a non-empty string \`id\``);
    }
    if (seen.has(item.id)) throw new ResourceError(settings.resource, `collection \`${collection}\`: item \`${item.id}\` appears twice in one upsert`);
    seen.add(item.id);
    checkVector(settings, collection, item.vector, `the vector of item \`${item.id}\``);
    const metadata: unknown = item.metadata;
    if (metadata !== undefined && (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))) {
      throw new ResourceError(settings.resource, `collection \`${collection}\`: the metadata of item \`${item.id}\` must be an object`);
    }
  }
}

/** The checked `k` of a search, and its filter (values must be strings, numbers, booleans or null). */
export function checkSearchOptions(resource: string, collection: string, options: VectorSearchOptions): { k: number; filter: VectorFilter | undefined } {
  const k: unknown = options?.k;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1) {
    throw new ResourceError(resource, `collection \`${collection}\`: search needs \`k\`, a whole number of at least 1, got ${JSON.stringify(k)}`);
  }
  const filter = options.filter;
  if (filter === undefined) return { k, filter: undefined };
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    throw new ResourceError(resource, `collection \`${collection}\`: \`filter\` must be an object of metadata values`);
  }
  for (const [key, value] of Object.entries(filter)) {
    const isPrimitive = value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));
    if (!isPrimitive) {
      throw new ResourceError(resource, `collection \`${collection}\`: filter value of \`${key}\` must be a string, a finite number, a boolean or null`);
    }
  }
  return { k, filter: Object.keys(filter).length === 0 ? undefined : filter };
}

/** True when `metadata` has every key of `filter`, each with exactly the filter's value. */
export function matchesFilter(metadata: Readonly<Record<string, unknown>>, filter: VectorFilter | undefined): boolean {
  if (filter === undefined) return true;
  for (const [key, value] of Object.entries(filter)) {
    if (!Object.hasOwn(metadata, key) || metadata[key] !== value) return false;
  }
  return true;
}

/**
 * The metadata as every backend stores and returns it: a JSON copy (so dates become strings
 * and the caller's object is never shared), `{}` when absent.
 */
export function storedMetadata(metadata: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  return metadata === undefined ? {} : (JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>);
}

/** The distance of two vectors of the same length (vectors are float32, as sqlite-vec stores them). */
export function vectorDistance(metric: VectorMetric, a: Float32Array, b: Float32Array): number {
  if (metric === "l2") {
    let sum = 0;
    for (let i = 0; i < a.length; i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      sum += d * d;
    }
    return Math.sqrt(sum);
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return 1 - dot / (Math.sqrt(normA) * Math.sqrt(normB));
}

/** The collections-registry row check shared by the persistent backends: a stored collection must match the resource's settings. */
export function checkStoredCollection(settings: VectorSettings, name: string, stored: { dimensions: number; metric: string }): void {
  if (stored.dimensions !== settings.dimensions || stored.metric !== settings.metric) {
    throw new ResourceError(
      settings.resource,
      `collection \`${name}\` was created with ${stored.dimensions} dimensions and metric \`${stored.metric}\`, but the resource is configured with \`dimensions: ${settings.dimensions}\` and \`metric: ${settings.metric}\`: use another collection name or the original settings`,
    );
  }
}

/** The error for a collection that was never created, naming the ones that exist. */
export function unknownCollection(resource: string, name: string, known: readonly string[]): ResourceError {
  const list = known.length === 0 ? "there are none yet" : `known: ${known.map((k) => `\`${k}\``).join(", ")}`;
  return new ResourceError(resource, `collection \`${name}\` does not exist (${list}); call \`createCollection("${name}")\` or \`upsert\` into it first`);
}

/**
 * Loads an optional driver package synchronously (a sync provider cannot await an import);
 * NotInstalledError naming the install command when it is missing.
 */
export function loadDriver<T>(resource: string, name: string, help: string): T {
  try {
    return require(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    throw new NotInstalledError(resource, `the \`${name}\` package`, help);
  }
}
