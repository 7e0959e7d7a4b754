import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpStatusError, ResourceConfigError } from "../../../../runtime/resources/errors.js";
import type { HttpHandle } from "../../../../runtime/resources/handles.js";
import { createHttpProvider, HTTP_DEFAULTS, HTTP_KEYS, parseHttpClientOptions } from "../../../../runtime/resources/providers/http.js";
import type { ResourceProvider } from "../../../../runtime/resources/types.js";
import { startTestServer, type TestServer } from "../../../support/http-server.js";

describe("parseHttpClientOptions", () => {
  it("applies the documented defaults and turns seconds into milliseconds", () => {
    expect(parseHttpClientOptions("api", { base_url: "http://127.0.0.1:1/v1" })).toEqual({
      resource: "api",
      baseUrl: "http://127.0.0.1:1/v1",
      timeoutMs: 30_000,
      maxRetries: 3,
      retryDelayMs: 500,
      maxRetryDelayMs: 30_000,
      secrets: [],
    });
    expect(HTTP_DEFAULTS).toEqual({ timeout: 30, max_retries: 3, retry_delay: 0.5, max_retry_delay: 30 });
  });

  it("reads every shared key, accepting numbers spelled as strings (env values)", () => {
    const options = parseHttpClientOptions("api", {
      base_url: "https://api.example.com",
      headers: { "X-Team": "data", "X-Version": 2 },
      auth: { type: "bearer", token: "tok-123456" },
      timeout: "2.5",
      max_retries: 0,
      retry_delay: 0.1,
      max_retry_delay: 1,
      rate_limit: { requests_per_minute: 120, burst: 5 },
      circuit_breaker: { failure_threshold: 2, reset_timeout: 10 },
    });
    expect(options).toMatchObject({
      headers: { "X-Team": "data", "X-Version": "2" },
      auth: { type: "bearer", token: "tok-123456" },
      timeoutMs: 2500,
      maxRetries: 0,
      retryDelayMs: 100,
      maxRetryDelayMs: 1000,
      rateLimit: { ratePerSecond: 2, burst: 5 },
      circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 10_000 },
    });
    expect(options.secrets).toContain("tok-123456");
  });

  it("reads the auth forms and the breaker's shorthand forms", () => {
    expect(parseHttpClientOptions("api", { base_url: "http://h", auth: { type: "api_key", key_value: "k-123456" } }).auth).toEqual({
      type: "api_key",
      key_name: "X-API-Key",
      key_value: "k-123456",
    });
    expect(parseHttpClientOptions("api", { base_url: "http://h", auth: { type: "basic", username: "u", password: "p" } }).auth).toEqual({
      type: "basic",
      username: "u",
      password: "p",
    });
    expect(parseHttpClientOptions("api", { base_url: "http://h", circuit_breaker: {} }).circuitBreaker).toEqual({ failureThreshold: 5, resetTimeoutMs: 60_000 });
    expect(parseHttpClientOptions("api", { base_url: "http://h", circuit_breaker: true }).circuitBreaker).toEqual({ failureThreshold: 5, resetTimeoutMs: 60_000 });
    expect(parseHttpClientOptions("api", { base_url: "http://h", circuit_breaker: false }).circuitBreaker).toBeUndefined();
    expect(parseHttpClientOptions("api", { base_url: "http://h", rate_limit: { requests_per_second: 4 } }).rateLimit).toEqual({ ratePerSecond: 4, burst: 1 });
  });

  it("leaves other kinds' keys alone and takes their defaults (for the llm provider)", () => {
    const options = parseHttpClientOptions("llm", { base_url: "http://h/v1", model: "m", api_key: "sk-abcdef" }, { timeout: 60, retry_delay: 1 });
    expect(options).toMatchObject({ timeoutMs: 60_000, retryDelayMs: 1000, maxRetries: 3 });
    expect(options.secrets).toContain("sk-abcdef");
  });

  it.each([
    [{}, /`base_url` is required/],
    [{ base_url: "ftp://h" }, /`base_url` must be an http/],
    [{ base_url: "not a url" }, /`base_url` must be an http/],
    [{ base_url: "http://h", timeout: "soon" }, /`timeout` must be a number, got "soon"/],
    [{ base_url: "http://h", timeout: 0 }, /`timeout` must be greater than 0/],
    [{ base_url: "http://h", max_retries: -1 }, /`max_retries` must be at least 0/],
    [{ base_url: "http://h", max_retries: 1.5 }, /`max_retries` must be a whole number/],
    [{ base_url: "http://h", headers: { a: {} } }, /`headers.a` must be a string, got an object/],
    [{ base_url: "http://h", headers: "x" }, /`headers` must be an object, got a string/],
    [{ base_url: "http://h", auth: { type: "oauth" } }, /`auth.type` must be "bearer", "basic" or "api_key"/],
    [{ base_url: "http://h", auth: { type: "bearer" } }, /`auth.token` is required/],
    [{ base_url: "http://h", auth: { type: "bearer", token: "t", tokn: "x" } }, /unknown `auth` key `tokn`; did you mean `token`\?/],
    [{ base_url: "http://h", rate_limit: { burst: 2 } }, /exactly one of `requests_per_second` and `requests_per_minute`/],
    [{ base_url: "http://h", rate_limit: { requests_per_second: 1, requests_per_minute: 60 } }, /exactly one of/],
    [{ base_url: "http://h", circuit_breaker: { failure_threshhold: 3 } }, /unknown `circuit_breaker` key `failure_threshhold`; did you mean `failure_threshold`\?/],
    [{ base_url: "http://h", circuit_breaker: { failure_threshold: 0 } }, /`circuit_breaker.failure_threshold` must be at least 1/],
  ])("rejects %j", (config, message) => {
    expect(() => parseHttpClientOptions("api", config)).toThrow(ResourceConfigError);
    expect(() => parseHttpClientOptions("api", config)).toThrow(message);
  });
});

