/**
 * The `http` resource: an API at `base_url`. The provider owns one `HttpClient` (keep-alive
 * connections, the circuit breaker and the rate limit are shared by every handle); a handle is a
 * light view bound to it. `parseHttpClientOptions` turns the shared keys (seconds in the config)
 * into client options, and the `llm` provider reuses it.
 */
import { ResourceConfigError, ResourceError, secretsOf } from "../errors.js";
import type { HttpHandle, HttpRequestOptions, HttpResponse } from "../handles.js";
import { HttpClient, type HttpAuth, type HttpClientOptions } from "../http/client.js";
import { DEFAULT_API_KEY_HEADER } from "../http/request-parts.js";
import type { HealthReport, ResourceProvider } from "../types.js";
import { type ConfigObject, ConfigReader } from "./config-keys.js";

/**
 * A service's health from one request sent without retries (shared by `http` and `llm`): below
 * 500 healthy, 500 and above degraded, no answer unhealthy; an open circuit breaker degrades it.
 */
export async function probeHealth(client: HttpClient, method: string, path: string): Promise<HealthReport> {
  let status: number;
  try {
    status = await client.probe(method, path);
  } catch (error) {
    if (!(error instanceof ResourceError)) throw error;
    return { status: "unhealthy", detail: error.message };
  }
  if (status >= 500) return { status: "degraded", detail: `${method} ${path} answered HTTP ${status}` };
  if (client.circuitState === "open") return { status: "degraded", detail: "the circuit breaker is open after repeated failures" };
  return { status: "healthy" };
}

/** The keys an `http` resource accepts (besides the manager's common keys). */
export const HTTP_KEYS = ["base_url", "headers", "auth", "timeout", "max_retries", "retry_delay", "max_retry_delay", "rate_limit", "circuit_breaker"] as const;

/** Defaults of the shared keys, in the config's units (seconds); the `llm` provider passes its own. */
export interface HttpConfigDefaults {
  readonly timeout: number;
  readonly max_retries: number;
  readonly retry_delay: number;
  readonly max_retry_delay: number;
}

/** The `http` kind's defaults (docs/resources.md). */
export const HTTP_DEFAULTS: HttpConfigDefaults = { timeout: 30, max_retries: 3, retry_delay: 0.5, max_retry_delay: 30 };

/** Defaults inside `circuit_breaker: {}` (or `circuit_breaker: true`). */
const CIRCUIT_DEFAULTS = { failure_threshold: 5, reset_timeout: 60 } as const;

/**
 * Client options from the shared keys of a resource config: `base_url`, `headers`, `auth`,
 * `timeout`, `max_retries`, `retry_delay`, `max_retry_delay`, `rate_limit`, `circuit_breaker`.
 * Other keys are left alone (the caller rejects unknown keys with its own key list). Throws
 * `ResourceConfigError` on a missing `base_url` or an ill-typed key.
 */
export function parseHttpClientOptions(name: string, config: ConfigObject, defaults: Partial<HttpConfigDefaults> = {}): HttpClientOptions {
  const reader = new ConfigReader(name, config);
  const fallback = { ...HTTP_DEFAULTS, ...defaults };
  const baseUrl = reader.requiredString("base_url");
  if (!/^https?:\/\/[^/]/i.test(baseUrl) || !URL.canParse(baseUrl)) {
    throw new ResourceConfigError(name, "`base_url` must be an http:// or https:// URL");
  }
  const headers = reader.stringRecord("headers");
  const auth = parseAuth(reader);
  const rateLimit = parseRateLimit(reader);
  const circuitBreaker = parseCircuitBreaker(reader);
  return {
    resource: name,
    baseUrl,
    timeoutMs: secondsToMs(reader.number("timeout", { min: 0, exclusiveMin: true }) ?? fallback.timeout),
    maxRetries: reader.number("max_retries", { min: 0, integer: true }) ?? fallback.max_retries,
    retryDelayMs: secondsToMs(reader.number("retry_delay", { min: 0 }) ?? fallback.retry_delay),
    maxRetryDelayMs: secondsToMs(reader.number("max_retry_delay", { min: 0 }) ?? fallback.max_retry_delay),
    secrets: secretsOf(config),
    ...(headers && { headers }),
    ...(auth && { auth }),
    ...(rateLimit && { rateLimit }),
    ...(circuitBreaker && { circuitBreaker }),
  };
}

