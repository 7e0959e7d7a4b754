/**
 * A circuit breaker: after `failureThreshold` consecutive failed requests it opens and refuses
 * calls for `resetTimeoutMs`; then it is half-open and lets one probe through, whose success
 * closes it and whose failure opens it again.
 */

/** The breaker's state as callers see it. */
export type CircuitState = "closed" | "open" | "half-open";

/** How a request the breaker admitted ended: `neutral` (a caller's abort) says nothing about the server. */
export type CircuitOutcome = "success" | "failure" | "neutral";

/** The answer to "may this request go?". */
export type CircuitAdmission = { readonly admitted: true; readonly probe: boolean } | { readonly admitted: false; readonly retryInMs: number };

/** A circuit breaker over an injected clock (`now()` in milliseconds). */
export class CircuitBreaker {
  readonly #failureThreshold: number;
  readonly #resetTimeoutMs: number;
  readonly #clock: { now(): number };
  #failures = 0;
  #openedAt: number | undefined;
  #probeInFlight = false;
  /** How many times the breaker opened. */
  opens = 0;

  constructor(failureThreshold: number, resetTimeoutMs: number, clock: { now(): number }) {
    if (!(failureThreshold >= 1)) throw new RangeError(`circuit breaker needs failureThreshold >= 1, got ${failureThreshold}`);
    this.#failureThreshold = failureThreshold;
    this.#resetTimeoutMs = resetTimeoutMs;
    this.#clock = clock;
  }

  /** The current state; an open breaker whose reset timeout passed reads as half-open. */
  get state(): CircuitState {
    if (this.#openedAt === undefined) return "closed";
    return this.#clock.now() - this.#openedAt >= this.#resetTimeoutMs ? "half-open" : "open";
  }

  /** Admits a request (half-open: only one probe at a time), or says how long until it may try. */
  admit(): CircuitAdmission {
    const state = this.state;
    if (state === "closed") return { admitted: true, probe: false };
    if (state === "half-open" && !this.#probeInFlight) {
      this.#probeInFlight = true;
      return { admitted: true, probe: true };
    }
    const openedAt = this.#openedAt ?? this.#clock.now();
    return { admitted: false, retryInMs: Math.max(0, openedAt + this.#resetTimeoutMs - this.#clock.now()) };
  }

  /** Records how an admitted request ended. */
  settle(outcome: CircuitOutcome, probe: boolean): void {
    if (probe) this.#probeInFlight = false;
    if (outcome === "neutral") return;
    if (outcome === "success") {
      this.#failures = 0;
      if (probe) this.#openedAt = undefined; // requests admitted before the breaker opened do not close it
      return;
    }
    this.#failures++;
    if (probe || (this.#openedAt === undefined && this.#failures >= this.#failureThreshold)) this.#open();
  }

  #open(): void {
    this.#openedAt = this.#clock.now();
    this.opens++;
  }
}
