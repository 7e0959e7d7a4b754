/**
 * The `vector` provider: configuration checks, and the same behaviour from the sqlite-vec and the
 * in-memory backends (the same cases run against both, and random k-nearest searches agree with
 * each other and with a brute force written here).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { VectorHandle, VectorHit } from "../../../../runtime/resources/handles.js";
import type { ResourceProvider } from "../../../../runtime/resources/types.js";
import { NotInstalledError, ResourceConfigError, ResourceError } from "../../../../runtime/resources/errors.js";
import { createVectorProvider, VECTOR_KEYS } from "../../../../runtime/resources/providers/vector.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "fsmc-vector-"));
  dirs.push(dir);
  return dir;
}

/** A synchronous handle (sqlite and memory backends answer synchronously). */
interface SyncVectorHandle {
  createCollection(name: string): void;
  upsert(collection: string, items: readonly { id: string; vector: readonly number[]; metadata?: Record<string, unknown> }[]): void;
  search(collection: string, vector: readonly number[], options: { k: number; filter?: Record<string, string | number | boolean | null> }): VectorHit[];
  delete(collection: string, ids: readonly string[]): number;
  count(collection: string): number;
}

/** A provider and one synchronous handle of it. */
function open(config: Record<string, unknown>): { provider: ResourceProvider<VectorHandle>; handle: SyncVectorHandle } {
  const provider = createVectorProvider("vectors", config);
  const handle = provider.acquire();
  if (handle instanceof Promise) throw new Error("expected a synchronous handle");
  return { provider, handle: handle as SyncVectorHandle };
}

/** The error a function throws (fails the test when it does not throw). */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

