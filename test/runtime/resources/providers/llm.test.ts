/**
 * The `llm` provider against the fake OpenAI-compatible server (test/support/fake-llm.ts): calls,
 * streaming, embeddings, usage, auth and redaction, retries, rate and token limits (on a
 * simulated clock), malformed answers, and the configuration checks.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../../../runtime/clock.js";
import type { LlmHandle } from "../../../../runtime/resources/handles.js";
import type { ResourceProvider } from "../../../../runtime/resources/types.js";
import { HttpStatusError, ResourceConfigError, ResourceError } from "../../../../runtime/resources/errors.js";
import { createLlmProvider, EMBED_BATCH_SIZE, LLM_KEYS, type LlmProviderOptions } from "../../../../runtime/resources/providers/llm.js";
import { countTokens, fakeEmbedding, startFakeLlm, type FakeLlm, type FakeLlmOptions } from "../../../support/fake-llm.js";

const API_KEY = "sk-test-0123456789abcdef";

const servers: FakeLlm[] = [];
const providers: ResourceProvider<LlmHandle>[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.close?.()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A fake server, a provider configured for it, and one handle. */
async function setup(
  fake: FakeLlmOptions = {},
  config: Record<string, unknown> = {},
  options: LlmProviderOptions = { clock: new SimulatedClock(), random: () => 0.5 },
): Promise<{ server: FakeLlm; provider: ResourceProvider<LlmHandle>; llm: LlmHandle }> {
  const server = await startFakeLlm(fake);
  servers.push(server);
  const provider = createLlmProvider("llm", { base_url: server.url, model: "fake-chat", ...config }, options);
  providers.push(provider);
  return { server, provider, llm: await provider.acquire() };
}