describe("http provider", () => {
  let server: TestServer;
  let provider: ResourceProvider<HttpHandle>;

  beforeEach(async () => {
    server = await startTestServer();
    provider = createHttpProvider("api", { base_url: server.url, retry_delay: 0.001, max_retries: 1, auth: { type: "bearer", token: "secret-token-xyz" } });
  });

  afterEach(async () => {
    await provider.close?.();
    await server.close();
  });

  it("declares its keys and kind, and rejects unknown keys with a suggestion", () => {
    expect(HTTP_KEYS).toEqual(["base_url", "headers", "auth", "timeout", "max_retries", "retry_delay", "max_retry_delay", "rate_limit", "circuit_breaker"]);
    expect(provider.kind).toBe("http");
    expect(provider.sync).toBe(false);
    expect(() => createHttpProvider("api", { base_url: server.url, max_retry: 2 })).toThrow(/unknown http key `max_retry`; did you mean `max_retries`\?/);
    expect(() => createHttpProvider("api", { base_url: server.url, model: "m" })).toThrow(ResourceConfigError);
  });

  it("gives handles every method, all sharing one keep-alive connection", async () => {
    server.route("*", "/things", (request) => ({ json: { method: request.method, body: request.body } }));
    const first = (await provider.acquire()) as HttpHandle;
    const second = (await provider.acquire()) as HttpHandle;
    expect((await first.get("/things")).body).toEqual({ method: "GET", body: "" });
    expect((await second.post("/things", { a: 1 })).body).toEqual({ method: "POST", body: '{"a":1}' });
    expect((await first.put("/things", "text")).body).toEqual({ method: "PUT", body: "text" });
    expect((await second.patch("/things", [1])).body).toEqual({ method: "PATCH", body: "[1]" });
    expect((await first.delete("/things")).body).toEqual({ method: "DELETE", body: "" });
    expect((await second.request("OPTIONS", "/things")).body).toMatchObject({ method: "OPTIONS" });
    await provider.release(first);
    expect(server.connections()).toBe(1);
    expect(server.requests.every((r) => r.headers.authorization === "Bearer secret-token-xyz")).toBe(true);
    expect(provider.metrics?.()).toMatchObject({ requests: 6, retries: 0, failures: 0 });
  });

  it("throws HttpStatusError for a 4xx at once and retries a 5xx", async () => {
    server.failFirst("GET", "/flaky", 1, { status: 502, text: "bad gateway" }, { json: { ok: 1 } });
    const handle = (await provider.acquire()) as HttpHandle;
    await expect(handle.get("/nope")).rejects.toThrow(HttpStatusError);
    expect(server.calls("GET", "/nope")).toHaveLength(1);
    expect((await handle.get("/flaky")).body).toEqual({ ok: 1 });
    expect(provider.metrics?.()).toMatchObject({ retries: 1, failures: 1 });
  });

  it("reports health from HEAD /", async () => {
    expect(await provider.health?.()).toEqual({ status: "healthy" }); // 404 is below 500: the server answers
    server.route("HEAD", "/", { status: 503 });
    expect(await provider.health?.()).toEqual({ status: "degraded", detail: "HEAD / answered HTTP 503" });
    expect(server.calls("HEAD", "/")).toHaveLength(2); // no retries for a probe
    await server.close();
    const report = await provider.health?.();
    expect(report?.status).toBe("unhealthy");
    expect(report?.detail).toMatch(/HEAD \/ failed/);
    server = await startTestServer(); // afterEach closes it
  });

  it("closes the shared client on close", async () => {
    const handle = (await provider.acquire()) as HttpHandle;
    await provider.close?.();
    expect(await provider.validate?.(handle)).toBe(false);
    await expect(handle.get("/")).rejects.toThrow(/the HTTP client is closed/);
  });
});
