import { describe, expect, it } from "vitest";
import { trustLine } from "../../src/run/comparison-trust.ts";
import { highestCarried, judgeRate, ladder, RATE_LADDER } from "../../src/run/rate-check.ts";
import type { RunRecord } from "../../src/run/run-record.ts";
import type { LoadSecond } from "../../src/run/warm-up.ts";

function second(change: Partial<LoadSecond> = {}): LoadSecond {
  return {
    rate: 50,
    requests: 100,
    failed: 0,
    dropped: 0,
    p50: 5,
    p95: 9,
    machineCpuPercent: 40,
    engineCpuPercent: 10,
    ...change,
  };
}

describe("judgeRate", () => {
  it("carries a rate with no drop, no failure, machine CPU below 75% and no queueing", () => {
    const v = judgeRate(50, [second(), second({ machineCpuPercent: 50 }), second({ p50: 6 })], 4);
    expect(v).toMatchObject({ rate: 50, carried: true, machineCpuPercent: 40, engineCpuPercent: 10, p50: 5 });
    expect(v.reasons).toEqual([]);
  });

  it("measures the load engine's CPU per iteration: its median % of a core × 10 ms / the rate", () => {
    // 10% of a core at 50 iterations/s: 100 ms of CPU a second over 50 iterations
    expect(judgeRate(50, [second()]).engineCpuMsPerIteration).toBe(2);
    expect(
      judgeRate(200, [second({ engineCpuPercent: 12 }), second({ engineCpuPercent: 13 })]).engineCpuMsPerIteration,
    ).toBe(0.625);
    expect(judgeRate(50, [second({ engineCpuPercent: null })]).engineCpuMsPerIteration).toBeNull();
  });

  it("names every reason a rate is not carried", () => {
    const busy = [second({ machineCpuPercent: 85 }), second({ machineCpuPercent: 91, dropped: 3, failed: 1 })];
    const v = judgeRate(80, busy);
    expect(v.carried).toBe(false);
    expect(v.reasons).toEqual([
      "3 iterations dropped (every user busy: the fleet fell behind)",
      "1 requests failed",
      "machine CPU 88%, the load engine's 10% of a core included (carried below 75%)",
    ]);
    expect(judgeRate(80, [second({ machineCpuPercent: 75 })]).carried).toBe(false);
    expect(judgeRate(80, [second({ machineCpuPercent: 74.9 })]).carried).toBe(true);
  });

  it("calls growing latency queueing: over twice the lowest rate's p50 plus 5 ms", () => {
    expect(judgeRate(100, [second({ p50: 25 })], 10).carried).toBe(true);
    const v = judgeRate(100, [second({ p50: 25.1 })], 10);
    expect(v.reasons).toEqual(["p50 25.1 ms against 10 ms at the lowest rate: requests queue"]);
    expect(judgeRate(100, []).reasons).toEqual(["nothing was measured"]);
  });
});

describe("highestCarried and ladder", () => {
  const verdict = (rate: number, carried: boolean) => ({ ...judgeRate(rate, [second()]), carried });
  it("takes the last rate carried before the first that was not", () => {
    expect(highestCarried([verdict(10, true), verdict(15, true), verdict(20, false), verdict(30, true)])).toBe(15);
    expect(highestCarried([verdict(10, false)])).toBeNull();
    expect(highestCarried([verdict(10, true), verdict(15, true)])).toBe(15);
  });

  it("lists the ladder's rates between two bounds", () => {
    expect(ladder(10, 40)).toEqual([10, 15, 20, 30, 40]);
    expect(ladder(10, 45)).toEqual([10, 15, 20, 30, 40]);
    expect(ladder(RATE_LADDER[0], RATE_LADDER.at(-1)!)).toEqual([...RATE_LADDER]);
  });
});

describe("trustLine", () => {
  const record = (strategy: string, trustworthy: boolean, warnings: string[] = []) =>
    ({ plan: { strategy }, results: { trust: { trustworthy, warnings } } }) as unknown as RunRecord;
  it("says the comparison holds only when every run is trustworthy", () => {
    expect(trustLine([record("sticky", true), record("dynamodb", true)], 40)).toBe(
      "[chaos] every run trustworthy at 40 iterations/s: the comparison holds",
    );
    expect(
      trustLine([record("sticky", true), record("dynamodb", false, ["the load engine dropped 3 iterations"])], 50),
    ).toBe("[chaos] NOT TRUSTWORTHY comparison at 50 iterations/s: dynamodb (the load engine dropped 3 iterations)");
    expect(trustLine([], 50)).toBe("[chaos] no run finished: nothing to compare");
    expect(trustLine([{ plan: { strategy: "local" }, results: null } as unknown as RunRecord], 50)).toMatch(
      /local \(no results\)/,
    );
  });
});