/** The rejection of a promise (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe("llm provider configuration", () => {
  it("lists its keys and reports its kind", () => {
    expect(LLM_KEYS).toEqual([
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
    ]);
    const provider = createLlmProvider("llm", { base_url: "http://127.0.0.1:1/v1", model: "m" });
    expect(provider.kind).toBe("llm");
    expect(provider.sync).toBe(false);
  });

  it.each([
    [{ model: "m" }, /`base_url` is required/],
    [{ base_url: "http://h/v1" }, /`model` is required/],
    [{ base_url: "ftp://h/v1", model: "m" }, /`base_url` must be an http/],
    [{ base_url: "http://h/v1", modle: "m" }, /unknown llm key `modle`; did you mean `model`\?/],
    [{ base_url: "http://h/v1", model: "m", temperature: "hot" }, /`temperature` must be a number, got "hot"/],
    [{ base_url: "http://h/v1", model: "m", max_tokens: 0 }, /`max_tokens` must be at least 1/],
    [{ base_url: "http://h/v1", model: "m", tokens_per_minute: -5 }, /`tokens_per_minute` must be greater than 0/],
    [{ base_url: "http://h/v1", model: "m", api_key: 42 }, /`api_key` must be a string/],
    [{ base_url: "http://h/v1", model: "m", circuit_breaker: { failure_treshold: 3 } }, /did you mean `failure_threshold`/],
    [{ base_url: "http://h/v1", model: "m", headers: { a: "b" } }, /unknown llm key `headers`/],
  ])("refuses %j", (config, message) => {
    let error: unknown;
    try {
      createLlmProvider("llm", { api_key: API_KEY, ...config });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ResourceConfigError);
    expect((error as ResourceConfigError).code).toBe("FSMR0026");
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(API_KEY);
  });
});

describe("llm provider calls", () => {
  it("chats: sends the model and the resource's settings, answers content, usage and finish reason", async () => {
    const { server, llm } = await setup({}, { temperature: 0.2, max_tokens: 50 });
    const answer = await llm.chat([
      { role: "system", content: "be brief" },
      { role: "user", content: "hello there" },
    ]);
    expect(answer.content).toBe("echo: hello there");
    expect(answer.finishReason).toBe("stop");
    expect(answer.usage).toEqual({
      promptTokens: countTokens("be brief\nhello there"),
      completionTokens: countTokens("echo: hello there"),
      totalTokens: countTokens("be brief\nhello there") + countTokens("echo: hello there"),
      requests: 1,
    });
    expect(answer.raw).toMatchObject({ object: "chat.completion", id: "chatcmpl-1" });
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]).toMatchObject({
      method: "POST",
      path: "/chat/completions",
      body: { model: "fake-chat", temperature: 0.2, max_tokens: 50, messages: [{ role: "system" }, { role: "user", content: "hello there" }] },
    });
  });

  it("completes a single prompt, with per-call options overriding the resource's", async () => {
    const { server, llm } = await setup({}, { temperature: 0.2 });
    const answer = await llm.complete("classify: my package arrived late", { model: "other-model", temperature: 0, stop: ["\n"] });
    expect(answer.content).toBe("shipping");
    expect(server.calls[0]?.body).toEqual({
      model: "other-model",
      temperature: 0,
      stop: ["\n"],
      messages: [{ role: "user", content: "classify: my package arrived late" }],
    });
    const cut = await llm.complete("a long prompt to echo back", { maxTokens: 2 });
    expect(cut.finishReason).toBe("length");
    expect(cut.content).toBe("echo: a ");
  });

  it("asks for JSON with `json: true`", async () => {
    const { server, llm } = await setup();
    const answer = await llm.complete("classify: I want a refund", { json: true });
    expect(JSON.parse(answer.content)).toEqual({ label: "billing" });
    expect(server.calls[0]?.body).toMatchObject({ response_format: { type: "json_object" } });
  });

  it("streams the answer in chunks that reassemble the text, and counts the final usage chunk", async () => {
    const { server, llm } = await setup();
    const messages = [{ role: "user" as const, content: "tell me a story about three small robots" }];
    const chunks = await collect(llm.stream(messages));
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join("")).toBe("echo: tell me a story about three small robots");
    expect(server.calls[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(llm.usage()).toEqual({
      promptTokens: countTokens(messages[0]?.content ?? ""),
      completionTokens: countTokens(chunks.join("")),
      totalTokens: countTokens(messages[0]?.content ?? "") + countTokens(chunks.join("")),
      requests: 1,
    });
    const whole = await llm.chat(messages);
    expect(whole.content).toBe(chunks.join(""));
  });

  it("lets a consumer stop a stream early, and the next call still works", async () => {
    const { llm } = await setup();
    const first: string[] = [];
    for await (const chunk of llm.stream([{ role: "user", content: "one two three four five" }])) {
      first.push(chunk);
      break;
    }
    expect(first).toEqual(["echo: "]);
    expect((await llm.complete("again")).content).toBe("echo: again");
  });

  it("embeds in batches and returns the vectors in input order", async () => {
    const { server, llm } = await setup({ reverseEmbeddings: true, dimensions: 12 }, { embedding_model: "fake-embed" });
    const texts = Array.from({ length: EMBED_BATCH_SIZE * 2 + 5 }, (_, i) => `text number ${i}`);
    const vectors = await llm.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    vectors.forEach((vector, i) => expect(vector).toEqual(fakeEmbedding(texts[i] ?? "", 12)));
    expect(server.calls.map((call) => (call.body as { input: string[] }).input.length)).toEqual([EMBED_BATCH_SIZE, EMBED_BATCH_SIZE, 5]);
    expect(server.calls.every((call) => call.path === "/embeddings" && (call.body as { model: string }).model === "fake-embed")).toBe(true);
    expect(await llm.embed([])).toEqual([]);
    expect(server.calls).toHaveLength(3);
    expect(llm.usage().promptTokens).toBe(texts.reduce((sum, text) => sum + countTokens(text), 0));
  });

  it("totals usage across calls and handles, and reports it in the metrics", async () => {
    const { provider, llm } = await setup();
    const other = await provider.acquire();
    const a = await llm.complete("first prompt");
    const b = await other.chat([{ role: "user", content: "second, longer prompt" }]);
    await collect(other.stream([{ role: "user", content: "third" }]));
    const streamed = { prompt: countTokens("third"), completion: countTokens("echo: third") };
    const expected = {
      promptTokens: a.usage.promptTokens + b.usage.promptTokens + streamed.prompt,
      completionTokens: a.usage.completionTokens + b.usage.completionTokens + streamed.completion,
      requests: 3,
    };
    expect(llm.usage()).toEqual({ ...expected, totalTokens: expected.promptTokens + expected.completionTokens });
    expect(other.usage()).toEqual(llm.usage());
    expect(provider.metrics?.()).toMatchObject({
      requests: 3,
      retries: 0,
      llm_requests: 3,
      prompt_tokens: expected.promptTokens,
      completion_tokens: expected.completionTokens,
      total_tokens: expected.promptTokens + expected.completionTokens,
    });
  });

  it("answers health from GET /models", async () => {
    const { server, provider } = await setup();
    expect(await provider.health?.()).toEqual({ status: "healthy" });
    expect(server.calls.at(-1)).toMatchObject({ method: "GET", path: "/models" });
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const report = await provider.health?.();
    expect(report?.status).toBe("unhealthy");
  });
});

describe("llm provider failures", () => {
  it("sends api_key as a bearer token and never shows it in an error", async () => {
    const { server, llm } = await setup({ apiKey: API_KEY }, { api_key: API_KEY });
    expect((await llm.complete("hi")).content).toBe("echo: hi");
    expect(server.calls[0]?.authorization).toBe(`Bearer ${API_KEY}`);

    const wrong = await setup({ apiKey: "sk-the-right-one-999" }, { api_key: API_KEY });
    const error = await rejection(wrong.llm.complete(`please repeat ${API_KEY}`));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(401);
    expect(wrong.server.calls).toHaveLength(1); // a 4xx is not retried
    expect(error.message).not.toContain(API_KEY);
    expect(JSON.stringify((error as HttpStatusError).body)).not.toContain(API_KEY);

    const malformed = await setup({ malformed: true }, { api_key: API_KEY });
    const bad = await rejection(malformed.llm.complete(`echo ${API_KEY}`));
    expect(bad).toBeInstanceOf(ResourceError);
    expect(bad.message).not.toContain(API_KEY);
  });

  it("retries 500s and then succeeds", async () => {
    const clock = new SimulatedClock();
    const { server, provider, llm } = await setup({ failFirst: 2 }, { max_retries: 3, retry_delay: 1 }, { clock, random: () => 0.5 });
    expect((await llm.complete("persist")).content).toBe("echo: persist");
    expect(server.calls).toHaveLength(3);
    expect(clock.slept).toHaveLength(2); // two backoffs on the injected clock, no real waiting
    expect(provider.metrics?.()).toMatchObject({ retries: 2, llm_requests: 1 });
  });

  it("gives up after max_retries with the last 500", async () => {
    const { server, llm } = await setup({ failFirst: 10 }, { max_retries: 1 });
    const error = await rejection(llm.complete("doomed"));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(500);
    expect(error.message).toContain("after 2 attempts");
    expect(server.calls).toHaveLength(2);
    expect(llm.usage().requests).toBe(0);
  });

  it("does not retry a 4xx (429 here)", async () => {
    const { server, llm } = await setup({ rateLimitCalls: [1] }, { max_retries: 3 });
    const error = await rejection(llm.complete("too soon"));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(429);
    expect(server.calls).toHaveLength(1);
    expect((await llm.complete("later")).content).toBe("echo: later");
  });

  it("retries a stream's 500 before any text arrived, and refuses a stream's 4xx at once", async () => {
    const { server, llm } = await setup({ failFirst: 1, rateLimitCalls: [3] });
    expect((await collect(llm.stream([{ role: "user", content: "retry me" }]))).join("")).toBe("echo: retry me");
    expect(server.calls).toHaveLength(2);
    const error = await rejection(collect(llm.stream([{ role: "user", content: "limited" }])));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(429);
    expect(server.calls).toHaveLength(3);
    expect(llm.usage().requests).toBe(1);
  });

  it("reports a malformed answer as a ResourceError naming the resource and what was missing", async () => {
    const { llm } = await setup({ malformed: true });
    const chat = await rejection(llm.complete("hello"));
    expect(chat).toBeInstanceOf(ResourceError);
    expect(chat.message).toMatch(/^resource `llm`: POST \/chat\/completions answered without `choices\[0\]\.message\.content`/);
    const embed = await rejection(llm.embed(["x"]));
    expect(embed.message).toMatch(/^resource `llm`: POST \/embeddings answered without `data`/);
  });

  it("reports a timed-out call", async () => {
    const { llm } = await setup({ delayMs: 2_000 }, { timeout: 0.05, max_retries: 0 });
    const error = await rejection(llm.complete("slow"));
    expect(error).toBeInstanceOf(ResourceError);
    expect(error.message).toContain("timed out after 0.05 s");
  });
});

describe("llm provider limits", () => {
  it("spaces calls by requests_per_minute", async () => {
    const clock = new SimulatedClock();
    const { server, llm } = await setup({}, { requests_per_minute: 60 }, { clock });
    for (const prompt of ["one", "two", "three"]) await llm.complete(prompt);
    expect(server.calls).toHaveLength(3);
    expect(clock.slept).toEqual([1000, 1000]);
  });

  it("makes a call wait (never fail) until tokens_per_minute has room", async () => {
    const clock = new SimulatedClock();
    const { provider, llm } = await setup({}, { tokens_per_minute: 40, max_tokens: 10 }, { clock });
    const prompt = "x".repeat(100); // 25 prompt tokens + at most 10 completion tokens
    const first = await llm.complete(prompt);
    expect(first.usage.totalTokens).toBe(35);
    expect(clock.slept).toEqual([]);
    const second = await llm.complete(prompt);
    expect(second.content).toBe(first.content);
    expect(clock.slept).toEqual([60_000]); // until the first call's tokens leave the minute
    expect(provider.metrics?.()).toMatchObject({ token_budget_waits: 1, token_budget_wait_ms: 60_000 });
  });

  it("corrects a reservation to the real usage, so a generous max_tokens does not block the next call", async () => {
    const clock = new SimulatedClock();
    const { llm } = await setup({}, { tokens_per_minute: 100, max_tokens: 60 }, { clock });
    await llm.complete("hi"); // reserves 1 + 60, really uses 1 + 2
    await llm.complete("hi");
    expect(clock.slept).toEqual([]);
  });

  it("lets a call larger than the whole budget go alone once the minute is empty", async () => {
    const clock = new SimulatedClock();
    const { llm } = await setup({}, { tokens_per_minute: 10 }, { clock });
    await llm.complete("a"); // 1 + 2 tokens
    clock.advance(5_000);
    await llm.complete("y".repeat(200)); // 50 tokens: more than the budget
    expect(clock.slept).toEqual([55_000]);
  });
});

describe("fake llm server", () => {
  it("lists models, refuses unknown paths and bad requests, and records calls", async () => {
    const server = await startFakeLlm({ models: ["a", "b"] });
    servers.push(server);
    const models = await fetch(`${server.url}/models`).then((r) => r.json());
    expect(models).toMatchObject({ object: "list", data: [{ id: "a" }, { id: "b" }] });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const bad = await fetch(`${server.url}/chat/completions`, { method: "POST", body: JSON.stringify({ messages: [] }) });
    expect(bad.status).toBe(400);
    expect(server.calls.map((call) => `${call.method} ${call.path}`)).toEqual(["GET /models", "GET /nope", "POST /chat/completions"]);
  });
});
