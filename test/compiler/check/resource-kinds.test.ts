/** The resource-kind catalogue: aliases, handle types, synchronous providers, key lists (docs/resources.md). */
import { describe, expect, it } from "vitest";
import {
  COMMON_KEYS,
  KIND_KEYS,
  POOL_KEYS,
  RESOURCE_KINDS,
  RESOURCE_TYPE_NAMES,
  isEnvReference,
  missingRequiredKeys,
  resolveResource,
} from "../../../compiler/check/resource-kinds.js";

describe("resource kinds", () => {
  it("resolves kinds and aliases: database by its backend, vector_store", () => {
    expect(resolveResource("database", {})?.kind.kind).toBe("sqlite");
    expect(resolveResource("database", { backend: "sqlite" })?.kind.kind).toBe("sqlite");
    expect(resolveResource("database", { backend: "postgres" })?.kind.kind).toBe("postgres");
    expect(resolveResource("database", { backend: "postgresql" })?.kind.kind).toBe("postgres");
    expect(resolveResource("vector_store", { dimensions: 3 })?.kind.kind).toBe("vector");
    expect(resolveResource("custom", {})?.kind.kind).toBe("custom");
    // An environment reference cannot pick the kind; an unknown backend or type names none.
    expect(resolveResource("database", { backend: "${DB}" })).toBeUndefined();
    expect(resolveResource("database", { backend: "mysql" })).toBeUndefined();
    expect(resolveResource("sqlit", {})).toBeUndefined();
    expect(resolveResource("__proto__", {})).toBeUndefined();
  });

  it("gives each built-in kind its runtime handle type, and custom none", () => {
    const handles = Object.fromEntries(Object.values(RESOURCE_KINDS).map((k) => [k.kind, k.handleType]));
    expect(handles).toEqual({
      sqlite: "SqliteHandle",
      postgres: "PostgresHandle",
      filesystem: "FilesystemHandle",
      http: "HttpHandle",
      llm: "LlmHandle",
      vector: "VectorHandle",
      custom: undefined,
    });
  });

  it("knows which providers answer synchronously (vector by its backend; custom is the provider's)", () => {
    const sync = (type: string, config = {}) => resolveResource(type, config)?.sync;
    expect([sync("sqlite"), sync("filesystem"), sync("postgres"), sync("http"), sync("llm")]).toEqual([true, true, false, false, false]);
    expect([sync("vector"), sync("vector", { backend: "memory" }), sync("vector", { backend: "postgres" }), sync("vector", { backend: "${B}" })]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(sync("custom")).toBeUndefined();
  });

  it("lists the keys of each kind, the common keys and the pool keys, as the contract does", () => {
    expect(KIND_KEYS).toEqual({
      sqlite: ["path", "wal", "readonly", "busy_timeout", "pragmas"],
      postgres: ["connection_string", "host", "port", "user", "password", "database", "ssl", "statement_timeout", "application_name"],
      filesystem: ["base_path", "encoding", "temp_dir"],
      http: ["base_url", "headers", "auth", "timeout", "max_retries", "retry_delay", "max_retry_delay", "rate_limit", "circuit_breaker"],
      llm: [
        "base_url",
        "model",
        "api_key",
        "embedding_model",
        "temperature",
        "max_tokens",
        "timeout",
        "max_retries",
        "retry_delay",
        "requests_per_minute",
        "tokens_per_minute",
        "circuit_breaker",
      ],
      vector: ["dimensions", "backend", "path", "connection_string", "metric"],
    });
    expect(COMMON_KEYS).toEqual(["pool", "connection_pool_size", "timeout_seconds", "retry_attempts", "retry_delay_seconds", "health_check_interval"]);
    expect(POOL_KEYS).toEqual(["min", "max", "acquire_timeout", "idle_timeout", "max_lifetime", "validate"]);
    expect(RESOURCE_TYPE_NAMES).toEqual(["custom", "database", "filesystem", "http", "llm", "postgres", "sqlite", "vector", "vector_store"]);
  });

  it("adds the common keys (and `backend` for database) to every resolved shape", () => {
    const db = resolveResource("database", { backend: "postgres" });
    expect(Object.keys(db?.shape.keys ?? {})).toEqual([...KIND_KEYS.postgres, "backend", ...COMMON_KEYS]);
    expect(Object.keys(resolveResource("http", {})?.shape.keys ?? {})).toEqual([...KIND_KEYS.http, ...COMMON_KEYS]);
  });

  it("finds missing required keys, an environment reference counting as given", () => {
    const shape = (type: string) => resolveResource(type, {})?.shape ?? { keys: {} };
    expect(missingRequiredKeys(shape("llm"), { base_url: "${LLM_URL}" })).toEqual(["`model`"]);
    expect(missingRequiredKeys(shape("postgres"), {})).toEqual(["`connection_string` or `host`"]);
    expect(missingRequiredKeys(shape("postgres"), { host: "db" })).toEqual([]);
    expect(missingRequiredKeys(shape("sqlite"), {})).toEqual([]);
    expect(missingRequiredKeys(shape("custom"), { ttl: 1 })).toEqual(["`module`"]);
  });

  it("recognises environment references", () => {
    expect(["${A}", "${A:-x}", "http://${HOST}:80", "$A", "{A}", 3, null].map((v) => isEnvReference(v))).toEqual([true, true, true, false, false, false, false]);
  });
});
