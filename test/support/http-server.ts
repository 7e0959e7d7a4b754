/**
 * A real HTTP server on 127.0.0.1 (port 0) for resource tests, with programmable routes: JSON
 * or text answers, injected failures for the first N calls, slow answers, connection resets,
 * streamed chunks; it records every request and counts TCP connections.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** Which TCP connection carried it (1-based, in accept order). */
  readonly connection: number;
}

/** What a route answers. */
export interface Answer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `application/json`. */
  readonly json?: unknown;
  /** Sent as `text/plain` unless `headers` say otherwise. */
  readonly text?: string;
  /** Sent one by one, `chunkDelayMs` apart. */
  readonly chunks?: readonly string[];
  readonly chunkDelayMs?: number;
  /** Awaited before sending chunk `index` (lets a test prove chunks arrive one at a time). */
  readonly beforeChunk?: (index: number) => Promise<void>;
  /** Wait before answering. */
  readonly delayMs?: number;
  /** Destroy the connection instead of answering. */
  readonly reset?: boolean;
}

/** Computes an answer from the request and how many times this route was called (1-based). */
export type Route = (request: RecordedRequest, call: number) => Answer;

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Sets the answer of `METHOD /path` (a fixed answer or a function of the call number). */
  route(method: string, path: string, answer: Answer | Route): void;
  /** Answers `failure` to the first `count` calls of the route, then `answer`. */
  failFirst(method: string, path: string, count: number, failure: Answer, answer: Answer): void;
  /** Requests that reached `METHOD /path`. */
  calls(method: string, path: string): RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a server; unknown routes answer 404 with a JSON error. */
export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const callCounts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Map<Socket, number>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const handle = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
    let body = "";
    for await (const chunk of incoming) body += String(chunk);
    const request: RecordedRequest = {
      method: incoming.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: incoming.headers,
      body,
      connection: sockets.get(incoming.socket) ?? 0,
    };
    requests.push(request);
    const key = `${request.method} ${request.path}`;
    const call = (callCounts.get(key) ?? 0) + 1;
    callCounts.set(key, call);
    const route = routes.get(key) ?? routes.get(`* ${request.path}`);
    const answer: Answer = route === undefined ? { status: 404, json: { error: `no route ${key}` } } : route(request, call);
    if (answer.delayMs !== undefined) await later(answer.delayMs);
    if (answer.reset === true) {
      incoming.socket.destroy();
      return;
    }
    await send(response, answer, later);
  };

  const server: Server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on("connection", (socket: Socket) => sockets.set(socket, sockets.size + 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => sockets.size,
    route(method, path, answer) {
      routes.set(`${method} ${path}`, typeof answer === "function" ? answer : () => answer);
    },
    failFirst(method, path, count, failure, answer) {
      routes.set(`${method} ${path}`, (_request, call) => (call <= count ? failure : answer));
    },
    calls: (method, path) => requests.filter((r) => r.method === method && r.path === path),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

async function send(response: ServerResponse, answer: Answer, later: (ms: number) => Promise<void>): Promise<void> {
  const headers: Record<string, string> = { ...answer.headers };
  let payload: string | undefined;
  if (answer.json !== undefined) {
    headers["content-type"] ??= "application/json";
    payload = JSON.stringify(answer.json);
  } else if (answer.text !== undefined) {
    headers["content-type"] ??= "text/plain; charset=utf-8";
    payload = answer.text;
  }
  response.writeHead(answer.status ?? 200, headers);
  if (answer.chunks !== undefined) {
    for (const [index, chunk] of answer.chunks.entries()) {
      if (answer.beforeChunk !== undefined) await answer.beforeChunk(index);
      if (response.destroyed) return;
      response.write(chunk);
      if (answer.chunkDelayMs !== undefined) await later(answer.chunkDelayMs);
    }
    response.end();
    return;
  }
  response.end(payload);
}
