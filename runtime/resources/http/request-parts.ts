/**
 * The pure parts of an HTTP exchange: joining the base URL and a path, the auth headers and
 * their secrets, encoding a request body, flattening response headers and decoding a body.
 */
import { redact } from "../errors.js";

/** How the client authenticates (docs/resources.md, `auth`). */
export type HttpAuth =
  | { readonly type: "bearer"; readonly token: string }
  | { readonly type: "basic"; readonly username: string; readonly password: string }
  | { readonly type: "api_key"; readonly key_name?: string; readonly key_value: string };

/** The header an `api_key` auth uses when it names none. */
export const DEFAULT_API_KEY_HEADER = "X-API-Key";

/** The origin and path prefix of a base URL (`http://host:1/v1/` → `http://host:1`, `/v1`). */
export interface BaseUrl {
  readonly origin: string;
  readonly pathPrefix: string;
  readonly search: URLSearchParams;
}

/** Splits a base URL; throws a `TypeError` for one that is not http(s). */
export function parseBaseUrl(baseUrl: string): BaseUrl {
  const url = new URL(baseUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`base URL must be http or https, got ${url.protocol}`);
  return { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, ""), search: url.searchParams };
}

/**
 * The request target (path and query) of `path` under the base URL. The path is appended to the
 * base path as text, so no path can leave the base URL's origin.
 */
export function requestTarget(base: BaseUrl, path: string, query?: Readonly<Record<string, string | number | boolean>>): string {
  const queryAt = path.indexOf("?");
  const pathPart = queryAt < 0 ? path : path.slice(0, queryAt);
  const params = new URLSearchParams(base.search);
  if (queryAt >= 0) for (const [key, value] of new URLSearchParams(path.slice(queryAt + 1))) params.append(key, value);
  if (query !== undefined) for (const [key, value] of Object.entries(query)) params.append(key, String(value));
  const joined = `${base.pathPrefix}/${pathPart.replace(/^\/+/, "")}`;
  const search = params.toString();
  return search === "" ? joined : `${joined}?${search}`;
}

/** The path of a request as messages show it: without its query string (which may carry keys). */
export function displayPath(path: string): string {
  const queryAt = path.indexOf("?");
  return queryAt < 0 ? path : path.slice(0, queryAt);
}

/** The headers an auth adds (lower-case names). */
export function authHeaders(auth: HttpAuth | undefined): Record<string, string> {
  if (auth === undefined) return {};
  switch (auth.type) {
    case "bearer":
      return { authorization: `Bearer ${auth.token}` };
    case "basic":
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` };
    case "api_key":
      return { [(auth.key_name ?? DEFAULT_API_KEY_HEADER).toLowerCase()]: auth.key_value };
  }
}

/** The secret strings an auth puts on the wire, for `redact`. */
export function authSecrets(auth: HttpAuth | undefined): string[] {
  if (auth === undefined) return [];
  switch (auth.type) {
    case "bearer":
      return [auth.token];
    case "basic":
      return [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString("base64")];
    case "api_key":
      return [auth.key_value];
  }
}

/** Header names in lower case, later objects winning. */
export function mergeHeaders(...layers: readonly (Readonly<Record<string, string>> | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [name, value] of Object.entries(layer)) out[name.toLowerCase()] = value;
  }
  return out;
}

/** A request body on the wire and the content type it implies. */
export interface EncodedBody {
  readonly payload: string | Uint8Array;
  readonly contentType: string;
}

/** Strings and bytes go as they are; anything else as JSON. */
export function encodeBody(body: unknown): EncodedBody | undefined {
  if (body === undefined) return undefined;
  if (typeof body === "string") return { payload: body, contentType: "text/plain; charset=utf-8" };
  if (body instanceof Uint8Array) return { payload: body, contentType: "application/octet-stream" };
  return { payload: JSON.stringify(body), contentType: "application/json" };
}

/** Response headers as one string per name (repeated headers joined with `, `). */
export function flattenHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** True when a content type says JSON (`application/json`, `application/problem+json` …). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /(?:^|\/|\+)json\b/i.test(contentType.split(";")[0] ?? "");
}

/** A body as the caller sees it: parsed JSON (null when empty) for JSON content types, else the text. Throws a SyntaxError on broken JSON. */
export function decodeBody(text: string, contentType: string | undefined): unknown {
  if (!isJsonContentType(contentType)) return text;
  return text.trim() === "" ? null : (JSON.parse(text) as unknown);
}

/** An error body with secrets removed from every string in it; broken JSON stays text. */
export function redactedErrorBody(text: string, contentType: string | undefined, secrets: readonly string[]): unknown {
  let body: unknown;
  try {
    body = decodeBody(text, contentType);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    body = text; // the server said JSON and sent something else; show what it sent
  }
  return redactDeep(body, secrets);
}

function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, secrets)]));
  }
  return value;
}
