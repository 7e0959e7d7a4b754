/**
 * A fake OpenAI-compatible server for tests and examples: `node:http` on 127.0.0.1, a random
 * port, the subset of the API the `llm` provider speaks (`POST /chat/completions`, streaming
 * included, `POST /embeddings`, `GET /models`), deterministic answers, usage counts in every
 * answer, fault injection, and a record of every call.
 *
 * Answers, for the last user message `text`:
 * - `classify: <text>` → a label chosen by keyword (`labels` option; "other" when none matches);
 * - anything else → `echo: <text>`;
 * - in JSON mode (`response_format: {type: "json_object"}`) the same answer as a JSON object:
 *   `{"label": …}` or `{"echo": …}`.
 * Tokens are counted as `ceil(characters / 4)`; `max_tokens` cuts the answer (finish reason `length`).
 *
 * From a script: `const llm = await startFakeLlm(); … await llm.close();`.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the server received. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  /** The parsed JSON body (undefined for GET or an unparsable body). */
  readonly body: unknown;
  /** The `Authorization` header as sent, if any. */
  readonly authorization: string | undefined;
  /** 1-based number of the call, across every path. */
  readonly index: number;
}

/** An answer forced by a fault rule. */
export interface FakeFault {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of the fake server. */
export interface FakeLlmOptions {
  /** Length of every embedding (default 8). */
  readonly dimensions?: number;
  /** Keywords per label for `classify:` prompts, checked in order (default: billing, technical, shipping). */
  readonly labels?: Readonly<Record<string, readonly string[]>>;
  /** The first N calls answer HTTP 500 (default 0). */
  readonly failFirst?: number;
  /** Call numbers (1-based, across every path) that answer HTTP 429 with `retry-after: 1`. */
  readonly rateLimitCalls?: readonly number[];
  /** Every answer waits this long first (real time, default 0). */
  readonly delayMs?: number;
  /** When set, every call must send `Authorization: Bearer <apiKey>` (else HTTP 401). */
  readonly apiKey?: string;
  /** Chat answers lack `choices` and embeddings lack `data` (to test malformed-answer errors). */
  readonly malformed?: boolean;
  /** Embeddings come back in reverse order (their `index` fields still right), as a server may do. */
  readonly reverseEmbeddings?: boolean;
  /** More inputs than this in one embeddings call answer HTTP 400 (default unlimited). */
  readonly maxEmbeddingInputs?: number;
  /** Model ids listed by `GET /models` (default `["fake-chat", "fake-embed"]`). */
  readonly models?: readonly string[];
  /** A last word on any call: a fault to answer instead, or undefined to answer normally. */
  readonly fault?: (call: RecordedCall) => FakeFault | undefined;
}

/** A running fake server. */
export interface FakeLlm {
  /** Base URL to configure as the resource's `base_url` (ends in `/v1`). */
  readonly url: string;
  /** Every call so far, in arrival order. */
  readonly calls: RecordedCall[];
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

const DEFAULT_LABELS: Readonly<Record<string, readonly string[]>> = {
  billing: ["refund", "invoice", "charge", "payment", "price"],
  technical: ["error", "crash", "bug", "broken", "login"],
  shipping: ["delivery", "shipping", "package", "parcel", "late"],
};

/** Starts the fake server on 127.0.0.1 and a free port. */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const calls: RecordedCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: String(error), type: "server_error" } });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const path = (request.url ?? "/").replace(/^\/v1/, "").split("?")[0] ?? "/";
    const call: RecordedCall = {
      method: request.method ?? "GET",
      path,
      body: parseJson(raw),
      authorization: request.headers.authorization,
      index: calls.length + 1,
    };
    calls.push(call);
    if ((options.delayMs ?? 0) > 0) await wait(options.delayMs ?? 0, timers);
    if (response.destroyed) return;
    const fault = faultFor(call, options);
    if (fault !== undefined) {
      sendJson(response, fault.status, fault.body ?? { error: { message: `injected HTTP ${fault.status}`, type: "fake_fault" } }, fault.headers);
      return;
    }
    route(call, options, response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The injected fault for a call, if any (auth first, then the failure options, then the custom rule). */
function faultFor(call: RecordedCall, options: FakeLlmOptions): FakeFault | undefined {
  if (options.apiKey !== undefined && call.authorization !== `Bearer ${options.apiKey}`) {
    return { status: 401, body: { error: { message: "invalid api key", type: "invalid_request_error", code: "invalid_api_key" } } };
  }
  if (call.index <= (options.failFirst ?? 0)) return { status: 500 };
  if (options.rateLimitCalls?.includes(call.index) === true) {
    return { status: 429, headers: { "retry-after": "1" }, body: { error: { message: "rate limit reached", type: "rate_limit_error" } } };
  }
  return options.fault?.(call);
}

/** Answers a call by its path. */
function route(call: RecordedCall, options: FakeLlmOptions, response: ServerResponse): void {
  if (call.method === "GET" && call.path === "/models") {
    const models = options.models ?? ["fake-chat", "fake-embed"];
    sendJson(response, 200, { object: "list", data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "fake-llm" })) });
  } else if (call.method === "POST" && call.path === "/chat/completions") {
    answerChat(call, options, response);
  } else if (call.method === "POST" && call.path === "/embeddings") {
    answerEmbeddings(call, options, response);
  } else {
    sendJson(response, 404, { error: { message: `unknown endpoint ${call.method} ${call.path}`, type: "invalid_request_error" } });
  }
}

