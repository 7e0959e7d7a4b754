/**
 * The text sinks (docs/streaming.md, "Sinks") on real files in a temp folder, real pipes and a
 * real child process: each format's exact bytes, truncate / append / resume (byte-identical to an
 * uninterrupted write), the CSV rules, backpressure with bounded buffers, and the failures a
 * destination can have (a full disk, a closed pipe), plus the callback sink.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import {
  callbackSink,
  fileSink,
  SinkClosedError,
  SinkConfigError,
  SinkItemError,
  SinkWriteError,
  streamSink,
  type FileSink,
} from "../../../runtime/streaming/sinks/index.js";
import type { Sink } from "../../../runtime/streaming/types.js";
import { ROOT, tempDir } from "../../support/cli.js";

const temp = tempDir("fsmc-sinks-");
afterAll(() => temp.cleanup());
let counter = 0;
/** A fresh path in the temp folder. */
const pathOf = (name: string): string => join(temp.dir, `${counter++}-${name}`);
const read = (path: string): string => readFileSync(path, "utf8");

/** Writes every item, waiting whenever the sink asks to. */
async function writeAll(sink: Sink, items: readonly unknown[]): Promise<void> {
  for (const item of items) await sink.write(item);
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("file sink: formats", () => {
  it("writes JSONL: one compact value per line, flush reports the exact file length", async () => {
    const path = pathOf("out.jsonl");
    const sink = fileSink(path);
    await writeAll(sink, [{ id: 1, name: "ünïcode ✓ 😀" }, [1, 2], "text", 3, null]);
    const position = await sink.flush();
    const expected = '{"id":1,"name":"ünïcode ✓ 😀"}\n[1,2]\n"text"\n3\nnull\n';
    expect(read(path)).toBe(expected);
    expect(position).toEqual({ items: 5, bytes: Buffer.byteLength(expected) });
    await sink.close();
    expect(read(path)).toBe(expected);
  });

  it("takes the format from the extension, and asks for `format` when it cannot", () => {
    const cases: [string, string][] = [
      ["a.jsonl", "jsonl"],
      ["a.NDJSON", "jsonl"],
      ["a.json", "json"],
      ["a.csv", "csv"],
      ["a.tsv", "csv"],
    ];
    for (const [name, format] of cases) {
      const sink = fileSink(pathOf(name));
      expect(sink.format).toBe(format);
      void sink.close();
    }
    const path = pathOf("out.txt");
    const error = thrown(() => fileSink(path));
    expect(error).toBeInstanceOf(SinkConfigError);
    expect(error.message).toBe(
      `sink \`${path}\`: cannot tell the output format from the extension \`.txt\`: give \`format\` (jsonl, csv or json), or name the file .jsonl, .ndjson, .json, .csv or .tsv`,
    );
    expect((error as SinkConfigError).code).toBe("FSMR0055");
    expect(thrown(() => fileSink(pathOf("noext"))).message).toMatch(/from a path without an extension: give `format`/);
    expect(fileSink(pathOf("out.txt"), { format: "jsonl" }).format).toBe("jsonl");
    expect(thrown(() => fileSink(pathOf("x.out"), { format: "xml" as "json" })).message).toMatch(/unknown output format `xml`: use jsonl, csv or json/);
  });

  it("refuses options the format would ignore", () => {
    expect(thrown(() => fileSink(pathOf("a.jsonl"), { delimiter: ";" })).message).toMatch(/`delimiter` applies to CSV output only, and this sink writes jsonl/);
    expect(thrown(() => fileSink(pathOf("a.json"), { columns: ["a"] })).message).toMatch(/`columns` applies to CSV output only/);
    expect(thrown(() => fileSink(pathOf("a.csv"), { delimiter: '"' })).message).toMatch(/one character other than a quote, CR or LF/);
    expect(thrown(() => fileSink(pathOf("a.csv"), { delimiter: ";;" })).message).toMatch(/one character/);
    expect(thrown(() => fileSink(pathOf("a.csv"), { columns: ["a", "a"] })).message).toMatch(/column `a` is named twice/);
    expect(thrown(() => fileSink(pathOf("a.jsonl"), { append: true, resumeAt: 3 })).message).toMatch(/give `append` or `resumeAt`, not both/);
    expect(thrown(() => fileSink(pathOf("a.jsonl"), { resumeAt: -1 })).message).toMatch(/`resumeAt` must be a byte count/);
    expect(thrown(() => fileSink(pathOf("a.jsonl"), { highWaterMark: 0 })).message).toMatch(/`highWaterMark` must be a whole number of bytes >= 1/);
  });

  it("writes a JSON array as it goes: valid JSON for 0, 1 and n items", async () => {
    const expected: [unknown[], string][] = [
      [[], "[]\n"],
      [[{ a: 1 }], '[{"a":1}]\n'],
      [[{ a: 1 }, "two", [3], { d: { e: null } }], '[{"a":1},\n"two",\n[3],\n{"d":{"e":null}}]\n'],
    ];
    for (const [items, text] of expected) {
      const path = pathOf("out.json");
      const sink = fileSink(path);
      await writeAll(sink, items);
      const position = await sink.flush();
      // Before close the array is open: exactly the bytes reported, without the `]`.
      expect(read(path)).toBe(text.slice(0, -2));
      expect(position.bytes).toBe(Buffer.byteLength(text) - 2);
      await sink.close();
      expect(read(path)).toBe(text);
      expect(JSON.parse(read(path))).toEqual(items);
    }
  });

  it("refuses an item JSON cannot hold, naming it, and stays usable", async () => {
    const path = pathOf("out.jsonl");
    const sink = fileSink(path);
    await sink.write({ ok: 1 });
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    const error = thrown(() => sink.write(cyclic));
    expect(error).toBeInstanceOf(SinkItemError);
    expect(error.message).toMatch(/^sink `.*out\.jsonl`: item 1 is not JSON: Converting circular structure/);
    expect((error as SinkItemError).code).toBe("FSMR0057");
    expect(thrown(() => sink.write(undefined)).message).toMatch(/item 1 is not JSON: a undefined has no JSON text/);
    expect(thrown(() => sink.write({ n: 1n })).message).toMatch(/item 1 is not JSON: Do not know how to serialize a BigInt/);
    await sink.write({ ok: 2 });
    await sink.close();
    expect(read(path)).toBe('{"ok":1}\n{"ok":2}\n');
  });
});

describe("file sink: CSV", () => {
  it("quotes fields with the delimiter, quotes, CR or LF (quotes doubled); unicode as is; CRLF records", async () => {
    const path = pathOf("out.csv");
    const sink = fileSink(path);
    await writeAll(sink, [
      { id: 1, text: "plain", note: "a,b" },
      { id: 2, text: 'say "hi"', note: "two\nlines" },
      { id: 3, text: "cr\rhere", note: "crlf\r\nend" },
      { id: 4, text: "ünïcode ✓ 😀", note: " spaced " },
    ]);
    await sink.close();
    expect(read(path)).toBe(
      'id,text,note\r\n1,plain,"a,b"\r\n2,"say ""hi""","two\nlines"\r\n3,"cr\rhere","crlf\r\nend"\r\n4,ünïcode ✓ 😀, spaced \r\n',
    );
  });

  it("writes nested values as JSON text, null and undefined as empty fields, dates as ISO text", async () => {
    const path = pathOf("out.csv");
    const sink = fileSink(path, { lineEnding: "\n" });
    await writeAll(sink, [
      { a: { x: [1, "y"] }, b: [1, 2], c: null, d: true, e: new Date("2024-01-02T03:04:05.000Z") },
      { a: 1.5, b: "", c: undefined, d: false, e: 10n },
    ]);
    await sink.close();
    expect(read(path)).toBe('a,b,c,d,e\n"{""x"":[1,""y""]}","[1,2]",,true,2024-01-02T03:04:05.000Z\n1.5,,,false,10\n');
  });

  it("takes the header from the first item: a missing key is an empty field, an extra key is an error naming the item and keys", async () => {
    const path = pathOf("out.csv");
    const sink = fileSink(path, { lineEnding: "\n" });
    await sink.write({ a: 1, b: 2 });
    await sink.write({ b: 3 });
    const error = thrown(() => sink.write({ a: 4, c: 5, d: 6 }));
    expect(error).toBeInstanceOf(SinkItemError);
    expect(error.message).toBe(
      `sink \`${path}\`: item 2 has keys \`c\`, \`d\` outside the CSV columns (a, b); writing it would drop them: give \`columns\` with every key, or write JSONL`,
    );
    // The refused item is not written and the sink goes on; a key whose value is undefined is no extra key.
    await sink.write({ b: 7, a: 8, z: undefined });
    await sink.close();
    expect(read(path)).toBe("a,b\n1,2\n,3\n8,7\n");
  });

  it("writes the `columns` header even with no items, and in that order", async () => {
    const empty = pathOf("empty.csv");
    await fileSink(empty, { columns: ["x", "y z"] }).close();
    expect(read(empty)).toBe("x,y z\r\n");
    const path = pathOf("out.csv");
    const sink = fileSink(path, { columns: ["b", "a"], lineEnding: "\n" });
    await writeAll(sink, [{ a: 1, b: 2 }, { a: 3 }]);
    await sink.close();
    expect(read(path)).toBe("b,a\n2,1\n,3\n");
  });

  it("writes TSV with a tab for .tsv files, quoting fields with tabs", async () => {
    const path = pathOf("out.tsv");
    const sink = fileSink(path);
    await writeAll(sink, [{ a: "x\ty", b: "p,q" }]);
    await sink.close();
    expect(read(path)).toBe('a\tb\r\n"x\ty"\tp,q\r\n');
    const named = pathOf("named.tsv");
    const explicit = fileSink(named, { format: "csv" });
    await writeAll(explicit, [{ a: 1, b: 2 }]);
    await explicit.close();
    expect(read(named)).toBe("a\tb\r\n1\t2\r\n");
    const semicolons = pathOf("semi.tsv");
    const chosen = fileSink(semicolons, { delimiter: ";" });
    await writeAll(chosen, [{ a: 1, b: 2 }]);
    await chosen.close();
    expect(read(semicolons)).toBe("a;b\r\n1;2\r\n");
  });

  it("refuses a row that is not an object", () => {
    const sink = fileSink(pathOf("out.csv"));
    expect(thrown(() => sink.write([1, 2])).message).toMatch(/item 0 is an array, not an object: a CSV row needs named fields/);
    expect(thrown(() => sink.write("text")).message).toMatch(/item 0 is a string, not an object/);
    expect(thrown(() => sink.write({})).message).toMatch(/item 0 has no fields/);
    void sink.close();
  });
});

describe("file sink: truncate, append, resume", () => {
  it("truncates an existing file by default (decision Q23) and appends with `append: true`", async () => {
    const path = pathOf("out.jsonl");
    writeFileSync(path, '{"old":1}\n{"old":2}\n');
    const first = fileSink(path);
    await writeAll(first, [{ n: 1 }]);
    await first.close();
    expect(read(path)).toBe('{"n":1}\n');
    const second = fileSink(path, { append: true });
    await writeAll(second, [{ n: 2 }]);
    expect(await second.flush()).toEqual({ items: 1, bytes: 16 });
    await second.close();
    expect(read(path)).toBe('{"n":1}\n{"n":2}\n');
  });

  it("appends after a missing final newline instead of joining two lines", async () => {
    const path = pathOf("out.jsonl");
    writeFileSync(path, '{"old":1}');
    const sink = fileSink(path, { append: true });
    await writeAll(sink, [{ n: 2 }]);
    await sink.close();
    expect(read(path)).toBe('{"old":1}\n{"n":2}\n');
  });

  it("appends CSV under the file's own header, in its column order, without writing it again", async () => {
    const path = pathOf("out.csv");
    writeFileSync(path, 'b,"a,x"\r\n1,2\r\n');
    const sink = fileSink(path, { append: true });
    await writeAll(sink, [{ "a,x": "A", b: "B" }]);
    expect(thrown(() => sink.write({ c: 1 })).message).toMatch(/keys? `c` outside the CSV columns \(b, a,x\)/);
    await sink.close();
    expect(read(path)).toBe('b,"a,x"\r\n1,2\r\nB,A\r\n');
    expect(thrown(() => fileSink(path, { append: true, columns: ["a", "b"] })).message).toMatch(/`columns` \(a, b\) differ from the header of the file continued \(b, a,x\)/);
  });

  it("appends to a JSON array inside its brackets: still one valid array", async () => {
    const path = pathOf("out.json");
    writeFileSync(path, '[\n  {"a": 1}\n]\n\n');
    const sink = fileSink(path, { append: true });
    await writeAll(sink, [{ a: 2 }, { a: 3 }]);
    await sink.close();
    expect(JSON.parse(read(path))).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    const empty = pathOf("empty.json");
    writeFileSync(empty, "[ ]");
    const more = fileSink(empty, { append: true });
    await writeAll(more, [1]);
    await more.close();
    expect(read(empty)).toBe("[ 1]\n");
    const notArray = pathOf("object.json");
    writeFileSync(notArray, '{"a":1}');
    expect(thrown(() => fileSink(notArray, { append: true })).message).toMatch(/the existing file is not a JSON array/);
  });

  /** Writes items with a checkpoint after `at` items, "crashes" after more, resumes at the checkpoint: the file equals an uninterrupted run's. */
  async function resumeMatchesUninterrupted(name: string, items: readonly Record<string, unknown>[], at: number, options: { lineEnding?: "\n" } = {}): Promise<void> {
    const whole = pathOf(name);
    const uninterrupted = fileSink(whole, options);
    await writeAll(uninterrupted, items);
    await uninterrupted.close();

    const path = pathOf(name);
    const first = fileSink(path, options);
    await writeAll(first, items.slice(0, at));
    const checkpoint = await first.flush();
    // Work after the checkpoint that the crash loses: written, but the resumed run redoes it.
    await writeAll(first, items.slice(at, at + 2));
    await first.close();
    expect(read(path).length).toBeGreaterThan(checkpoint.bytes ?? 0);

    const resumed = fileSink(path, { ...options, resumeAt: checkpoint.bytes ?? 0 });
    await writeAll(resumed, items.slice(at));
    await resumed.close();
    expect(readFileSync(path).equals(readFileSync(whole))).toBe(true);
  }

  const items = Array.from({ length: 7 }, (_, i) => ({ id: i, text: i % 2 === 0 ? `line ${i}` : `quote "${i}", comma`, nested: { i } }));

  it("resumes JSONL at a flush position: byte-identical to an uninterrupted write", async () => {
    await resumeMatchesUninterrupted("out.jsonl", items, 3);
    await resumeMatchesUninterrupted("out.jsonl", items, 0);
  });

  it("resumes CSV without writing the header again", async () => {
    await resumeMatchesUninterrupted("out.csv", items, 4);
    await resumeMatchesUninterrupted("out.csv", items, 1, { lineEnding: "\n" });
  });

  it("resumes a JSON array after its last item (and right after `[`)", async () => {
    await resumeMatchesUninterrupted("out.json", items, 2);
    await resumeMatchesUninterrupted("out.json", items, 0);
    // A zero-item flush position is 1 (`[`), not 0: resuming there keeps the bracket.
    const path = pathOf("out.json");
    const sink = fileSink(path);
    expect(await sink.flush()).toEqual({ items: 0, bytes: 1 });
    await sink.close();
  });

  it("refuses a resume position the file does not have", async () => {
    const path = pathOf("out.jsonl");
    writeFileSync(path, '{"a":1}\n{"a":2}\n');
    expect(thrown(() => fileSink(path, { resumeAt: 100 })).message).toBe(
      `sink \`${path}\`: cannot resume at byte 100: the file has only 16 bytes, so it is not the output the checkpoint recorded`,
    );
    expect(thrown(() => fileSink(path, { resumeAt: 5 })).message).toMatch(/cannot resume at byte 5: it is not the end of a line/);
    expect(thrown(() => fileSink(pathOf("missing.jsonl"), { resumeAt: 5 })).message).toMatch(/cannot resume at byte 5: the file does not exist/);
    const json = pathOf("out.json");
    writeFileSync(json, '{"a":1}');
    expect(thrown(() => fileSink(json, { resumeAt: 7 })).message).toMatch(/does not hold an open JSON array up to there/);
    // A refused resume leaves the file as it was.
    expect(read(path)).toBe('{"a":1}\n{"a":2}\n');
  });
});

describe("file sink: durability, errors and close", () => {
  it("fsyncs with `durable: true` and reports the same position", async () => {
    const path = pathOf("out.jsonl");
    const sink = fileSink(path, { durable: true });
    await writeAll(sink, [{ a: 1 }]);
    expect(await sink.flush()).toEqual({ items: 1, bytes: 8 });
    await sink.close();
    expect(read(path)).toBe('{"a":1}\n');
  });

  it("reports a full disk on the next write, flush and close, naming the path", async () => {
    const sink = fileSink("/dev/full", { format: "jsonl" });
    await sink.write({ a: 1 });
    const error = await rejection(sink.flush());
    expect(error).toBeInstanceOf(SinkWriteError);
    expect((error as SinkWriteError).code).toBe("FSMR0056");
    expect(error.message).toBe("sink `/dev/full`: write failed: ENOSPC: no space left on device, write");
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ENOSPC");
    expect(await rejection(Promise.resolve(sink.write({ a: 2 })))).toBe(error);
    expect(await rejection(sink.close())).toBe(error);
  });

  it("refuses a path it cannot open, naming it", () => {
    const dir = pathOf("dir");
    mkdirSync(dir);
    const error = thrown(() => fileSink(join(dir, "missing", "out.jsonl")));
    expect(error).toBeInstanceOf(SinkWriteError);
    expect(error.message).toMatch(/^sink `.*missing\/out\.jsonl`: cannot open the file for writing: ENOENT: no such file or directory/);
    expect(thrown(() => fileSink(dir, { format: "jsonl" })).message).toMatch(/cannot open the file for writing: EISDIR/);
  });

  it("closes once however often it is called; writing or flushing after close is an error", async () => {
    const path = pathOf("out.json");
    const sink = fileSink(path);
    await sink.write({ a: 1 });
    const closing = sink.close();
    expect(sink.close()).toBe(closing);
    await closing;
    await sink.close();
    expect(read(path)).toBe('[{"a":1}]\n');
    const error = thrown(() => sink.write({ a: 2 }));
    expect(error).toBeInstanceOf(SinkClosedError);
    expect((error as SinkClosedError).code).toBe("FSMR0058");
    expect(error.message).toBe(`sink \`${path}\` is closed: nothing can be written to it after close()`);
    expect(await rejection(sink.flush())).toBeInstanceOf(SinkClosedError);
  });
});

describe("backpressure", () => {
  it("asks the caller to wait when the file stream's buffer is full; the buffer stays bounded over 100k items", async () => {
    const path = pathOf("big.jsonl");
    const highWaterMark = 16 * 1024;
    const sink: FileSink = fileSink(path, { highWaterMark });
    let waits = 0;
    let maxBuffered = 0;
    let longest = 0;
    for (let i = 0; i < 100_000; i++) {
      const item = { i, text: `item number ${i}` };
      longest = Math.max(longest, JSON.stringify(item).length + 1);
      const pending = sink.write(item);
      maxBuffered = Math.max(maxBuffered, sink.bufferedBytes());
      if (pending !== undefined) {
        waits++;
        await pending;
      }
    }
    const position = await sink.flush();
    await sink.close();
    expect(waits).toBeGreaterThan(100);
    expect(maxBuffered).toBeLessThanOrEqual(highWaterMark + longest);
    const text = read(path);
    expect(position).toEqual({ items: 100_000, bytes: Buffer.byteLength(text) });
    const lines = text.split("\n");
    expect(lines).toHaveLength(100_001);
    expect(JSON.parse(lines[99_999] as string)).toEqual({ i: 99_999, text: "item number 99999" });
  });

  it("waits for a slow consumer: write answers promises, its buffer stays bounded, and everything arrives in order", async () => {
    const received: string[] = [];
    const highWaterMark = 1024;
    // A consumer that takes one chunk per turn of the event loop.
    const slow = new Writable({
      highWaterMark,
      write(chunk: Buffer, _encoding, callback) {
        setImmediate(() => {
          received.push(chunk.toString("utf8"));
          callback();
        });
      },
    });
    const sink = streamSink(slow, { format: "jsonl", name: "slow" });
    let waits = 0;
    let maxBuffered = 0;
    for (let i = 0; i < 20_000; i++) {
      const pending = sink.write({ i });
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
      if (pending !== undefined) {
        waits++;
        await pending;
      }
    }
    expect(await sink.flush()).toEqual({ items: 20_000, bytes: null });
    await sink.close();
    // About a hundred 10-byte items fill the 1 KiB buffer, so roughly every hundredth write waits.
    expect(waits).toBeGreaterThan(100);
    expect(maxBuffered).toBeLessThanOrEqual(highWaterMark + 20);
    const lines = received.join("").split("\n").slice(0, -1);
    expect(lines).toHaveLength(20_000);
    expect(lines.every((line, i) => line === `{"i":${i}}`)).toBe(true);
    // The caller's stream stays open.
    expect(slow.writable).toBe(true);
  });
});

describe("stream sink: a reader that goes away", () => {
  it("ends with an error naming EPIPE when the reader of a pipe exits; the process does not crash", async () => {
    const child = spawn("head", ["-c", "100"], { stdio: ["pipe", "ignore", "ignore"] });
    if (child.stdin === null) throw new Error("no stdin");
    const sink = streamSink(child.stdin, { format: "csv", name: "head" });
    let written = 0;
    const error = await rejection(
      (async () => {
        for (let i = 0; i < 1_000_000; i++) {
          await sink.write({ i, pad: "x".repeat(40) });
          written++;
        }
      })(),
    );
    expect(error).toBeInstanceOf(SinkWriteError);
    expect(error.message).toBe("sink `head`: the reader closed the pipe (EPIPE); nothing more is written");
    expect(written).toBeLessThan(1_000_000);
    expect(await rejection(sink.close())).toBe(error);
  });

  it("stdoutSink in a process piped into `head`: the sink reports EPIPE and the process exits on its own terms", async () => {
    const script = join(temp.dir, "stdout-epipe.mts");
    const sinks = join(ROOT, "runtime/streaming/sinks/index.ts");
    writeFileSync(
      script,
      `import { stdoutSink } from ${JSON.stringify(sinks)};
const sink = stdoutSink({ format: "jsonl" });
try {
  for (let i = 0; i < 1_000_000; i++) await sink.write({ i });
  await sink.close();
  process.stderr.write("finished\\n");
} catch (error) {
  process.stderr.write("reported: " + error.message + "\\n");
  process.exitCode = 3;
}
`,
    );
    const result = await new Promise<{ code: number | null; stderr: string; head: string }>((resolve, reject) => {
      // The writer's stdout is the pipe into `head` itself, as in a shell pipeline: head exits after two lines.
      const head = spawn("head", ["-n", "2"], { stdio: ["pipe", "pipe", "ignore"] });
      const writer = spawn(process.execPath, ["--import", "tsx", script], { cwd: ROOT, stdio: ["ignore", head.stdin, "pipe"] });
      head.stdin.destroy();
      let stderr = "";
      let out = "";
      writer.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      head.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      writer.on("error", reject);
      writer.on("close", (code) => resolve({ code, stderr, head: out }));
    });
    expect(result.head).toBe('{"i":0}\n{"i":1}\n');
    expect(result.stderr).toBe("reported: sink `stdout`: the reader closed the pipe (EPIPE); nothing more is written\n");
    expect(result.code).toBe(3);
  });
});

describe("callback sink", () => {
  it("calls the function for each item in order and counts them", async () => {
    const seen: unknown[] = [];
    const sink = callbackSink((item) => {
      seen.push(item);
    });
    expect(sink.write(1)).toBeUndefined();
    expect(sink.write({ b: 2 })).toBeUndefined();
    expect(await sink.flush()).toEqual({ items: 2, bytes: null });
    await sink.close();
    expect(seen).toEqual([1, { b: 2 }]);
    expect(thrown(() => sink.write(3))).toBeInstanceOf(SinkClosedError);
  });

  it("hands on the promise of an async function (backpressure) and keeps order when the caller does not wait", async () => {
    const seen: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const sink = callbackSink(async (item) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((resolve) => setImmediate(resolve));
      seen.push(item as number);
      running--;
    });
    const first = sink.write(1);
    expect(first).toBeInstanceOf(Promise);
    await first;
    const pending = [sink.write(2), sink.write(3), sink.write(4)];
    expect(pending.every((p) => p instanceof Promise)).toBe(true);
    expect(await sink.flush()).toEqual({ items: 4, bytes: null });
    await Promise.all(pending);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(maxRunning).toBe(1);
    await sink.close();
  });

  it("fails the write of an item the function throws or rejects on; the sink goes on", async () => {
    const seen: unknown[] = [];
    const sink = callbackSink(
      (item) => {
        if (item === "boom") throw new Error("boom!");
        if (item === "later") return Promise.reject(new Error("later!"));
        seen.push(item);
        return undefined;
      },
      { name: "collector" },
    );
    const error = thrown(() => sink.write("boom"));
    expect(error).toBeInstanceOf(SinkWriteError);
    expect(error.message).toBe("sink `collector`: the callback failed on item 0: boom!");
    expect((error.cause as Error).message).toBe("boom!");
    const rejected = await rejection(Promise.resolve(sink.write("later")));
    expect(rejected.message).toBe("sink `collector`: the callback failed on item 1: later!");
    await sink.write("fine");
    expect(await sink.flush()).toEqual({ items: 1, bytes: null });
    expect(seen).toEqual(["fine"]);
    await sink.close();
  });
});
