/**
 * The pgvector backend: one `pg` client per handle, a table per collection
 * (`id text primary key, embedding vector(N), metadata jsonb`) and a registry of collections.
 * Acquiring a handle checks that the server offers the `vector` extension (NotInstalledError
 * when it does not) and creates it when missing. A filter is a jsonb containment (`@>`), which
 * matches the other backends' "every key has exactly this value" for primitive values.
 *
 * Only the missing-extension path runs in this repository's tests (the test server has no
 * pgvector); the rest follows pgvector's documented SQL.
 */
import type { Client, ClientConfig } from "pg";
import type { VectorHit, VectorItem, VectorSearchOptions } from "../handles.js";
import { NotInstalledError, ResourceError, redact } from "../errors.js";
import {
  checkCollectionName,
  checkItems,
  checkSearchOptions,
  checkStoredCollection,
  checkVector,
  loadDriver,
  storedMetadata,
  unknownCollection,
  type VectorSettings,
} from "./vector-common.js";

const REGISTRY = "fsmc_vector_collections";

/** Settings of the postgres backend. */
export interface PostgresVectorSettings extends VectorSettings {
  readonly connectionString: string;
  /** Secrets to redact from messages. */
  readonly secrets: readonly string[];
}

/** Connects a client and makes sure pgvector is there (NotInstalledError when the server lacks it). */
export async function connectPgVector(settings: PostgresVectorSettings): Promise<PgVectorStore> {
  const pg = loadDriver<typeof import("pg")>(settings.resource, "pg", "npm install pg");
  const config: ClientConfig = { connectionString: settings.connectionString, connectionTimeoutMillis: 30_000 };
  const client = new pg.Client(config);
  // A server restart makes an idle client emit `error`: without a listener it would crash the
  // process. The next use of the client fails with pg's own error (a ResourceError to the run).
  client.on("error", () => undefined);
  try {
    await client.connect();
    const available = await client.query("select 1 from pg_available_extensions where name = 'vector'");
    if (available.rowCount === 0) {
      throw new NotInstalledError(
        settings.resource,
        "pgvector",
        "the Postgres server offers no `vector` extension: install pgvector on the server (https://github.com/pgvector/pgvector), or use `backend: \"sqlite\"`",
      );
    }
    await client.query("create extension if not exists vector");
    await client.query(`create table if not exists ${REGISTRY} (name text primary key, dimensions integer not null, metric text not null)`);
  } catch (error) {
    await client.end().catch(() => undefined); // the connection is useless either way; the first error is the one to report
    if (error instanceof NotInstalledError) throw error;
    throw new ResourceError(settings.resource, redact(`cannot open the pgvector store: ${(error as Error).message}`, settings.secrets), {
      retryable: true,
      cause: error,
    });
  }
  return new PgVectorStore(settings, client);
}

/** The collections of one `vector` resource with `backend: "postgres"`, over one client; every method is async. */
export class PgVectorStore {
  #isOpen = true;
  readonly #known = new Set<string>();
  constructor(
    readonly settings: PostgresVectorSettings,
    readonly client: Client,
  ) {}

  /** True until `close`. */
  get isOpen(): boolean {
    return this.#isOpen;
  }

  /** Creates a collection; a no-op when it exists with the same settings, an error when with others. */
  async createCollection(name: string): Promise<void> {
    await this.#ensure(name, true);
  }

