/**
 * The routed sink and the dead-letter sink (docs/streaming.md, "Sinks") over real JSONL files:
 * results go to the file of their final state, non-emitting terminals and unrouted results are
 * counted per state, and malformed inputs and failed records become dead-letter entries.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { callbackSink, deadLetterSink, fileSink, NO_STATE, routedSink, SinkItemError, UnroutedResultError } from "../../../runtime/streaming/sinks/index.js";
import { MAX_RAW_CHARS, type Sink, type SourceItem } from "../../../runtime/streaming/types.js";
import { tempDir } from "../../support/cli.js";

const temp = tempDir("fsmc-routes-");
afterAll(() => temp.cleanup());
let counter = 0;
const pathOf = (name: string): string => join(temp.dir, `${counter++}-${name}`);
const read = (path: string): string => readFileSync(path, "utf8");

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("routed sink", () => {
  it("writes each record to its final state's sink, counts per terminal, skips non-emitting terminals", async () => {
    const out = pathOf("out.jsonl");
    const rejects = pathOf("rejects.jsonl");
    const sink = routedSink({ done: fileSink(out), rejected: fileSink(rejects) }, { emitOutput: (terminal) => terminal !== "big" });
    await sink.write({ finalState: "done", record: { id: 1 } });
    await sink.write({ finalState: "rejected", record: { id: 2 } });
    await sink.write({ finalState: "big", record: { id: 3 } });
    await sink.write({ finalState: "done", record: { id: 4 } });
    await sink.write({ finalState: "elsewhere", record: { id: 5 } });
    await sink.write({ finalState: null, record: { id: 6 } });
    const position = await sink.flush();
    expect(position).toEqual({
      items: 3,
      bytes: null,
      routes: { done: { items: 2, bytes: 18 }, rejected: { items: 1, bytes: 9 } },
      fallback: null,
    });
    expect(sink.counts()).toEqual({ written: { done: 2, rejected: 1 }, excluded: { big: 1 }, unrouted: { elsewhere: 1, [NO_STATE]: 1 } });
    await sink.close();
    expect(read(out)).toBe('{"id":1}\n{"id":4}\n');
    expect(read(rejects)).toBe('{"id":2}\n');
  });

  it("sends results without a route to the fallback; a sink shared by two terminals is flushed and closed once", async () => {
    const shared = pathOf("shared.jsonl");
    const rest = pathOf("rest.jsonl");
    const both = fileSink(shared);
    const sink = routedSink({ done: both, shipped: both }, { fallback: fileSink(rest) });
    expect(sink.description).toBe(`routes (done: ${shared}, shipped: ${shared}, fallback: ${rest})`);
    await sink.write({ finalState: "done", record: "a" });
    await sink.write({ finalState: "shipped", record: "b" });
    await sink.write({ finalState: "other", record: "c" });
    await sink.write({ finalState: null, record: "d" });
    const position = await sink.flush();
    expect(position.routes).toEqual({ done: { items: 2, bytes: 8 }, shipped: { items: 2, bytes: 8 } });
    expect(position.fallback).toEqual({ items: 2, bytes: 8 });
    expect(sink.counts()).toEqual({ written: { done: 1, shipped: 1, other: 1, [NO_STATE]: 1 }, excluded: {}, unrouted: {} });
    await sink.close();
    expect(read(shared)).toBe('"a"\n"b"\n');
    expect(read(rest)).toBe('"c"\n"d"\n');
  });

  it("refuses an unrouted result with `unrouted: \"error\"`, and anything that is not a routed result", async () => {
    const sink = routedSink({ done: callbackSink(() => undefined, { name: "out" }) }, { unrouted: "error" });
    const error = thrown(() => sink.write({ finalState: "lost", record: 1 }));
    expect(error).toBeInstanceOf(UnroutedResultError);
    expect((error as UnroutedResultError).code).toBe("FSMR0059");
    expect(error.message).toBe("sink `routes (done: out)`: a result in `lost` has no route (routes: `done`) and there is no fallback");
    expect(thrown(() => sink.write({ finalState: null, record: 1 })).message).toMatch(/a result without a final state has no route/);
    const shape = thrown(() => sink.write({ state: "done", data: 1 }));
    expect(shape).toBeInstanceOf(SinkItemError);
    expect(shape.message).toMatch(/item 2 is not a routed result `\{ finalState: string \| null, record \}`/);
    await sink.close();
  });

  it("hands on its route's backpressure and closes every sink even when one fails", async () => {
    const releases: (() => void)[] = [];
    const slow = callbackSink(() => new Promise<void>((resolve) => releases.push(resolve)), { name: "slow" });
    const rest = callbackSink(() => undefined, { name: "rest" });
    const failing: Sink = {
      description: "failing",
      write: () => undefined,
      flush: async () => ({ items: 0, bytes: null }),
      close: () => Promise.reject(new Error("close failed")),
    };
    const sink = routedSink({ done: slow, odd: failing }, { fallback: rest });
    const pending = sink.write({ finalState: "done", record: 1 });
    expect(pending).toBeInstanceOf(Promise);
    let settled = false;
    void Promise.resolve(pending).then(() => (settled = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    releases.shift()?.();
    await pending;
    expect(settled).toBe(true);
    await expect(sink.close()).rejects.toThrow("close failed");
    expect(thrown(() => slow.write(2)).message).toMatch(/sink `slow` is closed/);
    expect(thrown(() => rest.write(2)).message).toMatch(/sink `rest` is closed/);
  });
});

describe("dead-letter sink", () => {
  it("writes malformed inputs and failed records as JSONL entries, raw text cut to MAX_RAW_CHARS", async () => {
    const path = pathOf("dead.jsonl");
    const sink = deadLetterSink(path);
    const malformed: SourceItem = { kind: "malformed", position: { index: 3, line: 4, endOffset: 40 }, raw: "{not json", error: "invalid JSON: Expected property name" };
    await sink.write(malformed);
    await sink.write({ kind: "malformed", position: { index: 5, line: 6 }, raw: "x".repeat(MAX_RAW_CHARS + 10), error: "invalid JSON" });
    await sink.write({ kind: "failed", position: { index: 7, line: 8 }, error: "Transition failed: a -> b", state: "a", record: { id: 7, step: 1 } });
    expect(sink.counts()).toEqual({ malformed: 2, failed: 1 });
    expect(await sink.flush()).toEqual({ items: 3, bytes: Buffer.byteLength(read(path)) });
    await sink.close();
    const lines = read(path).split("\n");
    expect(lines[0]).toBe('{"index":3,"line":4,"error":"invalid JSON: Expected property name","raw":"{not json"}');
    expect(JSON.parse(lines[1] as string)).toEqual({ index: 5, line: 6, error: "invalid JSON", raw: "x".repeat(MAX_RAW_CHARS) });
    expect(lines[2]).toBe('{"index":7,"line":8,"error":"Transition failed: a -> b","state":"a","record":{"id":7,"step":1}}');
    expect(lines[3]).toBe("");
  });

  it("takes the stream executor's entries and failure results as they come", async () => {
    const entries: unknown[] = [];
    const sink = deadLetterSink(callbackSink((entry) => void entries.push(entry), { name: "memory" }));
    await sink.write({ index: 0, line: 1, error: "invalid JSON", raw: "{" });
    await sink.write({ index: 1, line: 2, error: "the run threw: boom", state: null });
    await sink.write({ success: false, final_state: "check", data: { id: 9 }, path: ["start", "check"], error: "Pre-validation failed for state 'check'", metadata: {}, index: 2, line: 3 });
    const cyclic: Record<string, unknown> = { id: 10 };
    cyclic["self"] = cyclic;
    await sink.write({ kind: "failed", position: { index: 4, line: 5 }, error: "bad", state: "s", record: cyclic });
    expect(entries).toEqual([
      { index: 0, line: 1, error: "invalid JSON", raw: "{" },
      { index: 1, line: 2, error: "the run threw: boom", state: null },
      { index: 2, line: 3, error: "Pre-validation failed for state 'check'", state: "check", record: { id: 9 } },
      { index: 4, line: 5, error: "bad", state: "s", recordError: expect.stringMatching(/^the record is not JSON: Converting circular structure/) },
    ]);
    expect(sink.counts()).toEqual({ malformed: 1, failed: 3 });
    const error = thrown(() => sink.write({ message: "no position" }));
    expect(error).toBeInstanceOf(SinkItemError);
    expect(error.message).toMatch(/^sink `memory`: item 4 is not a dead letter/);
    await sink.close();
  });

  it("truncates its file unless told to append (decision Q23)", async () => {
    const path = pathOf("dead.jsonl");
    const first = deadLetterSink(path);
    await first.write({ index: 0, line: 1, error: "e1", raw: "r1" });
    await first.close();
    const again = deadLetterSink(path);
    await again.write({ index: 0, line: 1, error: "e2", raw: "r2" });
    await again.close();
    expect(read(path)).toBe('{"index":0,"line":1,"error":"e2","raw":"r2"}\n');
    const appended = deadLetterSink(path, { append: true });
    await appended.write({ index: 1, line: 2, error: "e3", raw: "r3" });
    await appended.close();
    expect(read(path)).toBe('{"index":0,"line":1,"error":"e2","raw":"r2"}\n{"index":1,"line":2,"error":"e3","raw":"r3"}\n');
  });
});
