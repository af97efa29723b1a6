// Per-second figures: counted by second, handed out once over (empty ones too), merged across workers.
import { describe, expect, it } from "vitest";
import { quantile, SecondStats } from "../seconds.ts";

describe("SecondStats", () => {
  it("counts by second and gives p50/p95 over answered requests only", () => {
    const s = new SecondStats(10_000);
    s.iteration(10_000);
    s.iteration(10_999);
    s.dropped(10_500);
    for (let i = 1; i <= 100; i++) s.request(10_100 + i, i, "ok");
    s.request(10_900, 5000, "timeout");
    s.request(10_901, 1, "client_error");
    s.request(11_200, 3, "lost");
    expect(s.take(10_999)).toEqual([]);
    const [first, ...rest] = s.take(12_000);
    expect(rest).toHaveLength(1);
    expect(first).toEqual({ t: 10_000, iterations: 2, dropped: 1, requests: 102, failed: 1, p50: 50, p95: 95 });
    expect(rest[0]).toEqual({ t: 11_000, iterations: 0, dropped: 0, requests: 1, failed: 0, p50: 3, p95: 3 });
  });

  it("hands out empty seconds as such, and counts a late record in the current second", () => {
    const s = new SecondStats(0);
    expect(s.take(2500).map((f) => [f.t, f.requests, f.p50])).toEqual([
      [0, 0, null],
      [1000, 0, null],
    ]);
    s.request(500, 2, "ok");
    expect(s.take(3000)[0]).toMatchObject({ t: 2000, requests: 1 });
  });

  it("merges workers' buckets", () => {
    const a = new SecondStats(0);
    const b = new SecondStats(0);
    a.request(100, 1, "ok");
    b.request(200, 3, "ok");
    b.request(300, 2, "503");
    const merged = new SecondStats(0);
    for (const bucket of [...a.takeBuckets(1000), ...b.takeBuckets(1000)]) merged.add(bucket);
    expect(merged.take(1000)).toEqual([{ t: 0, iterations: 0, dropped: 0, requests: 3, failed: 1, p50: 1, p95: 3 }]);
  });

  it("refuses an endless take", () => {
    expect(() => new SecondStats(0).take(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe("quantile", () => {
  it("is the nearest rank", () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.95)).toBe(4);
  });
});
