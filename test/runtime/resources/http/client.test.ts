import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../../../runtime/clock.js";
import { CircuitOpenError, HttpStatusError, ResourceError } from "../../../../runtime/resources/errors.js";
import { HttpClient, type HttpClientOptions } from "../../../../runtime/resources/http/client.js";
import { startTestServer, type TestServer } from "../../../support/http-server.js";

const TOKEN = "sk-live-0123456789abcdef";

let server: TestServer;
let clock: SimulatedClock;
const clients: HttpClient[] = [];

/** A client on the test server with a simulated clock (backoff and rate limit never really sleep). */
function client(options: Partial<HttpClientOptions> = {}): HttpClient {
  const made = new HttpClient({
    resource: "api",
    baseUrl: server.url,
    timeoutMs: 5000,
    maxRetries: 3,
    retryDelayMs: 100,
    maxRetryDelayMs: 150,
    clock,
    random: () => 0.5,
    ...options,
  });
  clients.push(made);
  return made;
}

/** The error a promise rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-error: ${String(error)}`);
  }
  throw new Error("expected a rejection");
}

beforeEach(async () => {
  server = await startTestServer();
  clock = new SimulatedClock();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

describe("HttpClient: requests", () => {
  it("GETs JSON and text, and POSTs JSON", async () => {
    server.route("GET", "/items", { json: [{ id: 1 }] });
    server.route("GET", "/hello", { text: "hi" });
    server.route("POST", "/items", (request) => ({ status: 201, json: { received: JSON.parse(request.body) as unknown } }));
    const api = client();
    expect(await api.request("GET", "/items")).toMatchObject({ status: 200, body: [{ id: 1 }] });
    expect((await api.request("GET", "/hello")).body).toBe("hi");
    const created = await api.request("POST", "/items", { body: { name: "x" } });
    expect(created).toMatchObject({ status: 201, body: { received: { name: "x" } } });
    expect(created.headers["content-type"]).toBe("application/json");
    expect(server.calls("POST", "/items")[0]?.headers["content-type"]).toBe("application/json");
  });

  it("sends strings and bytes as they are", async () => {
    server.route("PUT", "/raw", (request) => ({ text: `${String(request.headers["content-type"])}|${request.body}` }));
    const api = client();
    expect((await api.request("PUT", "/raw", { body: "plain" })).body).toBe("text/plain; charset=utf-8|plain");
    expect((await api.request("PUT", "/raw", { body: new TextEncoder().encode("bin"), headers: { "Content-Type": "application/x-thing" } })).body).toBe(
      "application/x-thing|bin",
    );
  });

  it("joins the base path and merges query strings", async () => {
    server.route("GET", "/v1/search", { json: {} });
    const api = client({ baseUrl: `${server.url}/v1/` });
    await api.request("GET", "/search?q=a b", { query: { page: 2, exact: true } });
    expect(server.requests[0]).toMatchObject({ path: "/v1/search", query: { q: "a b", page: "2", exact: "true" } });
  });

  it("sends configured headers and request headers, the request's winning", async () => {
    server.route("GET", "/h", { json: {} });
    await client({ headers: { "X-Team": "data", "X-Over": "config" } }).request("GET", "/h", { headers: { "x-over": "call" } });
    expect(server.requests[0]?.headers).toMatchObject({ "x-team": "data", "x-over": "call" });
  });

  it.each([
    ["bearer", { type: "bearer", token: TOKEN } as const, "authorization", `Bearer ${TOKEN}`],
    ["basic", { type: "basic", username: "ada", password: "pa55word!" } as const, "authorization", `Basic ${Buffer.from("ada:pa55word!").toString("base64")}`],
    ["api_key (default header)", { type: "api_key", key_value: "key-123456" } as const, "x-api-key", "key-123456"],
    ["api_key (named header)", { type: "api_key", key_name: "X-Custom-Key", key_value: "key-123456" } as const, "x-custom-key", "key-123456"],
  ])("sends %s auth", async (_label, auth, header, value) => {
    server.route("GET", "/me", { json: {} });
    await client({ auth }).request("GET", "/me");
    expect(server.requests[0]?.headers[header]).toBe(value);
  });

  it("never puts the bearer token in an error message or error body", async () => {
    server.route("GET", "/echo", (request) => ({ status: 401, json: { error: `bad credentials: ${String(request.headers.authorization)}` } }));
    server.route("GET", "/crash", (request) => ({ status: 500, text: `crashed on ${String(request.headers.authorization)}` }));
    const api = client({ auth: { type: "bearer", token: TOKEN }, maxRetries: 0 });
    for (const path of ["/echo", "/crash"]) {
      const error = await failureOf(api.request("GET", path));
      expect(error).toBeInstanceOf(HttpStatusError);
      expect(error.message).not.toContain(TOKEN);
      expect(JSON.stringify((error as HttpStatusError).body)).not.toContain(TOKEN);
      expect(JSON.stringify((error as HttpStatusError).body)).toContain("***");
    }
  });

  it("reports invalid JSON from the server as a resource error", async () => {
    server.route("GET", "/broken", { headers: { "content-type": "application/json" }, text: "{oops" });
    const error = await failureOf(client().request("GET", "/broken"));
    expect(error).toBeInstanceOf(ResourceError);
    expect(error.message).toMatch(/GET \/broken answered invalid JSON/);
  });
});

describe("HttpClient: retries", () => {
  it("does not retry a 404", async () => {
    const api = client();
    const error = await failureOf(api.request("GET", "/missing"));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 404, retryable: false, body: { error: "no route GET /missing" } });
    expect(error.message).toBe("resource `api`: GET /missing answered HTTP 404 Not Found");
    expect(server.calls("GET", "/missing")).toHaveLength(1);
    expect(api.metrics()).toMatchObject({ requests: 1, retries: 0, failures: 1 });
  });

  it("retries 500s and succeeds on the third call", async () => {
    server.failFirst("GET", "/flaky", 2, { status: 500, text: "boom" }, { json: { ok: true } });
    const api = client();
    expect((await api.request("GET", "/flaky")).body).toEqual({ ok: true });
    expect(server.calls("GET", "/flaky")).toHaveLength(3);
    expect(api.metrics()).toMatchObject({ requests: 1, retries: 2, failures: 0 });
  });

  it("gives up after max_retries + 1 calls with HttpStatusError, backing off with capped jitter", async () => {
    server.route("GET", "/down", { status: 503, json: { error: "maintenance" } });
    const error = await failureOf(client({ maxRetries: 2 }).request("GET", "/down?token=abc"));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 503, retryable: true, body: { error: "maintenance" } });
    expect(error.message).toBe("resource `api`: GET /down answered HTTP 503 Service Unavailable after 3 attempts");
    expect(server.calls("GET", "/down")).toHaveLength(3);
    expect(clock.slept).toEqual([50, 75]); // random 0.5 × min(150, 100 · 2^(n-1))
  });

  it("retries a connection reset", async () => {
    server.failFirst("GET", "/reset", 1, { reset: true }, { json: { ok: true } });
    const api = client();
    expect((await api.request("GET", "/reset")).body).toEqual({ ok: true });
    expect(server.calls("GET", "/reset")).toHaveLength(2);
    expect(api.metrics()).toMatchObject({ retries: 1 });
  });

  it("throws a retryable resource error naming the attempts when the network keeps failing", async () => {
    server.route("GET", "/always-reset", { reset: true });
    const error = await failureOf(client({ maxRetries: 1, auth: { type: "bearer", token: TOKEN } }).request("GET", "/always-reset"));
    expect(error).toBeInstanceOf(ResourceError);
    expect(error).toMatchObject({ retryable: true, code: "FSMR0020" });
    expect(error.message).toMatch(/^resource `api`: GET \/always-reset failed after 2 attempts: /);
    expect(error.message).not.toContain(TOKEN);
    expect(server.calls("GET", "/always-reset")).toHaveLength(2);
  });

  it("times out a slow answer per attempt and retries it", async () => {
    server.route("GET", "/slow", { delayMs: 30_000, json: {} });
    const error = await failureOf(client({ timeoutMs: 150, maxRetries: 1 }).request("GET", "/slow"));
    expect(error).toBeInstanceOf(ResourceError);
    expect(error.message).toMatch(/GET \/slow failed after 2 attempts: timed out after 0.15 s/);
    expect(server.calls("GET", "/slow")).toHaveLength(2);
  });

  it("lets a request override the timeout (in seconds)", async () => {
    server.route("GET", "/slow", { delayMs: 30_000, json: {} });
    const error = await failureOf(client({ timeoutMs: 60_000, maxRetries: 0 }).request("GET", "/slow", { timeout: 0.1 }));
    expect(error.message).toMatch(/timed out after 0.1 s/);
  });

  it("stops at once, without retrying or counting a failure, when the caller aborts", async () => {
    server.route("GET", "/slow", { delayMs: 30_000, json: {} });
    const controller = new AbortController();
    const api = client();
    const pending = api.request("GET", "/slow", { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("caller gave up")), 50);
    const error = await failureOf(pending);
    expect(error.message).toBe("caller gave up");
    expect(server.calls("GET", "/slow")).toHaveLength(1);
    expect(api.metrics()).toMatchObject({ retries: 0, failures: 0 });
  });

  it("fails with a retryable error when nothing listens", async () => {
    const closed = await startTestServer();
    await closed.close();
    const error = await failureOf(client({ baseUrl: closed.url, maxRetries: 1 }).request("GET", "/"));
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(/GET \/ failed after 2 attempts: .*ECONNREFUSED/);
  });
});

describe("HttpClient: circuit breaker", () => {
  it("opens after N failed requests, refuses without calling the server, half-opens after the reset timeout", async () => {
    server.route("GET", "/down", { status: 500, json: {} });
    const api = client({ maxRetries: 1, circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 10_000 } });
    await expect(api.request("GET", "/down")).rejects.toThrow(HttpStatusError);
    expect(api.circuitState).toBe("closed");
    await expect(api.request("GET", "/down")).rejects.toThrow(HttpStatusError);
    expect(api.circuitState).toBe("open");
    const refused = await failureOf(api.request("GET", "/down"));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toMatchObject({ code: "FSMR0024" });
    expect(server.calls("GET", "/down")).toHaveLength(4); // 2 requests × 2 attempts, none for the refused one
    expect(api.metrics()).toMatchObject({ circuit_opens: 1, open: 1, circuit_refusals: 1 });

    clock.advance(10_000);
    expect(api.circuitState).toBe("half-open");
    server.route("GET", "/down", { json: { back: true } });
    expect((await api.request("GET", "/down")).body).toEqual({ back: true });
    expect(api.circuitState).toBe("closed");
    expect(api.metrics()).toMatchObject({ open: 0 });
  });

  it("re-opens when the half-open probe fails", async () => {
    server.route("GET", "/down", { status: 502, json: {} });
    const api = client({ maxRetries: 0, circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 1000 } });
    await expect(api.request("GET", "/down")).rejects.toThrow(HttpStatusError);
    clock.advance(1000);
    await expect(api.request("GET", "/down")).rejects.toThrow(HttpStatusError);
    expect(api.circuitState).toBe("open");
    await expect(api.request("GET", "/down")).rejects.toThrow(CircuitOpenError);
    expect(server.calls("GET", "/down")).toHaveLength(2);
    expect(api.metrics()).toMatchObject({ circuit_opens: 2 });
  });

  it("lets only one probe through while half-open", async () => {
    server.route("GET", "/down", { status: 500, json: {} });
    const api = client({ maxRetries: 0, circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 1000 } });
    await expect(api.request("GET", "/down")).rejects.toThrow(HttpStatusError);
    clock.advance(1000);
    server.route("GET", "/down", { delayMs: 100, json: {} });
    const [probe, second] = await Promise.allSettled([api.request("GET", "/down"), api.request("GET", "/down")]);
    expect(probe.status).toBe("fulfilled");
    expect(second.status === "rejected" && second.reason instanceof CircuitOpenError).toBe(true);
  });

  it("does not count 4xx answers as failures", async () => {
    const api = client({ maxRetries: 0, circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 1000 } });
    await expect(api.request("GET", "/missing")).rejects.toThrow(HttpStatusError);
    await expect(api.request("GET", "/missing")).rejects.toThrow(HttpStatusError);
    expect(api.circuitState).toBe("closed");
  });
});

describe("HttpClient: rate limit and connections", () => {
  it("spaces requests with the token bucket (on the injected clock)", async () => {
    server.route("GET", "/r", { json: {} });
    const api = client({ rateLimit: { ratePerSecond: 10, burst: 2 } });
    for (let i = 0; i < 4; i++) await api.request("GET", "/r");
    expect(clock.slept).toEqual([100, 100]);
    expect(server.calls("GET", "/r")).toHaveLength(4);
    expect(api.metrics()).toMatchObject({ rate_limit_waits: 2, requests: 4 });
  });

  it("reuses one keep-alive connection", async () => {
    server.route("GET", "/k", { json: {} });
    const api = client();
    for (let i = 0; i < 5; i++) await api.request("GET", "/k");
    expect(server.connections()).toBe(1);
    expect(new Set(server.requests.map((r) => r.connection))).toEqual(new Set([1]));
  });

  it("opens one connection per request with keepAlive: false", async () => {
    server.route("GET", "/k", { json: {} });
    const api = client({ keepAlive: false });
    for (let i = 0; i < 5; i++) await api.request("GET", "/k");
    expect(server.connections()).toBe(5);
  });

  it("refuses requests once closed", async () => {
    const api = client();
    await api.close();
    await api.close();
    await expect(api.request("GET", "/")).rejects.toThrow(/the HTTP client is closed/);
  });
});

describe("HttpClient: stream", () => {
  it("yields chunks as they arrive", async () => {
    let firstSeen!: () => void;
    const seen = new Promise<void>((resolve) => (firstSeen = resolve));
    server.route("POST", "/stream", { chunks: ["alpha ", "beta"], beforeChunk: (index) => (index === 1 ? seen : Promise.resolve()) });
    const answer = await client().stream("POST", "/stream", { body: { go: true } });
    expect(answer.status).toBe(200);
    const chunks: string[] = [];
    for await (const chunk of answer.body) {
      chunks.push(Buffer.from(chunk).toString("utf8"));
      if (chunks.length === 1) firstSeen(); // the server sends the rest only after we got the first
    }
    expect(chunks.join("")).toBe("alpha beta");
    expect(chunks[0]).toBe("alpha ");
  });

  it("retries before the response starts, and throws HttpStatusError with the text body on 4xx", async () => {
    server.failFirst("GET", "/s", 1, { status: 500, text: "later" }, { chunks: ["ok"] });
    server.route("GET", "/denied", { status: 403, text: "no entry" });
    const api = client();
    const answer = await api.stream("GET", "/s");
    const parts: string[] = [];
    for await (const chunk of answer.body) parts.push(Buffer.from(chunk).toString());
    expect(parts.join("")).toBe("ok");
    expect(server.calls("GET", "/s")).toHaveLength(2);
    const error = await failureOf(api.stream("GET", "/denied"));
    expect(error).toMatchObject({ status: 403, body: "no entry" });
    expect(server.calls("GET", "/denied")).toHaveLength(1);
  });

  it("frees the connection when the consumer stops early", async () => {
    server.route("GET", "/long", { chunks: ["a", "b", "c"], chunkDelayMs: 20 });
    server.route("GET", "/after", { json: { next: true } });
    const api = client();
    const answer = await api.stream("GET", "/long");
    for await (const chunk of answer.body) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect((await api.request("GET", "/after")).body).toEqual({ next: true });
  });
});
