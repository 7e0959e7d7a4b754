/**
 * Retry delays of the HTTP client: exponential backoff with full jitter (a uniformly random
 * delay between 0 and the ceiling), so clients that failed together do not retry together.
 */

/** The ceiling of the delay before retry number `retry` (1-based): `firstMs · 2^(retry-1)`, at most `maxMs`. */
export function backoffCeilingMs(retry: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, retry - 1));
}

/** The delay before retry number `retry` (1-based): full jitter under `backoffCeilingMs`. */
export function backoffDelayMs(retry: number, firstMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.round(random() * backoffCeilingMs(retry, firstMs, maxMs));
}
