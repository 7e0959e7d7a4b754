import { describe, expect, it } from "vitest";
import { backoffCeilingMs, backoffDelayMs } from "../../../../runtime/resources/http/backoff.js";

describe("backoff", () => {
  it("doubles the ceiling each retry up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffCeilingMs(retry, 500, 3000))).toEqual([500, 1000, 2000, 3000, 3000]);
  });

  it("draws a full-jitter delay between 0 and the ceiling", () => {
    expect(backoffDelayMs(3, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelayMs(3, 100, 10_000, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, 100, 10_000, () => 0.999)).toBe(400);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelayMs(6, 100, 1000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(1000);
    }
  });
});
