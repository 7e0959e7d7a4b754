/**
 * The stream executor (runtime/streaming/executor.ts) with in-memory sources and sinks: order,
 * the accounting identity, routing, backpressure, stopping and checkpoints.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defineMachine, type Sink, type SinkPosition, type Source, type SourceItem } from "../../../runtime/index.js";
import { flow } from "../engine/support.js";

const dir = mkdtempSync(join(tmpdir(), "fsmc-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A source over `items` (a string is a malformed line); counts how far it was read. */
function memorySource(items: readonly (Record<string, unknown> | string)[]): Source & { pulled: number; closed: boolean } {
  const source = {
    description: "memory",
    totalBytes: null,
    pulled: 0,
    closed: false,
    bytesRead: () => 0,
    close: async () => {
      source.closed = true;
    },
    async *[Symbol.asyncIterator](): AsyncIterator<SourceItem> {
      for (let index = 0; index < items.length; index++) {
        source.pulled = index + 1;
        const item = items[index];
        const position = { index, line: index + 1, endOffset: (index + 1) * 10, endLine: index + 2 };
        if (typeof item === "string") yield { kind: "malformed", position, raw: item, error: `invalid JSON on line ${index + 1}` };
        else yield { kind: "record", record: item, position };
      }
    },
  };
  return source;
}

/** `memorySource` that also reads in groups of `size` (the fast path of a synchronous machine). */
function groupedSource(items: readonly (Record<string, unknown> | string)[], size: number): Source & { pulled: number; closed: boolean } {
  const source = memorySource(items);
  return Object.assign(source, {
    batches: (): AsyncIterable<readonly SourceItem[]> => ({
      async *[Symbol.asyncIterator]() {
        let group: SourceItem[] = [];
        for await (const item of source) {
          group.push(item);
          if (group.length === size) {
            yield group;
            group = [];
          }
        }
        if (group.length > 0) yield group;
      },
    }),
  });
}

/** A sink keeping what it gets; `delayMs` makes each write wait (a slow destination). */
function memorySink(name: string, delayMs = 0): Sink & { items: unknown[]; closed: boolean } {
  const sink = {
    description: name,
    items: [] as unknown[],
    closed: false,
    write(item: unknown): void | Promise<void> {
      sink.items.push(item);
      if (delayMs > 0) return new Promise((resolve) => setTimeout(resolve, delayMs));
      return undefined;
    },
    flush: async (): Promise<SinkPosition> => ({ items: sink.items.length, bytes: sink.items.length * 3 }),
    close: async () => {
      sink.closed = true;
    },
  };
  return sink;
}

/** n → done (n even), rejected (n % 3 === 0, a silent terminal), fails when n % 5 === 4. */
function machine(async = false) {
  const step = (d: Record<string, unknown>): unknown => {
    if ((d["n"] as number) % 5 === 4) throw new Error(`bad ${String(d["n"])}`);
    d["seen"] = true;
    return async ? new Promise((resolve) => setTimeout(() => resolve(undefined), (d["n"] as number) % 3)) : undefined;
  };
  const def = flow({
    s: {
      start: true,
      transforms: [async ? { name: "step", fn: step, async: true } : step],
      arcs: [{ to: "rejected", when: (d) => (d["n"] as number) % 3 === 0, priority: 1 }, { to: "done", when: (d) => d["seen"] === true }],
    },
    done: { final: true },
    rejected: { final: true },
  });
  const silent = { ...def, states: def.states.map((s) => (s.name === "rejected" ? { ...s, emitOutput: false } : s)) };
  return defineMachine(silent);
}

/** Every record to `done`, after a wait of 0–2 ms. */
function allDone() {
  const wait = (d: Record<string, unknown>): Promise<undefined> => new Promise((resolve) => setTimeout(() => resolve(undefined), (d["n"] as number) % 3));
  return defineMachine(flow({ s: { start: true, transforms: [{ name: "wait", fn: wait, async: true }], arcs: ["done"] }, done: { final: true } }));
}

const inputs = (n: number): (Record<string, unknown> | string)[] => Array.from({ length: n }, (_, i) => (i === 7 ? "{broken" : { n: i }));

