/** Server-sent events as the `llm` provider reads them: `data:` events split anywhere across chunks. */
import { describe, expect, it } from "vitest";
import { sseData } from "../../../../runtime/resources/providers/llm-sse.js";

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function events(body: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const event of sseData(body)) out.push(event);
  return out;
}

describe("sseData", () => {
  it("yields each event's data and stops at [DONE]", async () => {
    expect(await events(chunks('data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\ndata: {"a":3}\n\n'))).toEqual(['{"a":1}', '{"a":2}']);
  });

  it("joins events split across chunks, even inside a CRLF or a multi-byte character", async () => {
    const text = 'data: {"t":"é"}\r\n\r\ndata: {"t":"x"}\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    async function* byteByByte(): AsyncGenerator<Uint8Array> {
      for (const byte of bytes) yield Uint8Array.of(byte);
    }
    expect(await events(byteByByte())).toEqual(['{"t":"é"}', '{"t":"x"}']);
  });

  it("joins multi-line data, skips comments and other fields, and flushes an event left open at the end", async () => {
    expect(await events(chunks(": keep-alive\n", "event: message\nid: 7\ndata: line one\ndata:line two\n\n", "data: last"))).toEqual([
      "line one\nline two",
      "last",
    ]);
  });
});
