/** Time as the runtime sees it; injected so tests use a simulated clock, never real sleeps. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Blocks the thread for `ms` milliseconds (only `processSync` retry delays use it). */
  sleepSync(ms: number): void;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** The real clock: `performance.now`, timers, and `Atomics.wait` for blocking sleeps. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  sleepSync: (ms) => {
    if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
  },
};

/** A clock that only moves when told to (or when something sleeps on it). */
export class SimulatedClock implements Clock {
  #now = 0;
  /** Total milliseconds slept through this clock (lets tests check retry delays). */
  slept: number[] = [];
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.#now += ms;
    return Promise.resolve();
  }
  sleepSync(ms: number): void {
    this.slept.push(ms);
    this.#now += ms;
  }
}
