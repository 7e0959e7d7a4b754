/**
 * From a declared resource to what the manager runs: the configuration with the caller's
 * overrides merged in and environment references resolved (decision E10: resolved when the
 * resource opens, never in generated code), the kind normalised (`database` + `backend`,
 * `vector_store`), the manager's common keys (pool, retry, timeouts, health interval) taken out
 * and checked, and the provider made. Every key takes effect or is refused (FSMR0026).
 */
import type { ResourceConfig } from "../machine/api.js";
import type { ResourceDefinition } from "../machine/definition.js";
import { ResourceConfigError, secretsOf } from "./errors.js";
import type { ResourceSpec } from "./manager.js";
import type { PoolSettings, ResourceProvider } from "./types.js";
import { MAX_TIMER_MS } from "./pool.js";

/** Makes a built-in provider from its (resolved, common-keys-free) configuration. */
export type ProviderFactory = (name: string, config: Readonly<Record<string, unknown>>) => ResourceProvider;

/** The keys every kind accepts (they configure the pool and the manager). */
export const COMMON_KEYS = ["pool", "connection_pool_size", "timeout_seconds", "retry_attempts", "retry_delay_seconds", "health_check_interval"] as const;

const POOL_KEYS = ["min", "max", "acquire_timeout", "idle_timeout", "max_lifetime", "validate"] as const;

/** Environment variables, as `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** True when `value` is a provider rather than configuration. */
export function isProvider(value: unknown): value is ResourceProvider {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Partial<ResourceProvider>;
  return typeof p.acquire === "function" && typeof p.release === "function" && typeof p.kind === "string";
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a configuration: the variable, else
 * `FSM_VAR`, else the default; an unset variable without a default is an error naming it.
 */
export function resolveEnv(resource: string, value: unknown, env: Env): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_whole, name: string, fallback: string | undefined) => {
      // `${VAR:-default}` as in a shell: an empty variable takes the default too.
      const set = (value: string | undefined): string | undefined => (value === undefined || (value === "" && fallback !== undefined) ? undefined : value);
      const found = set(env[name]) ?? set(env[`FSM_${name}`]) ?? fallback;
      if (found === undefined) {
        throw new ResourceConfigError(resource, `environment variable ${name} is not set (nor FSM_${name}), and the configuration gives no default (\`\${${name}:-default}\`)`);
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolveEnv(resource, item, env));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnv(resource, v, env)]));
  }
  return value;
}

/** The provider kind of a declaration: `database` by its `backend`, aliases folded. */
export function providerKind(type: string, config: Readonly<Record<string, unknown>>): string {
  if (type === "database") {
    const backend = config["backend"];
    if (backend === undefined || backend === "sqlite") return "sqlite";
    if (backend === "postgres" || backend === "postgresql") return "postgres";
    return `database/${String(backend)}`; // no such kind: resourceSpec names it
  }
  if (type === "vector_store") return "vector";
  return type;
}

function seconds(resource: string, key: string, value: unknown, fallback: number, allowZero = true): number {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new ResourceConfigError(resource, `\`${key}\` must be a number of seconds ${allowZero ? ">= 0" : "> 0"}, got ${JSON.stringify(value)}`);
  }
  if (n * 1000 > MAX_TIMER_MS) throw new ResourceConfigError(resource, `\`${key}\` must be at most ${MAX_TIMER_MS / 1000} seconds (about 24 days), got ${n}`);
  return n * 1000;
}

