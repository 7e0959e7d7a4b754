/**
 * The HTTP client behind the `http` and `llm` resources: one undici `Agent` (keep-alive
 * connections shared by every handle), auth headers, a per-attempt timeout, retries of 5xx,
 * network errors and timeouts with exponential backoff and full jitter (never of 4xx), a token
 * bucket rate limit that waits, and a circuit breaker. Every message is redacted.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Agent, Dispatcher } from "undici";
import { lazyModule } from "../lazy.js";
import { systemClock } from "../../clock.js";
import { CircuitOpenError, HttpStatusError, redact, ResourceError } from "../errors.js";
import type { HttpRequestOptions, HttpResponse } from "../handles.js";
import { backoffDelayMs } from "./backoff.js";
import { CircuitBreaker, type CircuitOutcome, type CircuitState } from "./circuit.js";
import {
  authHeaders,
  authSecrets,
  type BaseUrl,
  decodeBody,
  displayPath,
  encodeBody,
  flattenHeaders,
  type HttpAuth,
  mergeHeaders,
  parseBaseUrl,
  redactedErrorBody,
  requestTarget,
} from "./request-parts.js";
import { TokenBucket } from "./token-bucket.js";

const undici = lazyModule<typeof import("undici")>("undici");

export type { HttpAuth } from "./request-parts.js";
export type { CircuitState } from "./circuit.js";

/** Settings of an `HttpClient` (milliseconds; the resource config's seconds are converted by `parseHttpClientOptions`). */
export interface HttpClientOptions {
  /** Resource name, for messages. */
  readonly resource: string;
  readonly baseUrl: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: HttpAuth;
  /** Per attempt: until the whole body arrived (`request`), until the headers arrived (`stream`). */
  readonly timeoutMs: number;
  /** Retries after the first attempt, for 5xx, network errors and timeouts only, never 4xx. */
  readonly maxRetries: number;
  /** First backoff; doubles each retry; full jitter; capped by `maxRetryDelayMs`. */
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** Token bucket: an attempt waits (never fails) for a token. */
  readonly rateLimit?: { readonly ratePerSecond: number; readonly burst: number };
  readonly circuitBreaker?: { readonly failureThreshold: number; readonly resetTimeoutMs: number };
  /** Strings redacted from every message (the auth's secrets are added automatically). */
  readonly secrets?: readonly string[];
  /** Time for backoff, rate limit and breaker; tests inject a simulated clock. Default: real time. */
  readonly clock?: { now(): number; sleep(ms: number): Promise<void> };
  /** Default true: one undici Agent with keep-alive; false: a new connection per request. */
  readonly keepAlive?: boolean;
  /** Jitter source in [0, 1) (default `Math.random`); tests inject a fixed one. */
  readonly random?: () => number;
}

/** A streamed response: status and headers at once, the body as it arrives. */
export interface HttpStreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: AsyncIterable<Uint8Array>;
}

/** How one attempt ended. */
type AttemptResult<R> =
  | { readonly kind: "done"; readonly value: R }
  | { readonly kind: "status"; readonly status: number; readonly statusText: string; readonly body: unknown }
  | { readonly kind: "network"; readonly error: unknown; readonly timedOut: boolean }
  | { readonly kind: "aborted"; readonly reason: unknown };

/** Reads a 2xx/3xx response within the attempt (its timeout still runs). */
type ResponseReader<R> = (response: Dispatcher.ResponseData) => Promise<R>;

/** The counters `metrics()` reports. */
interface HttpCounters {
  requests: number;
  retries: number;
  failures: number;
  rate_limit_waits: number;
  circuit_refusals: number;
}

/** A buffered answer before its body is decoded. */
interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}

