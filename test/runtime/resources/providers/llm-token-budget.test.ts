/** The `tokens_per_minute` budget on a simulated clock: waits for room, corrections, arrival order. */
import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../../../runtime/clock.js";
import { TokenBudget } from "../../../../runtime/resources/providers/llm-token-budget.js";

describe("TokenBudget", () => {
  it("reserves at once while the minute has room, then waits until enough tokens expire", async () => {
    const clock = new SimulatedClock();
    const budget = new TokenBudget(100, clock);
    await budget.reserve(40);
    clock.advance(10_000);
    await budget.reserve(40);
    expect(clock.slept).toEqual([]);
    await budget.reserve(40); // 120 > 100: the first reservation (t=0) must leave the window
    expect(clock.slept).toEqual([50_000]);
    expect(budget.used()).toBe(80);
    expect(budget.waits).toBe(1);
    expect(budget.waitedMs).toBe(50_000);
  });

  it("counts the settled usage instead of the estimate", async () => {
    const clock = new SimulatedClock();
    const budget = new TokenBudget(100, clock);
    const first = await budget.reserve(90);
    budget.settle(first, 10);
    await budget.reserve(90);
    expect(clock.slept).toEqual([]);
    expect(budget.used()).toBe(100);
  });

  it("serves concurrent waiters in arrival order", async () => {
    const clock = new SimulatedClock();
    const budget = new TokenBudget(10, clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => budget.reserve(10).then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(clock.slept).toEqual([60_000, 60_000]);
  });

  it("refuses a budget of zero", () => {
    expect(() => new TokenBudget(0, new SimulatedClock())).toThrow(RangeError);
  });
});
