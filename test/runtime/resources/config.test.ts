/**
 * From a declared resource to the manager's spec (config.ts): environment references resolved
 * when the resource opens (with the `FSM_` fallback and defaults), kinds folded, the manager's
 * own keys taken out and checked (every one takes effect or is refused), overrides merged.
 */
import { describe, expect, it } from "vitest";
import { ResourceConfigError } from "../../../runtime/resources/errors.js";
import { isProvider, providerKind, resolveEnv, resourceSpec } from "../../../runtime/resources/config.js";
import { handleProvider } from "../../../runtime/resources/static.js";
import type { ResourceProvider } from "../../../runtime/resources/types.js";

/** A factory that records the configuration its provider got. */
function recording(): { factories: Record<string, (name: string, config: Readonly<Record<string, unknown>>) => ResourceProvider>; got: Record<string, unknown>[] } {
  const got: Record<string, unknown>[] = [];
  const make = (_name: string, config: Readonly<Record<string, unknown>>): ResourceProvider => {
    got.push({ ...config });
    return { ...handleProvider({}), validate: () => true };
  };
  return { factories: { sqlite: make, postgres: make, vector: make }, got };
}

describe("resource configuration", () => {
  it("resolves ${VAR}, ${VAR:-default} and the FSM_ fallback at any depth, and names an unset variable", () => {
    const env = { HOST: "db.local", FSM_PORT: "5433" };
    expect(resolveEnv("db", { url: "pg://${HOST}:${PORT}/${NAME:-shop}", list: ["${HOST}"], n: 3 }, env)).toEqual({
      url: "pg://db.local:5433/shop",
      list: ["db.local"],
      n: 3,
    });
    expect(resolveEnv("db", "${EMPTY:-fallback}/${EMPTY}", { EMPTY: "" })).toBe("fallback/"); // `:-` as in a shell
    expect(() => resolveEnv("db", { token: "${API_TOKEN}" }, {})).toThrow(ResourceConfigError);
    expect(() => resolveEnv("db", { token: "${API_TOKEN}" }, {})).toThrow("environment variable API_TOKEN is not set");
  });

  it("folds kinds: database by backend, vector_store", () => {
    expect(providerKind("database", {})).toBe("sqlite");
    expect(providerKind("database", { backend: "postgres" })).toBe("postgres");
    expect(providerKind("vector_store", {})).toBe("vector");
    expect(providerKind("http", {})).toBe("http");
  });

  it("gives the provider only its own keys, and turns the common keys into pool, retry, timeout and health settings", () => {
    const { factories, got } = recording();
    const s = resourceSpec(
      {
        name: "db",
        type: "database",
        config: {
          backend: "sqlite",
          path: "${DB_PATH}",
          pool: { min: 1, max: 4, acquire_timeout: 2, idle_timeout: 60, max_lifetime: 600, validate: false },
          timeout_seconds: 5,
          retry_attempts: 2,
          retry_delay_seconds: 0.5,
          health_check_interval: 30,
        },
      },
      undefined,
      { DB_PATH: "x.db" },
      factories,
    );
    expect(got).toEqual([{ path: "x.db" }]);
    expect(s.pool).toEqual({ min: 1, max: 4, acquireTimeoutMs: 2000, idleTimeoutMs: 60_000, maxLifetimeMs: 600_000, validateOnBorrow: false });
    expect(s.stateTimeoutMs).toBe(5000);
    expect(s.retry).toEqual({ attempts: 2, delayMs: 500 });
    expect(s.healthIntervalMs).toBe(30_000);
  });

  it("merges configuration passed in over the declared one; a provider passed in replaces the provider", () => {
    const { factories, got } = recording();
    resourceSpec({ name: "db", type: "sqlite", config: { path: "prod.db", wal: true } }, { path: "test.db" }, {}, factories);
    expect(got).toEqual([{ path: "test.db", wal: true }]);
    const mine = handleProvider("H");
    const s = resourceSpec({ name: "db", type: "postgres", config: { connection_string: "${UNSET_URL}", pool: { max: 3 } } }, mine, {}, factories);
    expect(s.provider).toBe(mine); // its unresolved connection string is never read
    expect(s.pool.max).toBe(3);
    expect(isProvider(mine)).toBe(true);
    expect(isProvider({ path: "x" })).toBe(false);
  });

  it("refuses every malformed common key, and pool.max with connection_pool_size", () => {
    const { factories } = recording();
    const bad = (config: Record<string, unknown>): unknown => () => resourceSpec({ name: "db", type: "sqlite", config }, undefined, {}, factories);
    expect(bad({ pool: { max: 0 } })).toThrow("`pool.max` must be an integer >= 1");
    expect(bad({ pool: { min: 3, max: 2 } })).toThrow("`pool.min` (3) is larger than `pool.max` (2)");
    expect(bad({ pool: { maxx: 2 } })).toThrow("unknown key `pool.maxx`");
    expect(bad({ pool: { max: 2 }, connection_pool_size: 3 })).toThrow("give `pool.max` or `connection_pool_size`, not both");
    expect(bad({ timeout_seconds: -1 })).toThrow("`timeout_seconds` must be a number of seconds >= 0");
    expect(bad({ health_check_interval: 0 })).toThrow("`health_check_interval` must be a number of seconds > 0");
    expect(bad({ pool: { validate: "yes" } })).toThrow("`pool.validate` must be true or false");
    expect(() => resourceSpec({ name: "x", type: "nosql", config: {} }, undefined, {}, factories)).toThrow("unknown resource type `nosql`");
    expect(bad({ health_check_interval: 3e6 })).toThrow("`health_check_interval` must be at most");
    expect(() => resourceSpec({ name: "x", type: "database", config: { backend: "mongo" } }, undefined, {}, factories)).toThrow("unknown database backend `mongo`");
    const viaSize = resourceSpec({ name: "db", type: "sqlite", config: { connection_pool_size: "6" } }, undefined, {}, factories);
    expect(viaSize.pool.max).toBe(6); // an environment reference gives a string: numbers are read from it
  });
});

describe("the embedded default", () => {
  it("makes a `database` without backend or path a SQLite file named after the resource", () => {
    const { factories, got } = recording();
    resourceSpec({ name: "orders", type: "database", config: {} }, undefined, {}, factories);
    resourceSpec({ name: "mem", type: "database", config: { path: ":memory:" } }, undefined, {}, factories);
    resourceSpec({ name: "plain", type: "sqlite", config: {} }, undefined, {}, factories);
    expect(got).toEqual([{ path: "orders.db" }, { path: ":memory:" }, {}]);
  });
});