/** An HTTP client bound to one base URL; shared by every handle of a resource. */
export class HttpClient {
  readonly #options: HttpClientOptions;
  readonly #base: BaseUrl;
  readonly #agent: Agent;
  readonly #clock: { now(): number; sleep(ms: number): Promise<void> };
  readonly #random: () => number;
  readonly #secrets: readonly string[];
  readonly #defaultHeaders: Readonly<Record<string, string>>;
  readonly #breaker: CircuitBreaker | undefined;
  readonly #bucket: TokenBucket | undefined;
  readonly #counters: HttpCounters = { requests: 0, retries: 0, failures: 0, rate_limit_waits: 0, circuit_refusals: 0 };
  #closing: Promise<void> | undefined;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#secrets = [...(options.secrets ?? []), ...authSecrets(options.auth)];
    try {
      this.#base = parseBaseUrl(options.baseUrl);
    } catch (error) {
      throw new ResourceError(options.resource, `base URL ${redact(options.baseUrl, this.#secrets)} is not an http(s) URL`, { cause: error });
    }
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#defaultHeaders = mergeHeaders(options.headers, authHeaders(options.auth));
    this.#agent = new (undici().Agent)({ connect: { timeout: options.timeoutMs } });
    this.#breaker = options.circuitBreaker && new CircuitBreaker(options.circuitBreaker.failureThreshold, options.circuitBreaker.resetTimeoutMs, this.#clock);
    this.#bucket = options.rateLimit && new TokenBucket(options.rateLimit.ratePerSecond, options.rateLimit.burst, this.#clock);
  }

  /** The circuit breaker's state (`closed` when there is none). */
  get circuitState(): CircuitState {
    return this.#breaker?.state ?? "closed";
  }

  /** Sends a request and reads the whole answer; the body is parsed JSON when the server says JSON, else text. */
  async request<T = unknown>(method: string, path: string, options: HttpRequestOptions = {}): Promise<HttpResponse<T>> {
    const answer = await this.#send<RawAnswer>(method, path, options, async (response) => ({
      status: response.statusCode,
      headers: flattenHeaders(response.headers),
      text: await response.body.text(),
    }));
    // undici frees a keep-alive socket one event-loop turn after the answer ends; waiting that
    // turn lets a caller's next request reuse it instead of opening a second connection.
    if (this.#options.keepAlive !== false) await nextTurn();
    try {
      return { status: answer.status, headers: answer.headers, body: decodeBody(answer.text, answer.headers["content-type"]) as T };
    } catch (error) {
      throw new ResourceError(this.#options.resource, this.#redact(`${method.toUpperCase()} ${displayPath(path)} answered invalid JSON: ${messageOf(error)}`), { cause: error });
    }
  }

  /**
   * Sends a request and answers once the headers arrived; retries happen only before that. A
   * status of 400 or more throws `HttpStatusError` with the text body. Stop early with `break`:
   * the connection is released.
   */
  async stream(method: string, path: string, options: HttpRequestOptions = {}): Promise<HttpStreamResponse> {
    const response = await this.#send(method, path, options, (answer) => Promise.resolve(answer));
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body: chunksOf(response.body) };
  }

  /**
   * One `HEAD`-style probe without retries, rate limit or breaker (for health checks): the status,
   * or a `ResourceError` when the server could not be reached.
   */
  async probe(method = "HEAD", path = "/"): Promise<number> {
    this.#assertOpen();
    const result = await this.#attempt(method.toUpperCase(), requestTarget(this.#base, path), {}, this.#options.timeoutMs, async (response) => {
      await response.body.dump();
      return response.statusCode;
    });
    if (result.kind === "done") return result.value;
    if (result.kind === "status") return result.status;
    const reason = result.kind === "network" ? this.#describeFailure(result, this.#options.timeoutMs) : "aborted";
    throw new ResourceError(this.#options.resource, this.#redact(`${method.toUpperCase()} ${displayPath(path)} failed: ${reason}`), { retryable: true });
  }

  /** Counters: requests, retries, failures, circuit_opens, circuit_refusals, rate_limit_waits, open (1 while the breaker is open). */
  metrics(): Readonly<Record<string, number>> {
    return { ...this.#counters, circuit_opens: this.#breaker?.opens ?? 0, open: this.circuitState === "open" ? 1 : 0 };
  }

  /** Closes the connections (waiting for requests in flight); later requests throw. Calling it twice is harmless. */
  close(): Promise<void> {
    this.#closing ??= this.#agent.close();
    return this.#closing;
  }

  /** The retry loop shared by `request` and `stream`: breaker, rate limit, attempts, backoff. */
  async #send<R>(method: string, path: string, options: HttpRequestOptions, read: ResponseReader<R>): Promise<R> {
    this.#assertOpen();
    this.#counters.requests++;
    const verb = method.toUpperCase();
    const label = `${verb} ${displayPath(path)}`;
    const admission = this.#breaker?.admit() ?? { admitted: true, probe: false };
    if (!admission.admitted) {
      this.#counters.circuit_refusals++;
      throw new CircuitOpenError(this.#options.resource, admission.retryInMs);
    }
    const target = requestTarget(this.#base, path, options.query);
    const timeoutMs = options.timeout === undefined ? this.#options.timeoutMs : options.timeout * 1000;
    const attempts = this.#options.maxRetries + 1;
    let outcome: CircuitOutcome = "failure";
    try {
      for (let attempt = 1; ; attempt++) {
        if (this.#bucket !== undefined && (await this.#bucket.take()) > 0) this.#counters.rate_limit_waits++;
        const result = await this.#attempt(verb, target, options, timeoutMs, read);
        if (result.kind === "done") {
          outcome = "success";
          return result.value;
        }
        if (result.kind === "aborted") {
          outcome = "neutral";
          throw result.reason;
        }
        if (result.kind === "status" && result.status < 500) {
          outcome = "success"; // the server answered; the request was wrong
          throw this.#statusError(verb, path, result, attempt);
        }
        if (attempt >= attempts) {
          throw result.kind === "status"
            ? this.#statusError(verb, path, result, attempt)
            : new ResourceError(this.#options.resource, this.#redact(`${label} failed${attempt > 1 ? ` after ${attempt} attempts` : ""}: ${this.#describeFailure(result, timeoutMs)}`), {
                retryable: true,
                cause: result.error,
              });
        }
        this.#counters.retries++;
        await this.#clock.sleep(backoffDelayMs(attempt, this.#options.retryDelayMs, this.#options.maxRetryDelayMs, this.#random));
      }
    } catch (error) {
      if (outcome !== "neutral") this.#counters.failures++;
      throw error;
    } finally {
      this.#breaker?.settle(outcome, admission.probe);
    }
  }

  /** One attempt under its own timeout; expected failures come back as values, never thrown. */
  async #attempt<R>(verb: string, target: string, options: HttpRequestOptions, timeoutMs: number, read: ResponseReader<R>): Promise<AttemptResult<R>> {
    const callerSignal = options.signal;
    if (callerSignal?.aborted === true) return { kind: "aborted", reason: callerSignal.reason };
    const timeout = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      timeout.abort(new Error(`timed out after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const signal = callerSignal === undefined ? timeout.signal : AbortSignal.any([timeout.signal, callerSignal]);
    const body = encodeBody(options.body);
    const headers = mergeHeaders(body && { "content-type": body.contentType }, this.#defaultHeaders, options.headers);
    try {
      const response = await this.#agent.request({
        origin: this.#base.origin,
        path: target,
        method: verb as Dispatcher.HttpMethod,
        headers,
        body: body?.payload ?? null,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        reset: this.#options.keepAlive === false,
      });
      if (response.statusCode >= 400) {
        const text = await response.body.text();
        return { kind: "status", status: response.statusCode, statusText: response.statusText, body: redactedErrorBody(text, flattenHeaders(response.headers)["content-type"], this.#secrets) };
      }
      return { kind: "done", value: await read(response) };
    } catch (error) {
      if (signal.aborted && !timedOut) return { kind: "aborted", reason: signal.reason }; // only the caller's signal is left to abort
      return { kind: "network", error, timedOut: timedOut || isUndiciTimeout(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  #statusError(verb: string, path: string, result: { status: number; statusText: string; body: unknown }, attempts: number): HttpStatusError {
    return new HttpStatusError(this.#options.resource, verb, this.#redact(displayPath(path)), result.status, result.statusText, result.body, attempts);
  }

  #describeFailure(result: { error: unknown; timedOut: boolean }, timeoutMs: number): string {
    if (result.timedOut) return `timed out after ${timeoutMs / 1000} s`;
    const error = result.error;
    const code = (error as { code?: unknown } | undefined)?.code;
    return `${messageOf(error)}${typeof code === "string" ? ` (${code})` : ""}`;
  }

  #redact(message: string): string {
    return redact(message, this.#secrets);
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new ResourceError(this.#options.resource, "the HTTP client is closed");
  }
}

/** The body's chunks; leaving the loop early destroys the body, which frees the connection. */
async function* chunksOf(body: Dispatcher.ResponseData["body"]): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk as Uint8Array;
  } finally {
    if (!body.readableEnded) body.destroy();
  }
}

function isUndiciTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
