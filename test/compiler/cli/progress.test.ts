/** `fsmc batch`'s progress renderers: pure functions of (progress, width, elapsed). */
import { describe, expect, it } from "vitest";
import { formatDuration, renderBar, renderLine, renderSummary } from "../../../compiler/cli/progress.js";

const P = { done: 50, total: 200, succeeded: 45, failed: 5, cancelled: 0, ratePerSecond: 0, byFinalState: { rejected: 5, done: 45 } };

describe("progress renderers", () => {
  it("draws a bar, percentage, count, rate, ETA and per-final-state counts when the total is known", () => {
    // 50 records ran in 2 s: 25/s, 150 left → 6 s.
    expect(renderBar(P, 200, 2000)).toBe("[######..................]  25%  50/200  25/s  ETA 0:06  failed 5  done 45 · rejected 5");
  });

  it("drops the bar and ETA when the total is unknown", () => {
    const { total: _t, ...open } = P;
    expect(renderBar(open, 200, 2000)).toBe("50 records  25/s  failed 5  done 45 · rejected 5");
  });

  it("never exceeds the width (no wrapping), and shows an unknown ETA before any record ran", () => {
    const line = renderBar(P, 30, 2000);
    expect(line.length).toBe(29);
    expect(line.endsWith("…")).toBe(true);
    expect(renderBar({ ...P, done: 0, succeeded: 0, failed: 0 }, 200, 0)).toContain("ETA --:--");
  });

  it("renders the plain periodic line and the summary", () => {
    expect(renderLine(P, 2000)).toBe("fsmc batch: 50/200 records (25%), 25/s, ETA 0:06; 45 succeeded, 5 failed, 0 cancelled; final states: done 45, rejected 5");
    expect(renderSummary({ ...P, cancelled: 3, done: 53 }, 2500, "SIGTERM")).toBe(
      "fsmc batch: 53 records in 2.5s (20/s): 45 succeeded, 5 failed, 3 cancelled; final states: done 45, rejected 5 (stopped by SIGTERM)",
    );
  });

  it("formats durations", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(61.2)).toBe("1:02");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("--:--");
  });
});
