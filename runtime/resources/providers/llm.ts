/**
 * The `llm` resource: an OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp …) at
 * `base_url`. The provider owns one `HttpClient` (retries of 5xx, `requests_per_minute` as its
 * rate limit, the circuit breaker, `api_key` as a bearer token, redacted everywhere), one
 * `tokens_per_minute` budget and the usage totals; a handle is a light view bound to them.
 */
import { systemClock } from "../../clock.js";
import type { ChatMessage, LlmAnswer, LlmCallOptions, LlmHandle, LlmUsage } from "../handles.js";
import type { HealthReport, ResourceProvider } from "../types.js";
import { ResourceError, redact, secretsOf } from "../errors.js";
import { HttpClient, type HttpClientOptions } from "../http/client.js";
import { ConfigReader, type ConfigObject } from "./config-keys.js";
import { parseHttpClientOptions, probeHealth } from "./http.js";
import { sseData } from "./llm-sse.js";
import { TokenBudget, type BudgetClock, type TokenReservation } from "./llm-token-budget.js";

/** The configuration keys of an `llm` resource (docs/resources.md). */
export const LLM_KEYS = [
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
] as const;

/** The `llm` kind's defaults, in the config's units (seconds). */
const LLM_DEFAULTS = { timeout: 60, max_retries: 3, retry_delay: 1 } as const;

/** Texts per `POST /embeddings` request. */
export const EMBED_BATCH_SIZE = 64;

/** A checked `llm` configuration. */
export interface LlmSettings {
  readonly resource: string;
  readonly model: string;
  readonly embeddingModel: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly tokensPerMinute?: number;
  readonly client: HttpClientOptions;
  /** Secrets of the configuration (the API key …), redacted from every message. */
  readonly secrets: readonly string[];
}

/** What tests (and embedders) may inject: a clock for waits and backoff, a jitter source. */
export interface LlmProviderOptions {
  readonly clock?: BudgetClock;
  readonly random?: () => number;
}

/** Reads an `llm` configuration (env-resolved, common keys removed); ResourceConfigError on any problem. */
export function parseLlmConfig(name: string, config: ConfigObject, options: LlmProviderOptions = {}): LlmSettings {
  const reader = new ConfigReader(name, config);
  reader.rejectUnknown(LLM_KEYS, "llm");
  const httpKeys = ["base_url", "timeout", "max_retries", "retry_delay", "circuit_breaker"] as const;
  const httpConfig = Object.fromEntries(httpKeys.filter((key) => config[key] !== undefined).map((key) => [key, config[key]]));
  const base = parseHttpClientOptions(name, httpConfig, LLM_DEFAULTS);
  const model = reader.requiredString("model");
  const apiKey = reader.string("api_key");
  const requestsPerMinute = reader.number("requests_per_minute", { min: 0, exclusiveMin: true });
  const temperature = reader.number("temperature", { min: 0 });
  const maxTokens = reader.number("max_tokens", { min: 1, integer: true });
  const tokensPerMinute = reader.number("tokens_per_minute", { min: 0, exclusiveMin: true });
  const secrets = secretsOf(config);
  const client: HttpClientOptions = {
    ...base,
    secrets,
    ...(apiKey !== undefined && apiKey !== "" && { auth: { type: "bearer", token: apiKey } }),
    ...(requestsPerMinute !== undefined && { rateLimit: { ratePerSecond: requestsPerMinute / 60, burst: 1 } }),
    ...(options.clock !== undefined && { clock: options.clock }),
    ...(options.random !== undefined && { random: options.random }),
  };
  return {
    resource: name,
    model,
    embeddingModel: reader.string("embedding_model") ?? model,
    client,
    secrets,
    ...(temperature !== undefined && { temperature }),
    ...(maxTokens !== undefined && { maxTokens }),
    ...(tokensPerMinute !== undefined && { tokensPerMinute }),
  };
}

/** Creates the provider of an `llm` resource; ResourceConfigError when the configuration is wrong. */
export function createLlmProvider(name: string, config: ConfigObject, options: LlmProviderOptions = {}): ResourceProvider<LlmHandle> {
  return new LlmProvider(parseLlmConfig(name, config, options), options);
}