/** `auth: {type: "bearer", token}`, `{type: "basic", username, password}` or `{type: "api_key", key_name?, key_value}`. */
function parseAuth(reader: ConfigReader): HttpAuth | undefined {
  const auth = reader.object("auth");
  if (auth === undefined) return undefined;
  const type = auth.requiredString("type");
  switch (type) {
    case "bearer":
      auth.rejectUnknown(["type", "token"], "auth");
      return { type, token: auth.requiredString("token") };
    case "basic":
      auth.rejectUnknown(["type", "username", "password"], "auth");
      return { type, username: auth.requiredString("username"), password: auth.string("password") ?? "" };
    case "api_key": {
      auth.rejectUnknown(["type", "key_name", "key_value"], "auth");
      return { type, key_name: auth.string("key_name") ?? DEFAULT_API_KEY_HEADER, key_value: auth.requiredString("key_value") };
    }
    default:
      throw new ResourceConfigError(reader.resource, `\`auth.type\` must be "bearer", "basic" or "api_key", got ${JSON.stringify(type)}`);
  }
}

/** `rate_limit: {requests_per_second | requests_per_minute, burst}` (burst defaults to 1). */
function parseRateLimit(reader: ConfigReader): HttpClientOptions["rateLimit"] {
  const limit = reader.object("rate_limit");
  if (limit === undefined) return undefined;
  limit.rejectUnknown(["requests_per_second", "requests_per_minute", "burst"], "rate_limit");
  const perSecond = limit.number("requests_per_second", { min: 0, exclusiveMin: true });
  const perMinute = limit.number("requests_per_minute", { min: 0, exclusiveMin: true });
  if ((perSecond === undefined) === (perMinute === undefined)) {
    throw new ResourceConfigError(reader.resource, "`rate_limit` needs exactly one of `requests_per_second` and `requests_per_minute`");
  }
  return { ratePerSecond: perSecond ?? (perMinute ?? 0) / 60, burst: limit.number("burst", { min: 1 }) ?? 1 };
}

/** `circuit_breaker: {failure_threshold, reset_timeout}`, `true` for the defaults, absent or `false` for none. */
function parseCircuitBreaker(reader: ConfigReader): HttpClientOptions["circuitBreaker"] {
  const flag = reader.config["circuit_breaker"];
  if (flag === undefined || flag === false || flag === "false") return undefined;
  const breaker = flag === true || flag === "true" ? new ConfigReader(reader.resource, {}, "circuit_breaker.") : reader.object("circuit_breaker");
  if (breaker === undefined) return undefined;
  breaker.rejectUnknown(["failure_threshold", "reset_timeout"], "circuit_breaker");
  return {
    failureThreshold: breaker.number("failure_threshold", { min: 1, integer: true }) ?? CIRCUIT_DEFAULTS.failure_threshold,
    resetTimeoutMs: secondsToMs(breaker.number("reset_timeout", { min: 0 }) ?? CIRCUIT_DEFAULTS.reset_timeout),
  };
}

function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** Creates the provider of an `http` resource from its env-resolved configuration. */
export function createHttpProvider(name: string, config: Readonly<Record<string, unknown>>): ResourceProvider<HttpHandle> {
  new ConfigReader(name, config).rejectUnknown(HTTP_KEYS, "http");
  return new HttpProvider(new HttpClient(parseHttpClientOptions(name, config)));
}

/** One client per resource; handles are views of it. */
class HttpProvider implements ResourceProvider<HttpHandle> {
  readonly kind = "http";
  readonly sync = false;
  readonly #client: HttpClient;
  #closed = false;

  constructor(client: HttpClient) {
    this.#client = client;
  }

  acquire(): HttpHandle {
    return new ApiHandle(this.#client);
  }

  release(): void {
    // The handle owns nothing: connections belong to the shared client, closed in close().
  }

  validate(): boolean {
    return !this.#closed;
  }

  /** `HEAD /` once, without retries (`probeHealth`). */
  health(): Promise<HealthReport> {
    return probeHealth(this.#client, "HEAD", "/");
  }

  metrics(): Readonly<Record<string, number>> {
    return this.#client.metrics();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#client.close();
  }
}

/** The handle functions receive. */
class ApiHandle implements HttpHandle {
  constructor(private readonly client: HttpClient) {}

  request<T = unknown>(method: string, path: string, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.client.request<T>(method, path, options);
  }

  get<T = unknown>(path: string, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.client.request<T>("GET", path, options);
  }

  post<T = unknown>(path: string, body?: unknown, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.client.request<T>("POST", path, withBody(options, body));
  }

  put<T = unknown>(path: string, body?: unknown, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.client.request<T>("PUT", path, withBody(options, body));
  }

  patch<T = unknown>(path: string, body?: unknown, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.client.request<T>("PATCH", path, withBody(options, body));
  }

  delete<T = unknown>(path: string, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.client.request<T>("DELETE", path, options);
  }
}

function withBody(options: HttpRequestOptions | undefined, body: unknown): HttpRequestOptions {
  return body === undefined ? (options ?? {}) : { ...options, body };
}
