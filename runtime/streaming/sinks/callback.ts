/**
 * `callbackSink(fn)`: every item goes to a function, in order, one at a time. A function that
 * answers a promise is waited for (backpressure: `write` hands the promise on). A function that
 * throws or rejects fails that item's write with a `SinkWriteError` (the original as `cause`);
 * the sink stays usable, as each call stands on its own.
 */
import { isThenable } from "../../thenable.js";
import type { Sink, SinkPosition } from "../types.js";
import { SinkClosedError, SinkWriteError } from "./errors.js";

/** Hands every item to `fn(item)`; `name` is what messages call the sink (default `callback`). */
export function callbackSink(fn: (item: unknown) => unknown, options: { readonly name?: string } = {}): Sink {
  return new CallbackSink(options.name ?? "callback", fn);
}

class CallbackSink implements Sink {
  #written = 0;
  #calls = 0;
  /** The call in progress (a promise) and those queued behind it; null when none. */
  #tail: Promise<void> | null = null;
  #closing: Promise<void> | null = null;

  constructor(
    readonly description: string,
    private readonly fn: (item: unknown) => unknown,
  ) {}

  write(item: unknown): void | Promise<void> {
    if (this.#closing !== null) throw new SinkClosedError(this.description);
    const index = this.#calls++;
    // A caller that did not wait for the last promise gets its item queued behind it (whether that
    // call succeeds or fails): order holds.
    if (this.#tail !== null) {
      const run = (): undefined | Promise<void> => this.#call(item, index);
      return this.#queue(this.#tail.then(run, run));
    }
    const answer = this.#call(item, index);
    return answer === undefined ? undefined : this.#queue(answer);
  }

  async flush(): Promise<SinkPosition> {
    if (this.#closing !== null) throw new SinkClosedError(this.description);
    return this.#settle();
  }

  close(): Promise<void> {
    this.#closing ??= this.#settle().then(() => undefined);
    return this.#closing;
  }

  async #settle(): Promise<SinkPosition> {
    while (this.#tail !== null) {
      const tail = this.#tail;
      // Each write's own promise reports its failure to its caller; here only the end matters.
      await tail.catch(() => undefined);
      if (this.#tail === tail) this.#tail = null;
    }
    return { items: this.#written, bytes: null };
  }

  /** Calls `fn`; undefined when it finished at once, else the promise of its end. Throws or rejects with a `SinkWriteError`. */
  #call(item: unknown, index: number): undefined | Promise<void> {
    let answer: unknown;
    try {
      answer = this.fn(item);
    } catch (error) {
      throw this.#failure(index, error);
    }
    if (!isThenable(answer)) {
      this.#written++;
      return undefined;
    }
    return Promise.resolve(answer).then(
      () => {
        this.#written++;
      },
      (error: unknown) => {
        throw this.#failure(index, error);
      },
    );
  }

  #queue(promise: Promise<void>): Promise<void> {
    const settled = promise.finally(() => {
      if (this.#tail === settled) this.#tail = null;
    });
    this.#tail = settled;
    return settled;
  }

  #failure(index: number, error: unknown): SinkWriteError {
    const message = error instanceof Error ? error.message : String(error);
    return new SinkWriteError(this.description, `the callback failed on item ${index}: ${message}`, { cause: error });
  }
}
