import { describe, expect, it } from "vitest";
import { type LoadSecond, latencySettled, recentMedian, stabilityRule } from "../../src/run/warm-up.ts";

/** Seconds with these p50s (p95 = 2 × p50), no failure, no drop. */
function secs(p50s: number[], p95s?: number[]): Pick<LoadSecond, "p50" | "p95" | "failed" | "dropped">[] {
  return p50s.map((p50, i) => ({ p50, p95: p95s?.[i] ?? 2 * p50, failed: 0, dropped: 0 }));
}

describe("latencySettled", () => {
  it("is not settled on the issue's 5 s at 381 ms: too short to judge", () => {
    const p95 = [547.8, 690.4, 381.6, 382.7, 381.3];
    expect(
      latencySettled(
        secs(
          p95.map((p) => p / 2),
          p95,
        ),
      ),
    ).toBe(false);
  });

  it("waits for two windows and the minimum, then settles on a flat last window", () => {
    const warmed = [300, 200, 50, 10, 5, 5, 5, 5.2, 4.9, 5, 5.1, 5];
    expect(latencySettled(secs(warmed.slice(0, 9)))).toBe(false);
    expect(latencySettled(secs(warmed))).toBe(true);
    expect(stabilityRule.minSeconds).toBeGreaterThanOrEqual(10);
  });

  it("is not settled while latency still improves, even slowly", () => {
    expect(latencySettled(secs([100, 90, 81, 73, 66, 59, 53, 48, 43, 39]))).toBe(false);
    // Flat within the spread, but the window is more than 10% better than the one before.
    expect(latencySettled(secs([60, 60, 60, 60, 60, 45, 45, 46, 45, 45]))).toBe(false);
  });

  it("allows a couple of milliseconds of jitter on fast fleets", () => {
    expect(latencySettled(secs([4, 5, 4, 5, 4, 5, 4, 5, 4, 5]))).toBe(true);
    expect(latencySettled(secs([4, 5, 4, 5, 4, 5, 4, 8, 4, 5]))).toBe(false);
  });

  it("is not settled with a p95 spike, a failure, a drop or a silent second in the last window", () => {
    const flat = [20, 20, 20, 20, 20, 20, 20, 20, 20, 20];
    expect(latencySettled(secs(flat))).toBe(true);
    const spike = secs(flat);
    spike[8] = { ...spike[8]!, p95: 200 };
    expect(latencySettled(spike)).toBe(false);
    const failed = secs(flat);
    failed[9] = { ...failed[9]!, failed: 1 };
    expect(latencySettled(failed)).toBe(false);
    const dropped = secs(flat);
    dropped[7] = { ...dropped[7]!, dropped: 3 };
    expect(latencySettled(dropped)).toBe(false);
    const silent = secs(flat);
    silent[6] = { ...silent[6]!, p50: null, p95: null };
    expect(latencySettled(silent)).toBe(false);
    // Failures long before the last window do not matter.
    const early = secs(flat);
    early[0] = { ...early[0]!, failed: 5 };
    expect(latencySettled(early)).toBe(true);
  });
});

describe("recentMedian", () => {
  it("takes the median of the last n seconds' values, ignoring nulls", () => {
    const s = [1, 9, 3, 4, 5].map((p50) => ({
      rate: 1,
      requests: 1,
      failed: 0,
      dropped: 0,
      p50,
      p95: null,
      machineCpuPercent: null,
      engineCpuPercent: null,
    }));
    expect(recentMedian(s, "p50", 3)).toBe(4);
    expect(recentMedian(s, "p50", 4)).toBe(4.5);
    expect(recentMedian(s, "p95", 3)).toBeNull();
  });
});
