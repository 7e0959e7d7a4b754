/**
 * The sqlite-vec vector backend. One better-sqlite3 database per provider (an in-memory
 * database exists only in its connection, and better-sqlite3 is synchronous, so handles share
 * it safely). Each collection is a `vec0` virtual table of embeddings keyed by rowid, plus an
 * items table (`rowid`, `id`, JSON `metadata`); a registry table remembers each collection's
 * dimensions and metric, so a file opened with other settings fails clearly.
 *
 * A search without a filter is sqlite-vec's k-nearest query. A search with a filter scans the
 * items that pass it (SQL over the JSON metadata) and orders them by the same distance function:
 * exact for any filter, however few items pass it.
 */
import type { Database, Statement } from "better-sqlite3";
import type { VectorHit, VectorItem, VectorSearchOptions } from "../handles.js";
import { NotInstalledError, ResourceError } from "../errors.js";
import {
  checkCollectionName,
  checkItems,
  checkSearchOptions,
  checkStoredCollection,
  checkVector,
  loadDriver,
  storedMetadata,
  unknownCollection,
  type VectorFilter,
  type VectorSettings,
} from "./vector-common.js";

/** sqlite-vec refuses a k-nearest query with a larger `k`; larger searches scan instead. */
const MAX_KNN_K = 4096;

/** The registry of collections (name, dimensions, metric). */
const REGISTRY = "fsmc_vector_collections";

/** Settings of the sqlite backend. */
export interface SqliteVectorSettings extends VectorSettings {
  /** The database file, or `":memory:"`. */
  readonly path: string;
}

/** The prepared statements of one collection. */
interface CollectionStatements {
  readonly upsertItem: Statement<[string, string], { rowid: number }>;
  readonly deleteVector: Statement<[bigint]>;
  readonly insertVector: Statement<[bigint, Float32Array]>;
  readonly deleteItem: Statement<[string], { rowid: number }>;
  readonly count: Statement<[], { n: number }>;
  readonly knn: Statement<[Float32Array, number], { id: string; distance: number; metadata: string }>;
}

/** A row of a search. */
interface HitRow {
  readonly id: string;
  readonly distance: number;
  readonly metadata: string;
}

/** The collections of one `vector` resource with `backend: "sqlite"`; every method is synchronous. */
export class SqliteVectorStore {
  readonly #db: Database;
  readonly #collections = new Map<string, CollectionStatements>();

  /** Opens the database and loads sqlite-vec (NotInstalledError when it cannot load). */
  constructor(readonly settings: SqliteVectorSettings) {
    this.#db = openDatabase(settings);
    this.#db.exec(`create table if not exists ${REGISTRY} (name text primary key, dimensions integer not null, metric text not null)`);
  }

  /** True while the database is open. */
  get isOpen(): boolean {
    return this.#db.open;
  }

  /** The sqlite-vec version (a cheap query, for health checks). */
  version(): string {
    return this.#db.prepare<[], { v: string }>("select vec_version() as v").get()?.v ?? "unknown";
  }

  /** Creates a collection; a no-op when it exists with the same settings, an error when with others. */
  createCollection(name: string): void {
    this.#statements(name, true);
  }

