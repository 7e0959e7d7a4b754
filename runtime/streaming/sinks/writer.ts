/**
 * The core of the text sinks over a Node `Writable` (a file's WriteStream, stdout, a socket):
 * counts the bytes handed over, answers a promise when the stream's buffer is full (resolved on
 * 'drain': backpressure), knows when every chunk handed over has reached the OS (each write's
 * callback, in order), and keeps the stream's first error, which rejects every later write and
 * flush instead of being thrown as an unhandled 'error' event.
 */
import type { Writable } from "node:stream";
import type { SinkWriteError } from "./errors.js";

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: SinkWriteError) => void;
}

/** Writes text to a stream with backpressure, completion tracking and error capture. */
export class StreamWriter {
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

  /** Bytes handed to the stream so far, plus the start. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes waiting in the stream's buffer (not yet handed to the OS). */
  get buffered(): number {
    return this.#stream.writableLength;
  }

  /** Hands text to the stream; a promise when the buffer is full (resolved on 'drain'), a rejected one after a failure. */
  write(text: string): undefined | Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (text === "") return undefined;
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
    const target = this.#issued;
    if (this.#done >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.#waiters.push({ target, resolve, reject }));
  }

  /** Ends the stream (a file: closes its descriptor) and resolves once it is closed. */
  async end(): Promise<void> {
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