describe("processStream", () => {
  it("writes results in input order and accounts for every item", async () => {
    for (const async of [false, true]) {
      const out = memorySink("out");
      const rejects = memorySink("rejects");
      const stats = await machine(async).processStream(memorySource(inputs(40)), out, { rejects, maxInFlight: 8 });
      const expected = inputs(40).filter((x): x is { n: number } => typeof x !== "string" && (x["n"] as number) % 5 !== 4 && (x["n"] as number) % 3 !== 0);
      expect(out.items).toEqual(expected.map((x) => ({ n: x.n, seen: true })));
      expect(stats.read).toBe(40);
      expect(stats.deadLettered).toBe(1);
      expect(stats.failed).toBe(8);
      expect(stats.filtered).toBe(stats.byFinalState["rejected"]);
      expect(stats.written).toBe(expected.length);
      expect(stats.read).toBe(stats.written + stats.filtered + stats.failed + stats.deadLettered + stats.cancelled);
      // Failures and the unreadable line go to rejects, in order, with their positions.
      expect(rejects.items.map((x) => (x as { index: number }).index)).toEqual([4, 7, 9, 14, 19, 24, 29, 34, 39]);
      expect(rejects.items[1]).toEqual({ index: 7, line: 8, error: "invalid JSON on line 8", raw: "{broken" });
      expect(rejects.items[0]).toMatchObject({ success: false, index: 4, line: 5, error: "No valid transitions from state: s" });
      expect(out.closed).toBe(false);
    }
  });

  it("routes results by final state and sends unreadable inputs to the dead-letter sink", async () => {
    const m = defineMachine(
      flow({ s: { start: true, arcs: [{ to: "big", when: (d) => (d["n"] as number) > 2, priority: 1 }, "small"] }, big: { final: true }, small: { final: true } }),
    );
    const out = memorySink("out");
    const big = memorySink("big");
    const dead = memorySink("dead");
    const stats = await m.processStream(memorySource([{ n: 1 }, { n: 5 }, "x", { n: 2 }]), out, { routes: { big }, deadLetter: dead });
    expect(out.items).toEqual([{ n: 1 }, { n: 2 }]);
    expect(big.items).toEqual([{ n: 5 }]);
    expect(dead.items).toEqual([{ index: 2, line: 3, error: "invalid JSON on line 3", raw: "x" }]);
    expect(stats).toMatchObject({ read: 4, written: 3, deadLettered: 1, byFinalState: { big: 1, small: 2 } });
  });

  it("keeps failures in the result when there is no rejects sink", async () => {
    const stats = await machine().processStream(memorySource(inputs(10)), memorySink("out"));
    expect(stats.failures.map((f) => f.index)).toEqual([4, 7, 9]);
  });

  it("backpressure: a slow sink holds the reader to the window of records in flight", async () => {
    const source = memorySource(Array.from({ length: 60 }, (_, n) => ({ n })));
    const out = memorySink("out", 2);
    let maxAhead = 0;
    const write = out.write.bind(out);
    out.write = (item: unknown) => {
      maxAhead = Math.max(maxAhead, source.pulled - out.items.length);
      return write(item);
    };
    const stats = await allDone().processStream(source, out, { maxInFlight: 4 });
    expect(stats.written).toBe(60);
    // The one being written, the window of 4, and the one the reader holds while it waits for room.
    expect(maxAhead).toBeLessThanOrEqual(4 + 2);
  });

  it("unordered: every result is written, as each finishes", async () => {
    const out = memorySink("out");
    const stats = await machine(true).processStream(memorySource(inputs(30)), out, { ordered: false, maxInFlight: 8 });
    expect(stats.written).toBe(out.items.length);
    expect(new Set(out.items.map((x) => (x as { n: number }).n)).size).toBe(out.items.length);
    await expect(machine().processStream(memorySource([]), out, { ordered: false, checkpoint: { path: join(dir, "x") } })).rejects.toThrow(/checkpoint needs ordered output/);
  });

  it("a stop finishes the records in flight, writes them, and leaves the rest unread", async () => {
    const controller = new AbortController();
    const source = memorySource(Array.from({ length: 1000 }, (_, n) => ({ n })));
    const out = memorySink("out");
    const write = out.write.bind(out);
    out.write = (item: unknown) => {
      if (out.items.length === 20) controller.abort();
      return write(item);
    };
    const stats = await allDone().processStream(source, out, { maxInFlight: 4, signal: controller.signal, checkpoint: { path: join(dir, "stop.json"), every: 1000 } });
    expect(stats.stopped).toBe(true);
    expect(stats.read).toBeLessThanOrEqual(20 + 4 + 1);
    expect(stats.written).toBe(stats.read);
    expect(stats.read).toBe(stats.written + stats.filtered + stats.failed + stats.deadLettered + stats.cancelled);
    expect(source.closed).toBe(true);
    const checkpoint = JSON.parse(readFileSync(join(dir, "stop.json"), "utf8")) as { source: { index: number; offset: number; line: number } };
    // Every record before the checkpoint's position was written or accounted for.
    expect(checkpoint.source.index).toBe(stats.read - stats.cancelled);
    expect(checkpoint.source.offset).toBe(checkpoint.source.index * 10);
  });

  it("writes a checkpoint every N records with each sink's position", async () => {
    const path = join(dir, "every.json");
    const out = memorySink("out.jsonl");
    const rejects = memorySink("rejects.jsonl");
    await machine().processStream(memorySource(inputs(25)), out, { rejects, checkpoint: { path, every: 10 } });
    const checkpoint = JSON.parse(readFileSync(path, "utf8")) as { source: unknown; sinks: Record<string, SinkPosition>; stats: { read: number } };
    expect(checkpoint.source).toEqual({ index: 25, offset: 250, line: 26 });
    expect(checkpoint.sinks["out.jsonl"]?.items).toBe(out.items.length);
    expect(checkpoint.sinks["rejects.jsonl"]?.items).toBe(rejects.items.length);
    expect(checkpoint.stats.read).toBe(25);
  });

  it("a synchronous machine over a grouped source: the same results, order and counts as the general path", async () => {
    const general = memorySink("out");
    const generalRejects = memorySink("rejects");
    const expected = await machine().processStream(memorySource(inputs(50)), general, { rejects: generalRejects });
    const fast = memorySink("out");
    const fastRejects = memorySink("rejects");
    const got = await machine().processStream(groupedSource(inputs(50), 7), fast, { rejects: fastRejects });
    expect(fast.items).toEqual(general.items);
    expect(fastRejects.items).toEqual(generalRejects.items);
    const { elapsedMs: _a, ratePerSecond: _b, ...rest } = got;
    const { elapsedMs: _c, ratePerSecond: _d, ...restExpected } = expected;
    expect(rest).toEqual(restExpected);
  });

  it("fast path: a stop mid-group counts the rest of the group as cancelled and checkpoints the first of them", async () => {
    const controller = new AbortController();
    const out = memorySink("out");
    const write = out.write.bind(out);
    out.write = (item: unknown) => {
      if (out.items.length === 9) controller.abort();
      return write(item);
    };
    const path = join(dir, "fast-stop.json");
    const records = Array.from({ length: 100 }, (_, n) => ({ n: n * 2 + 1 })); // odd: never rejected, never failing with n % 5 === 4 … filter below
    const ok = records.filter((r) => r.n % 5 !== 4 && r.n % 3 !== 0);
    const stats = await machine().processStream(groupedSource(ok, 8), out, { signal: controller.signal, checkpoint: { path, every: 1000 } });
    expect(stats.stopped).toBe(true);
    expect(stats.written).toBe(10);
    expect(stats.read).toBe(16);
    expect(stats.cancelled).toBe(6);
    expect(stats.read).toBe(stats.written + stats.filtered + stats.failed + stats.deadLettered + stats.cancelled);
    const checkpoint = JSON.parse(readFileSync(path, "utf8")) as { source: { index: number } };
    expect(checkpoint.source.index).toBe(10);
  });

  it("a sink that throws rejects the stream and closes the source and sinks", async () => {
    const source = memorySource(inputs(10));
    const out = memorySink("out");
    out.write = () => {
      throw new Error("disk full");
    };
    await expect(machine().processStream(source, out)).rejects.toThrow("disk full");
    expect(source.closed).toBe(true);
    expect(out.closed).toBe(true);
  });
});
