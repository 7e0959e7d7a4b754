import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../../../runtime/clock.js";
import { CircuitBreaker } from "../../../../runtime/resources/http/circuit.js";

function failOnce(breaker: CircuitBreaker): void {
  const admission = breaker.admit();
  if (!admission.admitted) throw new Error("expected admission");
  breaker.settle("failure", admission.probe);
}

describe("circuit breaker", () => {
  it("opens after the threshold of consecutive failures and refuses until the reset timeout", () => {
    const clock = new SimulatedClock();
    const breaker = new CircuitBreaker(3, 1000, clock);
    failOnce(breaker);
    failOnce(breaker);
    breaker.settle("success", false); // a success resets the count
    failOnce(breaker);
    failOnce(breaker);
    expect(breaker.state).toBe("closed");
    failOnce(breaker);
    expect(breaker.state).toBe("open");
    expect(breaker.opens).toBe(1);
    clock.advance(400);
    expect(breaker.admit()).toEqual({ admitted: false, retryInMs: 600 });
  });

  it("half-opens after the timeout, admits one probe, and closes on its success", () => {
    const clock = new SimulatedClock();
    const breaker = new CircuitBreaker(1, 1000, clock);
    failOnce(breaker);
    clock.advance(1000);
    expect(breaker.state).toBe("half-open");
    const probe = breaker.admit();
    expect(probe).toEqual({ admitted: true, probe: true });
    expect(breaker.admit().admitted).toBe(false); // one probe at a time
    breaker.settle("success", true);
    expect(breaker.state).toBe("closed");
    expect(breaker.admit()).toEqual({ admitted: true, probe: false });
  });

  it("re-opens when the probe fails, and frees the probe slot on a neutral end", () => {
    const clock = new SimulatedClock();
    const breaker = new CircuitBreaker(2, 1000, clock);
    failOnce(breaker);
    failOnce(breaker);
    clock.advance(1000);
    breaker.settle("neutral", (breaker.admit() as { probe: boolean }).probe);
    expect(breaker.state).toBe("half-open");
    failOnce(breaker);
    expect(breaker.state).toBe("open");
    expect(breaker.opens).toBe(2);
  });
});
