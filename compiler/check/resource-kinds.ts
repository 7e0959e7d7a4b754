/**
 * The resource kinds as the compiler knows them (docs/resources.md is the contract): each kind's
 * configuration keys with their JSON types, its required keys, the runtime handle type its
 * functions receive, and whether its provider answers synchronously. Pure data plus the one
 * lookup that folds aliases (`database` + `backend`, `vector_store`). The runtime providers
 * accept exactly these keys (`SQLITE_KEYS`, `HTTP_KEYS`, …); a test compares the two lists.
 */
import type { JsonObject, JsonValue } from "../ir/index.js";

/** The expected type of one configuration value. */
export type ConfigType =
  /** A string; `values` when only these spellings are allowed. */
  | { readonly type: "string"; readonly values?: readonly string[] }
  /** A number; `integer` for whole numbers, `minimum` inclusive unless `exclusive`; `nullable` also accepts null. */
  | { readonly type: "number"; readonly integer?: boolean; readonly minimum?: number; readonly exclusive?: boolean; readonly nullable?: boolean }
  | { readonly type: "boolean" }
  /** An object with known keys. */
  | { readonly type: "object"; readonly shape: ConfigShape }
  /** An object with free keys whose values are strings (`string`) or any scalar (`scalar`). */
  | { readonly type: "map"; readonly values: "string" | "scalar" }
  /** An object whose `tag` key picks its shape among `variants` (the `tag` key belongs to every variant). */
  | { readonly type: "tagged"; readonly tag: string; readonly variants: Readonly<Record<string, ConfigShape>> }
  /** Any of several types (`ssl: true` or TLS options; `circuit_breaker: true` or its settings). */
  | { readonly type: "anyOf"; readonly of: readonly ConfigType[] };

/** The keys of a configuration object. */
export interface ConfigShape {
  readonly keys: Readonly<Record<string, ConfigType>>;
  /** Groups of alternatives: each group needs one of its keys (`[["connection_string", "host"]]`). */
  readonly required?: readonly (readonly string[])[];
  /** Keys of which at most one may be given. */
  readonly exclusive?: readonly (readonly string[])[];
  /** Accepts keys outside `keys` (a custom provider reads its own configuration). */
  readonly open?: boolean;
}

/** A built-in provider kind (the `kind` of its `ResourceProvider`), or `custom`. */
export type ProviderKind = "sqlite" | "postgres" | "filesystem" | "http" | "llm" | "vector" | "custom";

/** Everything the compiler knows about one provider kind. */
export interface ResourceKind {
  readonly kind: ProviderKind;
  /** The handle type of `fsmc/runtime` that `ctx.resources.<role>` has; undefined for `custom` (the provider's). */
  readonly handleType?: string;
  /** True when the provider answers synchronously; `backend` when it depends on the `backend` key (vector). */
  readonly sync: boolean | "backend" | "provider";
  /** The kind's own keys (the common keys come on top). */
  readonly shape: ConfigShape;
}

const str: ConfigType = { type: "string" };
const bool: ConfigType = { type: "boolean" };
const oneOf = (...values: string[]): ConfigType => ({ type: "string", values });
/** Seconds ≥ 0. */
const seconds: ConfigType = { type: "number", minimum: 0 };
/** Seconds > 0. */
const positiveSeconds: ConfigType = { type: "number", minimum: 0, exclusive: true };
const count: ConfigType = { type: "number", integer: true, minimum: 0 };
const positiveCount: ConfigType = { type: "number", integer: true, minimum: 1 };

/** `pool: { … }` (seconds; `acquire_timeout: 0` = do not wait). */
export const POOL_SHAPE: ConfigShape = {
  keys: { min: count, max: positiveCount, acquire_timeout: seconds, idle_timeout: seconds, max_lifetime: seconds, validate: bool },
};

/** Keys every kind accepts: they configure the pool and the manager, not the provider. */
export const COMMON_SHAPE: ConfigShape = {
  keys: {
    pool: { type: "object", shape: POOL_SHAPE },
    connection_pool_size: positiveCount,
    timeout_seconds: seconds,
    retry_attempts: count,
    retry_delay_seconds: seconds,
    health_check_interval: { type: "number", minimum: 0, exclusive: true, nullable: true },
  },
};

/** `circuit_breaker: { failure_threshold, reset_timeout }` (http, llm). */
export const CIRCUIT_BREAKER_SHAPE: ConfigShape = { keys: { failure_threshold: positiveCount, reset_timeout: seconds } };

/** `circuit_breaker`: its settings, `true` for the defaults, `false` for none. */
const CIRCUIT_BREAKER: ConfigType = { type: "anyOf", of: [bool, { type: "object", shape: CIRCUIT_BREAKER_SHAPE }] };