/** Usage totals of one provider. */
interface UsageTotals {
  promptTokens: number;
  completionTokens: number;
  requests: number;
}

/** One client, one budget, one set of totals per resource; handles are views of it. */
class LlmProvider implements ResourceProvider<LlmHandle> {
  readonly kind = "llm";
  readonly sync = false;
  readonly #service: LlmService;
  #isClosed = false;

  constructor(settings: LlmSettings, options: LlmProviderOptions) {
    this.#service = new LlmService(settings, options);
  }

  acquire(): LlmHandle {
    if (this.#isClosed) throw new ResourceError(this.#service.settings.resource, "the llm provider is closed");
    return new LlmView(this.#service);
  }

  release(): void {
    // A handle owns nothing: connections, budget and totals belong to the provider.
  }

  validate(): boolean {
    return !this.#isClosed;
  }

  /** `GET /models` once, without retries (`probeHealth`). */
  health(): Promise<HealthReport> {
    return probeHealth(this.#service.client, "GET", "/models");
  }

  metrics(): Readonly<Record<string, number>> {
    return this.#service.metrics();
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    await this.#service.client.close();
  }
}

/** The handle functions receive. */
class LlmView implements LlmHandle {
  constructor(private readonly service: LlmService) {}

  chat(messages: readonly ChatMessage[], options?: LlmCallOptions): Promise<LlmAnswer> {
    return this.service.chat(messages, options ?? {});
  }

  complete(prompt: string, options?: LlmCallOptions): Promise<LlmAnswer> {
    return this.service.chat([{ role: "user", content: prompt }], options ?? {});
  }

  stream(messages: readonly ChatMessage[], options?: LlmCallOptions): AsyncIterable<string> {
    return this.service.stream(messages, options ?? {});
  }

  embed(texts: readonly string[], options?: { readonly model?: string; readonly signal?: AbortSignal }): Promise<number[][]> {
    return this.service.embed(texts, options ?? {});
  }

  usage(): LlmUsage {
    return this.service.usage();
  }
}

/** The calls themselves, shared by every handle of a resource. */
class LlmService {
  readonly client: HttpClient;
  readonly #budget: TokenBudget | undefined;
  readonly #totals: UsageTotals = { promptTokens: 0, completionTokens: 0, requests: 0 };

  constructor(
    readonly settings: LlmSettings,
    options: LlmProviderOptions,
  ) {
    this.client = new HttpClient(settings.client);
    this.#budget = settings.tokensPerMinute === undefined ? undefined : new TokenBudget(settings.tokensPerMinute, options.clock ?? systemClock);
  }

  async chat(messages: readonly ChatMessage[], options: LlmCallOptions): Promise<LlmAnswer> {
    const body = this.#chatBody(messages, options, false);
    return this.#metered(chatEstimate(messages, body.max_tokens), async () => {
      const response = await this.client.request("POST", "/chat/completions", { body, ...signalOf(options) });
      return this.#readChat(response.body);
    });
  }

  async *stream(messages: readonly ChatMessage[], options: LlmCallOptions): AsyncGenerator<string> {
    const body = { ...this.#chatBody(messages, options, true), stream: true, stream_options: { include_usage: true } };
    const estimate = chatEstimate(messages, body.max_tokens);
    const reservation = await this.#budget?.reserve(estimate);
    let usage: LlmUsage | undefined;
    try {
      const response = await this.client.stream("POST", "/chat/completions", { body, ...signalOf(options) });
      this.#totals.requests++;
      for await (const data of sseData(response.body)) {
        const chunk = this.#parseChunk(data);
        usage = readUsage(chunk["usage"], 1) ?? usage;
        const content = deltaContent(chunk);
        if (content !== "") yield content;
      }
    } catch (error) {
      if (reservation !== undefined && usage === undefined) this.#budget?.settle(reservation, 0);
      throw error;
    } finally {
      if (usage !== undefined) this.#count(usage, reservation);
    }
  }

  async embed(texts: readonly string[], options: { readonly model?: string; readonly signal?: AbortSignal }): Promise<number[][]> {
    if (!Array.isArray(texts) || texts.some((text) => typeof text !== "string")) {
      throw new ResourceError(this.settings.resource, "embed takes an array of strings");
    }
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += EMBED_BATCH_SIZE) {
      const batch = texts.slice(start, start + EMBED_BATCH_SIZE);
      const body = { model: options.model ?? this.settings.embeddingModel, input: batch };
      const estimate = Math.ceil(batch.reduce((sum, text) => sum + text.length, 0) / 4);
      const batchVectors = await this.#metered(estimate, async () => {
        const response = await this.client.request("POST", "/embeddings", { body, ...signalOf(options) });
        return this.#readEmbeddings(response.body, batch.length);
      });
      vectors.push(...batchVectors);
    }
    return vectors;
  }

  usage(): LlmUsage {
    const { promptTokens, completionTokens, requests } = this.#totals;
    return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, requests };
  }

  metrics(): Readonly<Record<string, number>> {
    const usage = this.usage();
    return {
      ...this.client.metrics(),
      llm_requests: usage.requests,
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
      total_tokens: usage.totalTokens,
      token_budget_waits: this.#budget?.waits ?? 0,
      token_budget_wait_ms: this.#budget?.waitedMs ?? 0,
    };
  }

  /** Runs a call inside the token budget and adds its usage to the totals. */
  async #metered<T>(estimate: number, call: () => Promise<{ value: T; usage: LlmUsage | undefined }>): Promise<T> {
    const reservation = await this.#budget?.reserve(estimate);
    let result: { value: T; usage: LlmUsage | undefined };
    try {
      result = await call();
    } catch (error) {
      if (reservation !== undefined) this.#budget?.settle(reservation, 0);
      throw error;
    }
    this.#totals.requests++;
    if (result.usage !== undefined) this.#count(result.usage, reservation);
    return result.value;
  }

  /** Adds a call's usage to the totals and corrects its budget reservation. */
  #count(usage: LlmUsage, reservation: TokenReservation | undefined): void {
    this.#totals.promptTokens += usage.promptTokens;
    this.#totals.completionTokens += usage.completionTokens;
    if (reservation !== undefined) this.#budget?.settle(reservation, usage.totalTokens);
  }

  #chatBody(messages: readonly ChatMessage[], options: LlmCallOptions, isStream: boolean): Record<string, unknown> & { max_tokens?: number } {
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new ResourceError(this.settings.resource, `${isStream ? "stream" : "chat"} needs at least one message`);
    }
    const temperature = options.temperature ?? this.settings.temperature;
    const maxTokens = options.maxTokens ?? this.settings.maxTokens;
    return {
      model: options.model ?? this.settings.model,
      messages: messages.map((message) => ({ role: message.role, content: message.content })),
      ...(temperature !== undefined && { temperature }),
      ...(maxTokens !== undefined && { max_tokens: maxTokens }),
      ...(options.stop !== undefined && { stop: [...options.stop] }),
      ...(options.json === true && { response_format: { type: "json_object" } }),
    };
  }

  /**
   * The answer of `POST /chat/completions` (and its usage, undefined when the server sent none);
   * a ResourceError naming what is missing when the server's answer is not one.
   */
  #readChat(body: unknown): { value: LlmAnswer; usage: LlmUsage | undefined } {
    const choice = firstChoice(body);
    const message = asRecord(choice?.["message"]);
    const content = message?.["content"];
    if (message === undefined || (typeof content !== "string" && content !== null)) {
      throw this.#malformed("POST /chat/completions", "`choices[0].message.content`", body);
    }
    const finish = choice?.["finish_reason"];
    const usage = readUsage(asRecord(body)?.["usage"], 1);
    const answer: LlmAnswer = {
      content: content ?? "",
      usage: usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0, requests: 1 },
      finishReason: typeof finish === "string" ? finish : null,
      raw: body,
    };
    return { value: answer, usage };
  }

  /** The vectors of `POST /embeddings`, in input order (by each item's `index`). */
  #readEmbeddings(body: unknown, expected: number): { value: number[][]; usage: LlmUsage | undefined } {
    const data = asRecord(body)?.["data"];
    if (!Array.isArray(data)) throw this.#malformed("POST /embeddings", "`data`", body);
    if (data.length !== expected) {
      throw new ResourceError(this.settings.resource, `POST /embeddings answered ${data.length} embeddings for ${expected} inputs`);
    }
    const vectors: (number[] | undefined)[] = new Array<number[] | undefined>(expected).fill(undefined);
    data.forEach((item: unknown, position) => {
      const record = asRecord(item);
      const index = typeof record?.["index"] === "number" ? record["index"] : position;
      const embedding = record?.["embedding"];
      if (!Array.isArray(embedding) || embedding.some((value) => typeof value !== "number")) {
        throw this.#malformed("POST /embeddings", `\`data[${position}].embedding\` (an array of numbers)`, body);
      }
      if (!Number.isInteger(index) || index < 0 || index >= expected || vectors[index] !== undefined) {
        throw new ResourceError(this.settings.resource, `POST /embeddings answered a wrong or repeated \`index\` ${index} for ${expected} inputs`);
      }
      vectors[index] = embedding as number[];
    });
    const usage = readUsage(asRecord(body)?.["usage"], 1);
    return { value: vectors as number[][], usage };
  }

  /** One streamed chunk as JSON; an `error` chunk becomes a ResourceError. */
  #parseChunk(data: string): Record<string, unknown> {
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch (error) {
      throw new ResourceError(this.settings.resource, redact(`POST /chat/completions streamed a chunk that is not JSON: ${data.slice(0, 200)}`, this.settings.secrets), {
        cause: error,
      });
    }
    const record = asRecord(chunk);
    if (record === undefined) throw this.#malformed("POST /chat/completions (stream)", "a JSON object per chunk", chunk);
    const error = asRecord(record["error"]);
    if (error !== undefined) {
      throw new ResourceError(this.settings.resource, redact(`POST /chat/completions streamed an error: ${String(error["message"] ?? JSON.stringify(error))}`, this.settings.secrets));
    }
    return record;
  }

  #malformed(call: string, missing: string, body: unknown): ResourceError {
    const shown = typeof body === "string" ? body : JSON.stringify(body);
    return new ResourceError(
      this.settings.resource,
      redact(`${call} answered without ${missing}; is \`base_url\` an OpenAI-compatible API? The answer began: ${(shown ?? "").slice(0, 200)}`, this.settings.secrets),
    );
  }
}

