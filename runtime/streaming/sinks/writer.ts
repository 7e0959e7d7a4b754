/**
 * The core of the text sinks over a Node `Writable` (a file's WriteStream, stdout, a socket):
 * counts the bytes handed over, answers a promise when the stream's buffer is full (resolved on
 * 'drain': backpressure), knows when every chunk handed over has reached the OS (each write's
 * callback, in order), and keeps the stream's first error, which rejects every later write and
 * flush instead of being thrown as an unhandled 'error' event.
 *
 * Small writes are gathered into one chunk of up to `COALESCE_CHARS` characters (at most the
 * stream's high-water mark) before they go to
 * the stream (one stream write per record costs more than the record's own work): the chunk goes
 * when it is full, at the next turn of the event loop, and before `settled()` and `end()`, so a
 * flush still reports exactly what reached the OS.
 */
import type { Writable } from "node:stream";
import type { SinkWriteError } from "./errors.js";

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: SinkWriteError) => void;
}

/** Characters gathered before they are handed to the stream as one chunk. */
const COALESCE_CHARS = 64 * 1024;

/** Writes text to a stream with backpressure, completion tracking and error capture. */
export class StreamWriter {
  /** Text written but not yet handed to the stream. */
  #pending = "";
  /** Characters gathered at most before a hand-over. */
  readonly #coalesce: number;
  #scheduled = false;
  readonly #flushLater = (): void => {
    this.#scheduled = false;
    if (this.#pending !== "" && this.#failure === null) void this.#handOver()?.catch(() => undefined);
  };
  readonly #stream: Writable;
  readonly #toError: (error: unknown) => SinkWriteError;
  #bytes: number;
  #issued = 0;
  #done = 0;
  #failure: SinkWriteError | null = null;
  #waiters: Waiter[] = [];
  #drain: { readonly promise: Promise<void>; readonly resolve: () => void; readonly reject: (error: SinkWriteError) => void } | null = null;
  #ending = false;

  readonly #onError = (error: unknown): void => this.#fail(error);
  readonly #onDrain = (): void => {
    const drain = this.#drain;
    this.#drain = null;
    drain?.resolve();
  };
  readonly #onClose = (): void => {
    if (!this.#ending) this.#fail(new Error("the stream was closed by someone else"));
  };
  readonly #onWritten = (error?: Error | null): void => {
    if (error !== undefined && error !== null) return this.#fail(error);
    this.#done++;
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((w) => w.target <= this.#done);
    this.#waiters = this.#waiters.filter((w) => w.target > this.#done);
    for (const waiter of ready) waiter.resolve();
  };

  /**
   * @param startBytes bytes the destination holds before the first write (a file's kept prefix)
   * @param toError turns a stream error into the sink's error (naming the path, `stdout` …)
   */
  constructor(stream: Writable, startBytes: number, toError: (error: unknown) => SinkWriteError) {
    this.#stream = stream;
    // Never gather more than the stream buffers, so backpressure comes as often as it would unbatched.
    this.#coalesce = Math.max(1, Math.min(COALESCE_CHARS, stream.writableHighWaterMark));
    this.#bytes = startBytes;
    this.#toError = toError;
    stream.on("error", this.#onError);
    stream.on("drain", this.#onDrain);
    stream.on("close", this.#onClose);
  }

  /** The stream's first error (as the sink's error), or null. */
  get failure(): SinkWriteError | null {
    return this.#failure;
  }

  /** Bytes written so far (handed to the stream or gathered for it), plus the start. */
  get bytes(): number {
    return this.#bytes + (this.#pending === "" ? 0 : Buffer.byteLength(this.#pending, "utf8"));
  }

  /** Bytes waiting in the stream's buffer or gathered for it (not yet handed to the OS). */
  get buffered(): number {
    return this.#stream.writableLength + (this.#pending === "" ? 0 : Buffer.byteLength(this.#pending, "utf8"));
  }

  /** Takes text for the stream; a promise when the buffer is full (resolved on 'drain'), a rejected one after a failure. */
  write(text: string): undefined | Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (text === "") return undefined;
    this.#pending += text;
    if (this.#pending.length < this.#coalesce) {
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flushLater);
      }
      return this.#drain?.promise;
    }
    return this.#handOver();
  }

  /** Hands the gathered text to the stream as one chunk. */
  #handOver(): undefined | Promise<void> {
    const text = this.#pending;
    if (text === "") return this.#drain?.promise;
    this.#pending = "";
    this.#issued++;
    this.#bytes += Buffer.byteLength(text, "utf8");
    if (this.#stream.write(text, this.#onWritten)) return undefined;
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#drain === null) {
      let resolve!: () => void;
      let reject!: (error: SinkWriteError) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#drain = { promise, resolve, reject };
    }
    return this.#drain.promise;
  }

  /** Resolves when every chunk handed over before this call has reached the OS; rejects with the stream's error. */
  settled(): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    void this.#handOver()?.catch(() => undefined);
    const target = this.#issued;
    if (this.#done >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.#waiters.push({ target, resolve, reject }));
  }

  /** Ends the stream (a file: closes its descriptor) and resolves once it is closed. */
  async end(): Promise<void> {
    if (this.#failure === null) void this.#handOver()?.catch(() => undefined);
    this.#ending = true;
    const stream = this.#stream;
    if (!stream.closed) {
      await new Promise<void>((resolve) => {
        stream.once("close", () => resolve());
        if (this.#failure !== null) stream.destroy();
        else stream.end();
      });
    }
    this.detach();
  }

  /** Stops listening to a stream the sink does not own (stdout), leaving it open. */
  detach(): void {
    this.#ending = true;
    this.#stream.off("error", this.#onError);
    this.#stream.off("drain", this.#onDrain);
    this.#stream.off("close", this.#onClose);
  }

  #fail(error: unknown): void {
    if (this.#failure !== null) return;
    const failure = this.#toError(error);
    this.#failure = failure;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(failure);
    const drain = this.#drain;
    this.#drain = null;
    drain?.reject(failure);
  }
}