/** `rate_limit: { requests_per_second | requests_per_minute, burst }` (http). */
export const RATE_LIMIT_SHAPE: ConfigShape = {
  keys: { requests_per_second: positiveSeconds, requests_per_minute: positiveSeconds, burst: { type: "number", minimum: 1 } },
  required: [["requests_per_second", "requests_per_minute"]],
  exclusive: [["requests_per_second", "requests_per_minute"]],
};

/** `auth: { type: "bearer" | "basic" | "api_key", … }` (http). */
export const AUTH_TYPE: ConfigType = {
  type: "tagged",
  tag: "type",
  variants: {
    bearer: { keys: { token: str }, required: [["token"]] },
    basic: { keys: { username: str, password: str }, required: [["username"]] },
    api_key: { keys: { key_name: str, key_value: str }, required: [["key_value"]] },
  },
};

const SQLITE: ResourceKind = {
  kind: "sqlite",
  handleType: "SqliteHandle",
  sync: true,
  shape: { keys: { path: str, wal: bool, readonly: bool, busy_timeout: seconds, pragmas: { type: "map", values: "scalar" } } },
};

const POSTGRES: ResourceKind = {
  kind: "postgres",
  handleType: "PostgresHandle",
  sync: false,
  shape: {
    keys: {
      connection_string: str,
      host: str,
      port: { type: "number", integer: true, minimum: 1 },
      user: str,
      password: str,
      database: str,
      ssl: { type: "anyOf", of: [bool, { type: "map", values: "scalar" }] },
      statement_timeout: positiveSeconds,
      application_name: str,
    },
    required: [["connection_string", "host"]],
  },
};

const FILESYSTEM: ResourceKind = {
  kind: "filesystem",
  handleType: "FilesystemHandle",
  sync: true,
  shape: { keys: { base_path: str, encoding: str, temp_dir: str }, required: [["base_path"]] },
};

const HTTP: ResourceKind = {
  kind: "http",
  handleType: "HttpHandle",
  sync: false,
  shape: {
    keys: {
      base_url: str,
      headers: { type: "map", values: "scalar" },
      auth: AUTH_TYPE,
      timeout: positiveSeconds,
      max_retries: count,
      retry_delay: seconds,
      max_retry_delay: seconds,
      rate_limit: { type: "object", shape: RATE_LIMIT_SHAPE },
      circuit_breaker: CIRCUIT_BREAKER,
    },
    required: [["base_url"]],
  },
};

const LLM: ResourceKind = {
  kind: "llm",
  handleType: "LlmHandle",
  sync: false,
  shape: {
    keys: {
      base_url: str,
      model: str,
      api_key: str,
      embedding_model: str,
      temperature: seconds,
      max_tokens: positiveCount,
      timeout: positiveSeconds,
      max_retries: count,
      retry_delay: seconds,
      requests_per_minute: positiveSeconds,
      tokens_per_minute: positiveSeconds,
      circuit_breaker: CIRCUIT_BREAKER,
    },
    required: [["base_url"], ["model"]],
  },
};

const VECTOR: ResourceKind = {
  kind: "vector",
  handleType: "VectorHandle",
  sync: "backend",
  shape: {
    keys: {
      dimensions: positiveCount,
      backend: oneOf("sqlite", "memory", "postgres"),
      path: str,
      connection_string: str,
      metric: oneOf("cosine", "l2"),
    },
    required: [["dimensions"]],
  },
};

const CUSTOM: ResourceKind = {
  kind: "custom",
  sync: "provider",
  // The provider reads the rest of its configuration itself.
  shape: { keys: { module: str, export: str }, required: [["module"]], open: true },
};

/** Every provider kind, by its name. */
export const RESOURCE_KINDS: Readonly<Record<ProviderKind, ResourceKind>> = {
  sqlite: SQLITE,
  postgres: POSTGRES,
  filesystem: FILESYSTEM,
  http: HTTP,
  llm: LLM,
  vector: VECTOR,
  custom: CUSTOM,
};

/** Spellings of `type` that stand for a kind: `database` (by its `backend`) and `vector_store`. */
export const KIND_ALIASES: Readonly<Record<string, string>> = { database: "sqlite or postgres (by `backend`)", vector_store: "vector" };

/** Values of `backend` a `database` resource accepts, and the kind each picks. */
export const DATABASE_BACKENDS: Readonly<Record<string, "sqlite" | "postgres">> = { sqlite: "sqlite", postgres: "postgres", postgresql: "postgres" };