/** The prompt's estimated tokens (characters / 4) plus the answer's limit. */
function chatEstimate(messages: readonly ChatMessage[], maxTokens: number | undefined): number {
  const characters = messages.reduce((sum, message) => sum + String(message.content).length, 0);
  return Math.ceil(characters / 4) + (maxTokens ?? 0);
}

/** OpenAI's `usage` object as an `LlmUsage`, or undefined when absent or ill-formed. */
function readUsage(value: unknown, requests: number): LlmUsage | undefined {
  const usage = asRecord(value);
  if (usage === undefined) return undefined;
  const prompt = usage["prompt_tokens"];
  const completion = usage["completion_tokens"] ?? 0;
  if (typeof prompt !== "number" || typeof completion !== "number") return undefined;
  const total = typeof usage["total_tokens"] === "number" ? usage["total_tokens"] : prompt + completion;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total, requests };
}

/** `choices[0].delta.content` of a streamed chunk, or "" (role, finish and usage chunks carry none). */
function deltaContent(chunk: Record<string, unknown>): string {
  const delta = asRecord(firstChoice(chunk)?.["delta"]);
  const content = delta?.["content"];
  return typeof content === "string" ? content : "";
}

function firstChoice(body: unknown): Record<string, unknown> | undefined {
  const choices = asRecord(body)?.["choices"];
  return Array.isArray(choices) ? asRecord(choices[0]) : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function signalOf(options: { readonly signal?: AbortSignal }): { signal?: AbortSignal } {
  return options.signal === undefined ? {} : { signal: options.signal };
}