function count(resource: string, key: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
    throw new ResourceConfigError(resource, `\`${key}\` must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function onlyCommon(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => (COMMON_KEYS as readonly string[]).includes(key)));
}

/** Pool settings from `pool` / `connection_pool_size` (seconds in, milliseconds out). */
export function poolSettings(resource: string, config: Readonly<Record<string, unknown>>, canValidate: boolean): PoolSettings {
  const raw = config["pool"] ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ResourceConfigError(resource, "`pool` must be an object");
  const pool = raw as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(pool)) {
    if (!(POOL_KEYS as readonly string[]).includes(key)) {
      throw new ResourceConfigError(resource, `unknown key \`pool.${key}\` (pool keys: ${POOL_KEYS.join(", ")})`);
    }
  }
  if (pool["max"] !== undefined && config["connection_pool_size"] !== undefined) {
    throw new ResourceConfigError(resource, "give `pool.max` or `connection_pool_size`, not both");
  }
  const max = count(resource, "pool.max", pool["max"] ?? config["connection_pool_size"], 10, 1);
  const min = count(resource, "pool.min", pool["min"], 0, 0);
  if (min > max) throw new ResourceConfigError(resource, `\`pool.min\` (${min}) is larger than \`pool.max\` (${max})`);
  const validate = pool["validate"];
  if (validate !== undefined && typeof validate !== "boolean") throw new ResourceConfigError(resource, "`pool.validate` must be true or false");
  return {
    min,
    max,
    acquireTimeoutMs: seconds(resource, "pool.acquire_timeout", pool["acquire_timeout"], 30_000),
    idleTimeoutMs: seconds(resource, "pool.idle_timeout", pool["idle_timeout"], 300_000),
    maxLifetimeMs: seconds(resource, "pool.max_lifetime", pool["max_lifetime"], 3_600_000),
    validateOnBorrow: (validate ?? true) && canValidate,
  };
}

/**
 * The manager's spec of one declared resource. `override` is what the caller passed for it in
 * `createMachine({ resources })`: a provider (used as is), or configuration merged over the
 * declared one.
 */
export function resourceSpec(
  def: ResourceDefinition,
  override: ResourceProvider | ResourceConfig | undefined,
  env: Env,
  factories: Readonly<Record<string, ProviderFactory>>,
): ResourceSpec {
  const name = def.name;
  // A provider passed in replaces the declared configuration, except the manager's own keys.
  const declared = isProvider(override) ? onlyCommon(def.config) : { ...def.config, ...(override ?? {}) };
  const config = resolveEnv(name, declared, env) as Readonly<Record<string, unknown>>;
  const secrets = secretsOf(config);
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) if (!(COMMON_KEYS as readonly string[]).includes(key)) own[key] = value;
  let provider: ResourceProvider;
  if (isProvider(override)) {
    provider = override;
  } else if (def.provider !== undefined) {
    const { module: _module, export: _export, ...rest } = own;
    provider = new def.provider(rest, name);
  } else {
    const kind = providerKind(def.type, config);
    if (def.type === "database") {
      delete own["backend"];
      // A `database` without a path is a SQLite file named after it (the embedded default keeps data).
      if (kind === "sqlite" && own["path"] === undefined) own["path"] = `${name}.db`;
    }
    const factory = factories[kind];
    if (factory === undefined) {
      const known = Object.keys(factories).join(", ");
      throw new ResourceConfigError(
        name,
        def.type === "custom"
          ? "a custom resource needs a provider: give `module` (and `export`) in its configuration, or pass one in createMachine({ resources })"
          : kind.startsWith("database/")
            ? `unknown database backend \`${kind.slice("database/".length)}\` (backends: sqlite, postgres)`
            : `unknown resource type \`${def.type}\` (built-in: ${known}, custom)`,
      );
    }
    provider = factory(name, own);
  }
  const pool = poolSettings(name, config, provider.validate !== undefined);
  return {
    name,
    provider,
    pool,
    retry: {
      attempts: count(name, "retry_attempts", config["retry_attempts"], 0, 0),
      delayMs: seconds(name, "retry_delay_seconds", config["retry_delay_seconds"], 1000),
    },
    stateTimeoutMs: seconds(name, "timeout_seconds", config["timeout_seconds"], pool.acquireTimeoutMs),
    healthIntervalMs: seconds(name, "health_check_interval", config["health_check_interval"], 0, false),
    secrets,
  };
}
