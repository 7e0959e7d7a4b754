import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../../../runtime/clock.js";
import { TokenBucket } from "../../../../runtime/resources/http/token-bucket.js";

describe("token bucket", () => {
  it("lets a burst through, then spaces takers at the rate", async () => {
    const clock = new SimulatedClock();
    const bucket = new TokenBucket(10, 3, clock);
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await bucket.take());
    expect(waits).toEqual([0, 0, 0, 100, 100, 100]);
    expect(clock.slept).toEqual([100, 100, 100]);
  });

  it("refills while idle, never above the burst", async () => {
    const clock = new SimulatedClock();
    const bucket = new TokenBucket(2, 2, clock);
    await bucket.take();
    await bucket.take();
    clock.advance(60_000);
    expect([await bucket.take(), await bucket.take(), await bucket.take()]).toEqual([0, 0, 500]);
  });

  it("queues concurrent takers in arrival order", () => {
    const clock = new SimulatedClock();
    const bucket = new TokenBucket(4, 1, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 250, 500]);
  });

  it("refuses a rate or burst that cannot work", () => {
    expect(() => new TokenBucket(0, 1, new SimulatedClock())).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, new SimulatedClock())).toThrow(RangeError);
  });
});
