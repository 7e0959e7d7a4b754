import { describe, expect, it } from "vitest";
import {
  authHeaders,
  decodeBody,
  displayPath,
  encodeBody,
  flattenHeaders,
  isJsonContentType,
  parseBaseUrl,
  redactedErrorBody,
  requestTarget,
} from "../../../../runtime/resources/http/request-parts.js";

describe("request parts", () => {
  it("appends paths to the base path as text, never leaving the origin", () => {
    const base = parseBaseUrl("http://h:8080/api/v1/?tenant=a");
    expect(base.origin).toBe("http://h:8080");
    expect(requestTarget(base, "/items")).toBe("/api/v1/items?tenant=a");
    expect(requestTarget(base, "items?x=1", { y: 2 })).toBe("/api/v1/items?tenant=a&x=1&y=2");
    expect(requestTarget(base, "//evil.example/x")).toBe("/api/v1/evil.example/x?tenant=a");
    expect(requestTarget(parseBaseUrl("http://h"), "/")).toBe("/");
    expect(() => parseBaseUrl("file:///etc/passwd")).toThrow(TypeError);
  });

  it("keeps query strings out of the paths messages show", () => {
    expect(displayPath("/search?api_key=abc")).toBe("/search");
  });

  it("builds auth headers", () => {
    expect(authHeaders({ type: "bearer", token: "t" })).toEqual({ authorization: "Bearer t" });
    expect(authHeaders({ type: "basic", username: "a", password: "b" })).toEqual({ authorization: "Basic YTpi" });
    expect(authHeaders({ type: "api_key", key_name: "X-Key", key_value: "v" })).toEqual({ "x-key": "v" });
    expect(authHeaders(undefined)).toEqual({});
  });

  it("encodes bodies and decodes answers by content type", () => {
    expect(encodeBody({ a: 1 })).toEqual({ payload: '{"a":1}', contentType: "application/json" });
    expect(encodeBody(0)).toEqual({ payload: "0", contentType: "application/json" });
    expect(encodeBody(undefined)).toBeUndefined();
    expect(isJsonContentType("application/problem+json; charset=utf-8")).toBe(true);
    expect(isJsonContentType("application/jsonl")).toBe(false);
    expect(isJsonContentType("text/html")).toBe(false);
    expect(decodeBody("", "application/json")).toBeNull();
    expect(decodeBody("[1]", "application/json")).toEqual([1]);
    expect(decodeBody("[1]", "text/plain")).toBe("[1]");
    expect(flattenHeaders({ "set-cookie": ["a=1", "b=2"], x: "y", gone: undefined })).toEqual({ "set-cookie": "a=1, b=2", x: "y" });
  });

  it("redacts secrets in every string of an error body, and keeps broken JSON as text", () => {
    expect(redactedErrorBody('{"detail":["token sk-abcdef rejected"]}', "application/json", ["sk-abcdef"])).toEqual({ detail: ["token *** rejected"] });
    expect(redactedErrorBody("{broken sk-abcdef", "application/json", ["sk-abcdef"])).toBe("{broken ***");
  });
});
