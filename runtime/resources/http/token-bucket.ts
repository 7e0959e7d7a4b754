/**
 * A token bucket that spaces requests: `burst` tokens at most, refilled at `ratePerSecond`. A
 * caller without a token waits for one (it never fails); concurrent callers queue in arrival
 * order because each reserves its token at once, letting the balance go negative.
 */

/** The clock a bucket measures and waits with (the runtime's `Clock` fits). */
export interface BucketClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** A token bucket over an injected clock. */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #clock: BucketClock;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, burst: number, clock: BucketClock) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError(`token bucket needs ratePerSecond > 0 and burst >= 1, got ${ratePerSecond} and ${burst}`);
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#updatedAt = clock.now();
  }

  /** Takes one token, waiting until it is there; resolves to the milliseconds waited (0 when one was ready). */
  async take(): Promise<number> {
    const waitMs = this.reserve();
    if (waitMs > 0) await this.#clock.sleep(waitMs);
    return waitMs;
  }

  /** Reserves one token now and answers how long its holder must wait before using it. */
  reserve(): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens / this.#ratePerMs);
  }
}