  /** Inserts items or replaces those with the same id (one transaction); creates the collection when missing. */
  upsert(collection: string, items: readonly VectorItem[]): void {
    const statements = this.#statements(collection, true);
    checkItems(this.settings, collection, items);
    this.#db.transaction(() => {
      for (const item of items) {
        const row = statements.upsertItem.get(item.id, JSON.stringify(storedMetadata(item.metadata)));
        if (row === undefined) throw new ResourceError(this.settings.resource, `collection \`${collection}\`: upsert of \`${item.id}\` returned no row`);
        // vec0 accepts only integer rowids, and better-sqlite3 binds a JS number as a double.
        const rowid = BigInt(row.rowid);
        statements.deleteVector.run(rowid);
        statements.insertVector.run(rowid, Float32Array.from(item.vector));
      }
    })();
  }

  /** The `k` nearest items that pass the filter, nearest first. */
  search(collection: string, vector: readonly number[], options: VectorSearchOptions): VectorHit[] {
    const statements = this.#statements(collection, false);
    checkVector(this.settings, collection, vector, "the query vector");
    const { k, filter } = checkSearchOptions(this.settings.resource, collection, options);
    const query = Float32Array.from(vector);
    const rows =
      filter === undefined && k <= MAX_KNN_K
        ? statements.knn.all(query, k)
        : this.#scan(collection, query, k, filter);
    return rows.map((row) => ({ id: row.id, distance: row.distance, metadata: JSON.parse(row.metadata) as Record<string, unknown> }));
  }

  /** Deletes items by id (one transaction); the number that existed. */
  delete(collection: string, ids: readonly string[]): number {
    const statements = this.#statements(collection, false);
    let deleted = 0;
    this.#db.transaction(() => {
      for (const id of new Set(ids)) {
        const row = statements.deleteItem.get(id);
        if (row === undefined) continue;
        statements.deleteVector.run(BigInt(row.rowid));
        deleted++;
      }
    })();
    return deleted;
  }

  /** The number of items in a collection. */
  count(collection: string): number {
    return this.#statements(collection, false).count.get()?.n ?? 0;
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Every item passing the filter, by distance then id, the first `k`. */
  #scan(collection: string, query: Float32Array, k: number, filter: VectorFilter | undefined): HitRow[] {
    const { items, vectors } = tableNames(collection);
    const distance = this.settings.metric === "cosine" ? "vec_distance_cosine" : "vec_distance_l2";
    const { sql: where, params } = filterSql(filter);
    const sql =
      `select i.id as id, ${distance}(v.embedding, ?) as distance, i.metadata as metadata ` +
      `from ${items} i join ${vectors} v on v.rowid = i.rowid ${where} order by distance, i.id limit ?`;
    return this.#db.prepare<unknown[], HitRow>(sql).all(query, ...params, k);
  }

  /** The statements of a collection, creating it first when `create` (else an unknown collection is an error). */
  #statements(name: string, create: boolean): CollectionStatements {
    checkCollectionName(this.settings.resource, name);
    const cached = this.#collections.get(name);
    if (cached !== undefined) return cached;
    const stored = this.#db.prepare<[string], { dimensions: number; metric: string }>(`select dimensions, metric from ${REGISTRY} where name = ?`).get(name);
    if (stored !== undefined) checkStoredCollection(this.settings, name, stored);
    else if (create) this.#create(name);
    else throw unknownCollection(this.settings.resource, name, this.#db.prepare<[], { name: string }>(`select name from ${REGISTRY} order by name`).all().map((r) => r.name));
    const statements = this.#prepare(name);
    this.#collections.set(name, statements);
    return statements;
  }

  #create(name: string): void {
    const { items, vectors } = tableNames(name);
    const { dimensions, metric } = this.settings;
    this.#db.transaction(() => {
      this.#db.exec(`create virtual table ${vectors} using vec0(embedding float[${dimensions}] distance_metric=${metric})`);
      this.#db.exec(`create table ${items} (rowid integer primary key, id text not null unique, metadata text not null)`);
      this.#db.prepare(`insert into ${REGISTRY} (name, dimensions, metric) values (?, ?, ?)`).run(name, dimensions, metric);
    })();
  }

  #prepare(name: string): CollectionStatements {
    const { items, vectors } = tableNames(name);
    const db = this.#db;
    return {
      upsertItem: db.prepare(`insert into ${items} (id, metadata) values (?, ?) on conflict (id) do update set metadata = excluded.metadata returning rowid`),
      deleteVector: db.prepare(`delete from ${vectors} where rowid = ?`),
      insertVector: db.prepare(`insert into ${vectors} (rowid, embedding) values (?, ?)`),
      deleteItem: db.prepare(`delete from ${items} where id = ? returning rowid`),
      count: db.prepare(`select count(*) as n from ${items}`),
      knn: db.prepare(
        `with knn as (select rowid, distance from ${vectors} where embedding match ? and k = ?) ` +
          `select i.id as id, knn.distance as distance, i.metadata as metadata from knn join ${items} i on i.rowid = knn.rowid order by knn.distance, i.id`,
      ),
    };
  }
}

/** The table names of a collection (the name was checked to be an identifier). */
function tableNames(collection: string): { items: string; vectors: string } {
  return { items: `"fsmc_vecitems_${collection}"`, vectors: `"fsmc_vec_${collection}"` };
}

/**
 * The WHERE clause of a filter over the JSON metadata: for each key, an entry of that key with
 * the same JSON type and value (`json_each` compares keys exactly, whatever characters they hold).
 */
export function filterSql(filter: VectorFilter | undefined): { sql: string; params: unknown[] } {
  if (filter === undefined) return { sql: "", params: [] };
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(filter)) {
    const entry = "exists (select 1 from json_each(i.metadata) j where j.key = ? and ";
    params.push(key);
    if (value === null) clauses.push(`${entry}j.type = 'null')`);
    else if (typeof value === "boolean") clauses.push(`${entry}j.type = '${value ? "true" : "false"}')`);
    else if (typeof value === "number") {
      clauses.push(`${entry}j.type in ('integer', 'real') and j.atom = ?)`);
      params.push(value);
    } else {
      clauses.push(`${entry}j.type = 'text' and j.atom = ?)`);
      params.push(value);
    }
  }
  return { sql: `where ${clauses.join(" and ")}`, params };
}

/** Opens the database with better-sqlite3 and loads sqlite-vec into it. */
function openDatabase(settings: SqliteVectorSettings): Database {
  const BetterSqlite3 = loadDriver<typeof import("better-sqlite3")>(settings.resource, "better-sqlite3", "npm install better-sqlite3");
  const sqliteVec = loadDriver<typeof import("sqlite-vec")>(settings.resource, "sqlite-vec", 'npm install sqlite-vec, or use `backend: "memory"`');
  let db: Database;
  try {
    db = new BetterSqlite3(settings.path);
  } catch (error) {
    throw new ResourceError(settings.resource, `cannot open vector database \`${settings.path}\`: ${(error as Error).message}`, { cause: error });
  }
  try {
    sqliteVec.load(db);
  } catch (error) {
    db.close();
    throw new NotInstalledError(
      settings.resource,
      "the sqlite-vec extension",
      `it could not be loaded (${(error as Error).message}); install the \`sqlite-vec\` package with the build for this platform (npm install sqlite-vec), or use \`backend: "memory"\``,
    );
  }
  if (settings.path !== ":memory:" && settings.path !== "") db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  return db;
}