  /** Inserts items or replaces those with the same id (one transaction); creates the collection when missing. */
  async upsert(collection: string, items: readonly VectorItem[]): Promise<void> {
    await this.#ensure(collection, true);
    checkItems(this.settings, collection, items);
    const table = tableName(collection);
    await this.#transaction(async () => {
      for (const item of items) {
        await this.client.query(
          `insert into ${table} (id, embedding, metadata) values ($1, $2::vector, $3::jsonb) on conflict (id) do update set embedding = excluded.embedding, metadata = excluded.metadata`,
          [item.id, vectorLiteral(item.vector), JSON.stringify(storedMetadata(item.metadata))],
        );
      }
    });
  }

  /** The `k` nearest items that pass the filter, nearest first (ties by id). */
  async search(collection: string, vector: readonly number[], options: VectorSearchOptions): Promise<VectorHit[]> {
    await this.#ensure(collection, false);
    checkVector(this.settings, collection, vector, "the query vector");
    const { k, filter } = checkSearchOptions(this.settings.resource, collection, options);
    const operator = this.settings.metric === "cosine" ? "<=>" : "<->";
    const result = await this.#query<{ id: string; distance: number; metadata: Record<string, unknown> }>(
      `select id, (embedding ${operator} $1::vector)::float8 as distance, metadata from ${tableName(collection)} ` +
        `where metadata @> $2::jsonb order by distance, id limit $3`,
      [vectorLiteral(vector), JSON.stringify(filter ?? {}), k],
    );
    return result.map((row) => ({ id: row.id, distance: Number(row.distance), metadata: row.metadata }));
  }

  /** Deletes items by id; the number that existed. */
  async delete(collection: string, ids: readonly string[]): Promise<number> {
    await this.#ensure(collection, false);
    const result = await this.client.query(`delete from ${tableName(collection)} where id = any($1::text[])`, [[...new Set(ids)]]);
    return result.rowCount ?? 0;
  }

  /** The number of items in a collection. */
  async count(collection: string): Promise<number> {
    await this.#ensure(collection, false);
    const rows = await this.#query<{ n: number }>(`select count(*)::int as n from ${tableName(collection)}`, []);
    return rows[0]?.n ?? 0;
  }

  /** A cheap round trip (health checks and validation). */
  async ping(): Promise<void> {
    await this.client.query("select 1");
  }

  /** Ends the connection. */
  async close(): Promise<void> {
    if (!this.#isOpen) return;
    this.#isOpen = false;
    await this.client.end();
  }

  async #ensure(name: string, create: boolean): Promise<void> {
    checkCollectionName(this.settings.resource, name);
    if (this.#known.has(name)) return;
    const stored = await this.#query<{ dimensions: number; metric: string }>(`select dimensions, metric from ${REGISTRY} where name = $1`, [name]);
    const row = stored[0];
    if (row !== undefined) checkStoredCollection(this.settings, name, row);
    else if (create) await this.#create(name);
    else {
      const names = await this.#query<{ name: string }>(`select name from ${REGISTRY} order by name`, []);
      throw unknownCollection(this.settings.resource, name, names.map((r) => r.name));
    }
    this.#known.add(name);
  }

  async #create(name: string): Promise<void> {
    await this.#transaction(async () => {
      await this.client.query(
        `create table if not exists ${tableName(name)} (id text primary key, embedding vector(${this.settings.dimensions}) not null, metadata jsonb not null default '{}')`,
      );
      await this.client.query(`insert into ${REGISTRY} (name, dimensions, metric) values ($1, $2, $3) on conflict (name) do nothing`, [
        name,
        this.settings.dimensions,
        this.settings.metric,
      ]);
    });
  }

  async #query<R extends object>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.client.query<R>(sql, params)).rows;
    } catch (error) {
      throw new ResourceError(this.settings.resource, redact((error as Error).message, this.settings.secrets), { cause: error });
    }
  }

  async #transaction(fn: () => Promise<void>): Promise<void> {
    await this.client.query("begin");
    try {
      await fn();
      await this.client.query("commit");
    } catch (error) {
      await this.client.query("rollback");
      if (error instanceof ResourceError) throw error;
      throw new ResourceError(this.settings.resource, redact((error as Error).message, this.settings.secrets), { cause: error });
    }
  }
}

/** pgvector's text form of a vector: `[1,2,3]`. */
function vectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(",")}]`;
}

function tableName(collection: string): string {
  return `"fsmc_vec_${collection}"`;
}