/** A seeded generator of floats in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomVector(next: () => number, dimensions: number): number[] {
  return Array.from({ length: dimensions }, () => next() * 2 - 1);
}

/** Brute-force distances in double precision, independent of the provider's code. */
function bruteForce(
  items: readonly { id: string; vector: readonly number[]; metadata: Record<string, unknown> }[],
  query: readonly number[],
  metric: "cosine" | "l2",
  k: number,
  keep: (metadata: Record<string, unknown>) => boolean = () => true,
): { id: string; distance: number }[] {
  const distance = (a: readonly number[], b: readonly number[]): number => {
    if (metric === "l2") return Math.sqrt(a.reduce((sum, x, i) => sum + (x - (b[i] ?? 0)) ** 2, 0));
    const dot = a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);
    const norm = (v: readonly number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    return 1 - dot / (norm(a) * norm(b));
  };
  return items
    .filter((item) => keep(item.metadata))
    .map((item) => ({ id: item.id, distance: distance(query, item.vector) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k);
}

describe("vector provider configuration", () => {
  it("lists its keys", () => {
    expect(VECTOR_KEYS).toEqual(["dimensions", "backend", "path", "connection_string", "metric"]);
  });

  it.each([
    [{}, /`dimensions` is required/],
    [{ dimensions: 0 }, /`dimensions` must be at least 1/],
    [{ dimensions: 3.5 }, /`dimensions` must be a whole number/],
    [{ dimensions: "many" }, /`dimensions` must be a number/],
    [{ dimension: 3 }, /unknown vector key `dimension`; did you mean `dimensions`\?/],
    [{ dimensions: 3, backend: "faiss" }, /`backend` must be one of "sqlite", "memory", "postgres", got "faiss"/],
    [{ dimensions: 3, metric: "dot" }, /`metric` must be one of "cosine", "l2"/],
    [{ dimensions: 3, backend: "memory", path: "x.db" }, /`path` applies to `backend: "sqlite"` only/],
    [{ dimensions: 3, connection_string: "postgres://u:secretpw@h/db" }, /`connection_string` applies to `backend: "postgres"` only/],
    [{ dimensions: 3, backend: "postgres" }, /`connection_string` is required/],
  ])("refuses %j", (config, message) => {
    const error = thrown(() => createVectorProvider("vectors", config));
    expect(error).toBeInstanceOf(ResourceConfigError);
    expect((error as ResourceConfigError).code).toBe("FSMR0026");
    expect(error.message).toMatch(message);
    expect(error.message).toContain("resource `vectors`");
    expect(error.message).not.toContain("secretpw");
  });

  it("accepts numbers spelled as strings (environment references) and reports its kind", () => {
    const provider = createVectorProvider("vectors", { dimensions: "3", backend: "memory" });
    expect(provider.kind).toBe("vector");
    expect(provider.sync).toBe(true);
    expect(createVectorProvider("vectors", { dimensions: 3, backend: "postgres", connection_string: "postgres://x/y" }).sync).toBe(false);
  });
});

describe.each(["sqlite", "memory"] as const)("vector backend %s", (backend) => {
  const config = (extra: Record<string, unknown> = {}) => ({ dimensions: 3, backend, ...extra });

  it("upserts, searches, counts and deletes", () => {
    const { provider, handle } = open(config());
    handle.createCollection("docs");
    handle.upsert("docs", [
      { id: "x", vector: [1, 0, 0], metadata: { topic: "a" } },
      { id: "y", vector: [0, 1, 0], metadata: { topic: "b" } },
      { id: "z", vector: [0, 0, 1] },
    ]);
    expect(handle.count("docs")).toBe(3);
    const hits = handle.search("docs", [0.9, 0.1, 0], { k: 2 });
    expect(hits.map((h) => h.id)).toEqual(["x", "y"]);
    expect(hits[0]?.metadata).toEqual({ topic: "a" });
    expect(hits[0]?.distance).toBeCloseTo(1 - 0.9 / Math.hypot(0.9, 0.1), 5);
    expect(handle.search("docs", [0, 0, 1], { k: 5 }).map((h) => h.id)).toEqual(["z", "x", "y"]); // x and y tie: by id
    expect(handle.delete("docs", ["x", "nope", "x"])).toBe(1);
    expect(handle.count("docs")).toBe(2);
    expect(handle.search("docs", [0, 0.1, 1], { k: 1 })[0]).toMatchObject({ id: "z", metadata: {} });
    expect(provider.metrics?.()).toEqual({ upserts: 1, searches: 3, deletes: 1 });
    provider.release(handle as VectorHandle);
    provider.close?.();
  });

  it("replaces an item upserted again under the same id", () => {
    const { handle } = open(config());
    handle.upsert("docs", [{ id: "x", vector: [1, 0, 0], metadata: { v: 1 } }]);
    handle.upsert("docs", [{ id: "x", vector: [0, 1, 0], metadata: { v: 2 } }]);
    expect(handle.count("docs")).toBe(1);
    const [hit] = handle.search("docs", [0, 1, 0], { k: 1 });
    expect(hit?.metadata).toEqual({ v: 2 });
    expect(hit?.distance).toBeCloseTo(0, 6);
  });

  it("filters on metadata: strings, numbers, booleans and null, every key at once", () => {
    const { handle } = open(config());
    handle.upsert("docs", [
      { id: "a", vector: [1, 0, 0], metadata: { lang: "en", year: 2020, draft: false, owner: null } },
      { id: "b", vector: [0.9, 0.1, 0], metadata: { lang: "fr", year: 2020, draft: true } },
      { id: "c", vector: [0, 1, 0], metadata: { lang: "en", year: 2021, draft: false, owner: "ann" } },
      { id: "d", vector: [0, 0, 1], metadata: { lang: "en", year: "2020", nested: { lang: "fr" } } },
    ]);
    const ids = (filter: Record<string, string | number | boolean | null>) => handle.search("docs", [1, 0, 0], { k: 10, filter }).map((h) => h.id);
    expect(ids({ lang: "en" })).toEqual(["a", "c", "d"]);
    expect(ids({ year: 2020 })).toEqual(["a", "b"]); // "2020" the string is not 2020 the number
    expect(ids({ year: "2020" })).toEqual(["d"]);
    expect(ids({ draft: false })).toEqual(["a", "c"]);
    expect(ids({ owner: null })).toEqual(["a"]); // a missing key is not null
    expect(ids({ lang: "en", draft: false, year: 2021 })).toEqual(["c"]);
    expect(ids({ lang: "de" })).toEqual([]);
    expect(handle.search("docs", [1, 0, 0], { k: 1, filter: { lang: "en" } }).map((h) => h.id)).toEqual(["a"]);
  });

  it("finds k filtered items even when every nearer item fails the filter", () => {
    const { handle } = open(config());
    const items = Array.from({ length: 200 }, (_, i) => ({
      id: `n${String(i).padStart(3, "0")}`,
      vector: [1, i / 100, 0],
      metadata: { rare: i >= 190 },
    }));
    handle.upsert("docs", items);
    const hits = handle.search("docs", [1, 0, 0], { k: 5, filter: { rare: true } });
    expect(hits.map((h) => h.id)).toEqual(["n190", "n191", "n192", "n193", "n194"]);
    expect(handle.search("docs", [1, 0, 0], { k: 50, filter: { rare: true } })).toHaveLength(10);
  });

  it("orders by cosine or L2 distance as configured", () => {
    const items = [
      { id: "long", vector: [10, 1, 0] }, // nearly the query's direction, far away
      { id: "near", vector: [0.5, 0.5, 0] }, // 45° off, close by
    ];
    const cosine = open(config({ metric: "cosine" })).handle;
    const l2 = open(config({ metric: "l2" })).handle;
    cosine.upsert("c", items);
    l2.upsert("c", items);
    expect(cosine.search("c", [1, 0, 0], { k: 2 }).map((h) => h.id)).toEqual(["long", "near"]);
    const byL2 = l2.search("c", [1, 0, 0], { k: 2 });
    expect(byL2.map((h) => h.id)).toEqual(["near", "long"]);
    expect(byL2[0]?.distance).toBeCloseTo(Math.hypot(0.5, 0.5), 5);
    expect(byL2[1]?.distance).toBeCloseTo(Math.hypot(9, 1), 4);
  });

  it("refuses vectors of the wrong dimension, with a clear error", () => {
    const { handle } = open(config());
    const upsert = thrown(() => handle.upsert("docs", [{ id: "x", vector: [1, 0] }]));
    expect(upsert).toBeInstanceOf(ResourceError);
    expect(upsert.message).toBe("resource `vectors`: collection `docs`: the vector of item `x` has 2 dimensions, but the resource is configured with `dimensions: 3`");
    handle.upsert("docs", [{ id: "x", vector: [1, 0, 0] }]);
    expect(thrown(() => handle.search("docs", [1, 0, 0, 0], { k: 1 })).message).toContain("the query vector has 4 dimensions");
    expect(handle.count("docs")).toBe(1);
  });

  it("refuses bad items, searches and collection names", () => {
    const { handle } = open(config());
    handle.createCollection("docs");
    expect(thrown(() => handle.upsert("docs", [{ id: "", vector: [1, 0, 0] }])).message).toContain("non-empty string `id`");
    expect(thrown(() => handle.upsert("docs", [{ id: "z", vector: [0, 0, 0] }])).message).toContain("all zeros");
    expect(thrown(() => handle.upsert("docs", [{ id: "n", vector: [1, Number.NaN, 0] }])).message).toContain("not a finite number");
    expect(thrown(() => handle.upsert("docs", [{ id: "d", vector: [1, 0, 0] }, { id: "d", vector: [0, 1, 0] }])).message).toContain("appears twice");
    expect(thrown(() => handle.search("docs", [1, 0, 0], { k: 0 })).message).toContain("`k`, a whole number of at least 1");
    expect(thrown(() => handle.createCollection("bad name; drop table x")).message).toContain("is not valid");
    expect(thrown(() => handle.search("doc", [1, 0, 0], { k: 1 })).message).toBe(
      'resource `vectors`: collection `doc` does not exist (known: `docs`); call `createCollection("doc")` or `upsert` into it first',
    );
    expect(handle.count("docs")).toBe(0);
  });

  it("keeps collections apart, and shares them between the handles of one provider", () => {
    const { provider, handle } = open(config());
    handle.upsert("one", [{ id: "a", vector: [1, 0, 0] }]);
    handle.upsert("two", [{ id: "a", vector: [0, 1, 0] }, { id: "b", vector: [0, 0, 1] }]);
    const other = provider.acquire() as unknown as SyncVectorHandle;
    expect(other.count("one")).toBe(1);
    expect(other.count("two")).toBe(2);
    provider.release(handle as VectorHandle);
    expect(provider.validate?.(handle as VectorHandle)).toBe(false);
    expect(provider.validate?.(other as VectorHandle)).toBe(true);
    expect(thrown(() => handle.count("one")).message).toContain("was released");
    expect(provider.health?.()).toEqual({ status: "healthy" });
  });
});

describe("sqlite and memory backends agree", () => {
  it.each(["cosine", "l2"] as const)("on random k-nearest searches (%s), with and without filters, as a brute force does", (metric) => {
    const dimensions = 16;
    const next = random(metric === "cosine" ? 7 : 11);
    const items = Array.from({ length: 400 }, (_, i) => ({
      id: `item${i}`,
      vector: randomVector(next, dimensions),
      metadata: { group: i % 5, even: i % 2 === 0, tag: i % 7 === 0 ? "seventh" : "plain" },
    }));
    const sqlite = open({ dimensions, metric }).handle;
    const memory = open({ dimensions, metric, backend: "memory" }).handle;
    sqlite.upsert("random", items);
    memory.upsert("random", items);
    const filters: (Record<string, string | number | boolean> | undefined)[] = [undefined, { group: 3 }, { even: true, tag: "seventh" }];
    for (let q = 0; q < 20; q++) {
      const query = randomVector(next, dimensions);
      const filter = filters[q % filters.length];
      const fromSqlite = sqlite.search("random", query, filter === undefined ? { k: 10 } : { k: 10, filter });
      const fromMemory = memory.search("random", query, filter === undefined ? { k: 10 } : { k: 10, filter });
      const expected = bruteForce(items, query, metric, 10, (m) => Object.entries(filter ?? {}).every(([key, value]) => m[key] === value));
      expect(fromSqlite.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      expect(fromMemory.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      fromSqlite.forEach((hit, i) => {
        expect(hit.distance).toBeCloseTo(expected[i]?.distance ?? Number.NaN, 4);
        expect(fromMemory[i]?.distance).toBeCloseTo(hit.distance, 5);
        expect(fromMemory[i]?.metadata).toEqual(hit.metadata);
      });
    }
    sqlite.delete("random", items.slice(0, 100).map((item) => item.id));
    memory.delete("random", items.slice(0, 100).map((item) => item.id));
    expect(sqlite.count("random")).toBe(300);
    expect(memory.count("random")).toBe(300);
    const query = randomVector(next, dimensions);
    expect(sqlite.search("random", query, { k: 25 }).map((h) => h.id)).toEqual(memory.search("random", query, { k: 25 }).map((h) => h.id));
  });
});

describe("vector backend sqlite on a file", () => {
  it("keeps collections across provider instances, and refuses other settings for them", () => {
    const path = join(tempDir(), "vectors.db");
    const first = open({ dimensions: 3, path });
    first.handle.upsert("docs", [
      { id: "a", vector: [1, 0, 0], metadata: { n: 1 } },
      { id: "b", vector: [0, 1, 0], metadata: { n: 2 } },
    ]);
    first.provider.release(first.handle as VectorHandle);
    first.provider.close?.();

    const second = open({ dimensions: 3, path });
    expect(second.handle.count("docs")).toBe(2);
    expect(second.handle.search("docs", [0, 1, 0], { k: 1 })).toEqual([{ id: "b", distance: 0, metadata: { n: 2 } }]);
    second.provider.close?.();

    const wider = open({ dimensions: 4, path });
    const error = thrown(() => wider.handle.count("docs"));
    expect(error).toBeInstanceOf(ResourceError);
    expect(error.message).toContain("collection `docs` was created with 3 dimensions and metric `cosine`, but the resource is configured with `dimensions: 4`");
    wider.handle.upsert("wide", [{ id: "w", vector: [0, 0, 0, 1] }]);
    expect(wider.handle.count("wide")).toBe(1);
    wider.provider.close?.();
    expect(thrown(() => wider.provider.acquire()).message).toContain("closed");
  });
});

describe.skipIf(!inject("pgUrl"))("vector backend postgres", () => {
  it("says pgvector is missing when the server has no vector extension, or works when it has one", async () => {
    const provider = createVectorProvider("vectors", { dimensions: 3, backend: "postgres", connection_string: inject("pgUrl") ?? "" });
    let handle: VectorHandle;
    try {
      handle = await provider.acquire();
    } catch (error) {
      expect(error).toBeInstanceOf(NotInstalledError);
      expect((error as NotInstalledError).code).toBe("FSMR0027");
      expect((error as Error).message).toContain("pgvector is not installed; the Postgres server offers no `vector` extension");
      return;
    }
    await handle.upsert("pgdocs", [
      { id: "a", vector: [1, 0, 0], metadata: { lang: "en" } },
      { id: "b", vector: [0, 1, 0], metadata: { lang: "fr" } },
    ]);
    expect((await handle.search("pgdocs", [1, 0.1, 0], { k: 2 })).map((h) => h.id)).toEqual(["a", "b"]);
    expect((await handle.search("pgdocs", [1, 0.1, 0], { k: 2, filter: { lang: "fr" } })).map((h) => h.id)).toEqual(["b"]);
    expect(await handle.delete("pgdocs", ["a"])).toBe(1);
    expect(await handle.count("pgdocs")).toBe(1);
    await provider.release(handle);
    await provider.close?.();
  });
});
