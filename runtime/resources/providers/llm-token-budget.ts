/**
 * The `tokens_per_minute` budget of an `llm` resource: a sliding one-minute window of the
 * tokens each call used. A call first reserves its estimate (the prompt's characters / 4 plus
 * its `max_tokens`), waiting, never failing, until the window has room; when the answer comes,
 * the reservation is corrected to the real usage. Waiters are served in arrival order.
 */

/** The clock the budget measures and waits with (the runtime's `Clock` fits). */
export interface BudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The window's length. */
const WINDOW_MS = 60_000;

/** One call's tokens in the window; `tokens` changes once the real usage is known. */
export interface TokenReservation {
  readonly at: number;
  tokens: number;
}

/** A sliding-window token budget over an injected clock. */
export class TokenBudget {
  readonly #limit: number;
  readonly #clock: BudgetClock;
  readonly #window: TokenReservation[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  /** Reservations that had to wait. */
  waits = 0;
  /** Milliseconds waited in total. */
  waitedMs = 0;

  constructor(tokensPerMinute: number, clock: BudgetClock) {
    if (!(tokensPerMinute > 0)) throw new RangeError(`a token budget needs tokensPerMinute > 0, got ${tokensPerMinute}`);
    this.#limit = tokensPerMinute;
    this.#clock = clock;
  }

  /**
   * Waits until the last minute's tokens leave room for `estimate`, then reserves it. A call
   * larger than the whole budget waits for an empty window and then goes alone.
   */
  reserve(estimate: number): Promise<TokenReservation> {
    const turn = this.#queue.then(() => this.#waitAndReserve(Math.max(0, estimate)));
    this.#queue = turn.catch(() => undefined); // one waiter's failure (a clock that throws) must not block the next
    return turn;
  }

  /** Sets a reservation to the tokens the call really used (0 when the call failed before using any). */
  settle(reservation: TokenReservation, tokens: number): void {
    reservation.tokens = Math.max(0, tokens);
  }

  /** Tokens in the current window. */
  used(): number {
    this.#expire();
    return this.#window.reduce((sum, entry) => sum + entry.tokens, 0);
  }

  async #waitAndReserve(estimate: number): Promise<TokenReservation> {
    for (;;) {
      const waitMs = this.#waitFor(estimate);
      if (waitMs <= 0) break;
      this.waits++;
      this.waitedMs += waitMs;
      await this.#clock.sleep(waitMs);
    }
    const reservation: TokenReservation = { at: this.#clock.now(), tokens: estimate };
    this.#window.push(reservation);
    return reservation;
  }

  /** Milliseconds until enough of the window expires for `estimate` (0: now). */
  #waitFor(estimate: number): number {
    this.#expire();
    const used = this.#window.reduce((sum, entry) => sum + entry.tokens, 0);
    if (this.#window.length === 0 || used + estimate <= this.#limit) return 0;
    let excess = used + estimate - Math.max(this.#limit, estimate);
    const now = this.#clock.now();
    for (const entry of this.#window) {
      excess -= entry.tokens;
      if (excess <= 0) return Math.max(1, entry.at + WINDOW_MS - now);
    }
    const last = this.#window[this.#window.length - 1];
    return last === undefined ? 0 : Math.max(1, last.at + WINDOW_MS - now);
  }

  #expire(): void {
    const cutoff = this.#clock.now() - WINDOW_MS;
    while (this.#window.length > 0 && (this.#window[0]?.at ?? 0) <= cutoff) this.#window.shift();
  }
}