/** A chat request's fields the fake reads. */
interface ChatRequest {
  readonly model?: unknown;
  readonly messages?: unknown;
  readonly max_tokens?: unknown;
  readonly stream?: unknown;
  readonly response_format?: { readonly type?: unknown };
}

function answerChat(call: RecordedCall, options: FakeLlmOptions, response: ServerResponse): void {
  const request = (call.body ?? {}) as ChatRequest;
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    sendJson(response, 400, { error: { message: "`messages` must be a non-empty array", type: "invalid_request_error" } });
    return;
  }
  const messages = request.messages as { role?: unknown; content?: unknown }[];
  const prompt = messages.map((m) => String(m.content ?? "")).join("\n");
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const isJson = request.response_format?.type === "json_object";
  let content = answerText(String(lastUser?.content ?? ""), isJson, options.labels ?? DEFAULT_LABELS);
  let finishReason = "stop";
  if (typeof request.max_tokens === "number" && countTokens(content) > request.max_tokens) {
    content = content.slice(0, request.max_tokens * 4);
    finishReason = "length";
  }
  const usage = { prompt_tokens: countTokens(prompt), completion_tokens: countTokens(content), total_tokens: countTokens(prompt) + countTokens(content) };
  const model = typeof request.model === "string" ? request.model : "fake-chat";
  const id = `chatcmpl-${call.index}`;
  if (options.malformed === true) {
    sendJson(response, 200, { id, object: "chat.completion", model, usage });
  } else if (request.stream === true) {
    streamChat(response, { id, model, content, finishReason, usage });
  } else {
    sendJson(response, 200, {
      id,
      object: "chat.completion",
      created: 0,
      model,
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finishReason }],
      usage,
    });
  }
}

/** The deterministic answer to a prompt. */
export function answerText(text: string, isJson: boolean, labels: Readonly<Record<string, readonly string[]>>): string {
  const classify = /^\s*classify:\s*([\s\S]*)$/i.exec(text);
  if (classify !== null) {
    const subject = (classify[1] ?? "").toLowerCase();
    const label = Object.entries(labels).find(([, words]) => words.some((word) => subject.includes(word.toLowerCase())))?.[0] ?? "other";
    return isJson ? JSON.stringify({ label }) : label;
  }
  return isJson ? JSON.stringify({ echo: text }) : `echo: ${text}`;
}

/** Sends the answer as server-sent events: a role chunk, one chunk per word, a finish chunk, a usage chunk, `[DONE]`. */
function streamChat(
  response: ServerResponse,
  answer: { id: string; model: string; content: string; finishReason: string; usage: Record<string, number> },
): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: answer.id, object: "chat.completion.chunk", created: 0, model: answer.model, choices, ...extra })}\n\n`;
  response.write(chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
  for (const piece of answer.content.match(/\S+\s*|\s+/g) ?? []) {
    response.write(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
  }
  response.write(chunk([{ index: 0, delta: {}, finish_reason: answer.finishReason }]));
  response.write(chunk([], { usage: answer.usage }));
  response.end("data: [DONE]\n\n");
}

function answerEmbeddings(call: RecordedCall, options: FakeLlmOptions, response: ServerResponse): void {
  const request = (call.body ?? {}) as { input?: unknown; model?: unknown };
  const inputs = typeof request.input === "string" ? [request.input] : request.input;
  if (!Array.isArray(inputs) || inputs.some((input) => typeof input !== "string")) {
    sendJson(response, 400, { error: { message: "`input` must be a string or an array of strings", type: "invalid_request_error" } });
    return;
  }
  if (options.maxEmbeddingInputs !== undefined && inputs.length > options.maxEmbeddingInputs) {
    sendJson(response, 400, { error: { message: `at most ${options.maxEmbeddingInputs} inputs per request`, type: "invalid_request_error" } });
    return;
  }
  const texts = inputs as string[];
  const tokens = texts.reduce((sum, text) => sum + countTokens(text), 0);
  const usage = { prompt_tokens: tokens, total_tokens: tokens };
  if (options.malformed === true) {
    sendJson(response, 200, { object: "list", usage });
    return;
  }
  const data = texts.map((text, index) => ({ object: "embedding", index, embedding: fakeEmbedding(text, options.dimensions ?? 8) }));
  if (options.reverseEmbeddings === true) data.reverse();
  sendJson(response, 200, { object: "list", model: typeof request.model === "string" ? request.model : "fake-embed", data, usage });
}

/** A deterministic unit vector for a text: SHA-256 blocks mapped to [-1, 1], then normalized. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash("sha256").update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < dimensions; i += 2) values.push(digest.readUInt16BE(i) / 32767.5 - 1);
  }
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return values.map((v) => v / norm);
}

/** The fake's token count: a quarter of the characters, rounded up. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // recorded as "no body"; the route answers 400
    throw error;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function wait(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