/** Vector backends whose provider answers synchronously. */
export const SYNC_VECTOR_BACKENDS: readonly string[] = ["sqlite", "memory"];

/** Every `type` a resource declaration may give: the kinds and their aliases, sorted. */
export const RESOURCE_TYPE_NAMES: readonly string[] = [...Object.keys(RESOURCE_KINDS), ...Object.keys(KIND_ALIASES)].sort();

/** The extra key a `database` resource accepts besides its backend's keys. */
const DATABASE_SHAPE_KEYS: Readonly<Record<string, ConfigType>> = { backend: oneOf(...Object.keys(DATABASE_BACKENDS)) };

/** The keys of each built-in kind, for comparison with the runtime providers' key lists. */
export const KIND_KEYS: Readonly<Record<Exclude<ProviderKind, "custom">, readonly string[]>> = {
  sqlite: Object.keys(SQLITE.shape.keys),
  postgres: Object.keys(POSTGRES.shape.keys),
  filesystem: Object.keys(FILESYSTEM.shape.keys),
  http: Object.keys(HTTP.shape.keys),
  llm: Object.keys(LLM.shape.keys),
  vector: Object.keys(VECTOR.shape.keys),
};

/** The keys every kind accepts (`pool`, `connection_pool_size`, …). */
export const COMMON_KEYS: readonly string[] = Object.keys(COMMON_SHAPE.keys);

/** The keys of `pool`. */
export const POOL_KEYS: readonly string[] = Object.keys(POOL_SHAPE.keys);

/** True for a string holding an environment reference (`${VAR}`, `${VAR:-default}`): its type is known when the resource opens. */
export function isEnvReference(value: JsonValue | undefined): boolean {
  return typeof value === "string" && /\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/.test(value);
}

/** A declared resource's kind, resolved. */
export interface ResolvedResource {
  /** The kind's catalogue entry. */
  readonly kind: ResourceKind;
  /** The full shape of the declaration's configuration: the kind's keys, the common keys, and `backend` for `database`. */
  readonly shape: ConfigShape;
  /** The handle type of `ctx.resources.<role>`, or undefined when the provider decides (custom). */
  readonly handleType?: string;
  /** True when the provider answers synchronously; undefined when only the provider knows (custom). */
  readonly sync?: boolean;
}

/**
 * Resolves a declaration's `type` (and, for `database`, its `backend`) to a kind; undefined when
 * the type names no kind, or a `database` backend is not a literal the catalogue knows (the
 * configuration check reports both).
 */
export function resolveResource(type: string, config: JsonObject): ResolvedResource | undefined {
  let kind: ResourceKind | undefined;
  let extraKeys: Readonly<Record<string, ConfigType>> = {};
  if (type === "database") {
    const backend = config["backend"] ?? "sqlite";
    const picked = typeof backend === "string" && Object.hasOwn(DATABASE_BACKENDS, backend) ? DATABASE_BACKENDS[backend] : undefined;
    if (picked === undefined) return undefined;
    kind = RESOURCE_KINDS[picked];
    extraKeys = DATABASE_SHAPE_KEYS;
  } else if (type === "vector_store") {
    kind = RESOURCE_KINDS.vector;
  } else if (Object.hasOwn(RESOURCE_KINDS, type)) {
    kind = RESOURCE_KINDS[type as ProviderKind];
  }
  if (kind === undefined) return undefined;
  const shape: ConfigShape = {
    ...kind.shape,
    keys: { ...kind.shape.keys, ...extraKeys, ...COMMON_SHAPE.keys },
  };
  const sync = syncOf(kind, config);
  return {
    kind,
    shape,
    ...(kind.handleType !== undefined ? { handleType: kind.handleType } : {}),
    ...(sync !== undefined ? { sync } : {}),
  };
}

function syncOf(kind: ResourceKind, config: JsonObject): boolean | undefined {
  if (typeof kind.sync === "boolean") return kind.sync;
  if (kind.sync === "provider") return undefined;
  const backend = config["backend"] ?? "sqlite";
  // An environment reference may pick any backend: only a literal synchronous one is known to be sync.
  return typeof backend === "string" && SYNC_VECTOR_BACKENDS.includes(backend);
}

/**
 * The required keys of a configuration that are missing (one name per unmet group, alternatives
 * joined by ` or `); an environment reference counts as given.
 */
export function missingRequiredKeys(shape: ConfigShape, config: JsonObject): string[] {
  const out: string[] = [];
  for (const group of shape.required ?? []) {
    if (group.some((key) => config[key] !== undefined && config[key] !== null)) continue;
    out.push(group.map((k) => `\`${k}\``).join(" or "));
  }
  return out;
}
