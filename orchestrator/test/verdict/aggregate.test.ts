import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { LoadRecord } from "../../../load/api.ts";
import type { RequestClass } from "../../../scenarios/lib/classify.ts";
import { Aggregator, errorRate, recoveryMs, type SecondPoint, windowErrorRate } from "../../src/verdict/aggregate.ts";
import { aggregateRecordsFile } from "../../src/verdict/read-records.ts";
import { recordLines, requestLines } from "../helpers/records-text.ts";

// Gzipped (biome would lint a plain .json as one JSON document; *.json.gz is excluded).
// A real 5 s k6 run of scenarios/login-profile.ts (RATE=5, SESSIONS=4) through a throwaway sticky
// proxy in front of two stand-in instances; app-2 answered 503 from 02:27:53.3 and its sessions were
// then redispatched to app-1 (lost). Trimmed of k6's http_req_{blocked,connecting,...} timing lines,
// then edited by hand to append: a timeout, a refused, a 504 and a client_error fh_req sample, one
// fh_writes_indeterminate, one fh_reads_stale, a dropped_iterations of 2, and a truncated last line.
// Recorded by k6 before the harness had its own engine; converted once to the records format (the
// people's indexes are 0: k6 did not record them), keeping a last line cut short and no end line.
const FIXTURE = fileURLToPath(new URL("../fixtures/records-small.tsv.gz", import.meta.url));
const FAULT_START = Date.parse("2026-11-22T02:27:53.000Z");
const FAULT_END = Date.parse("2026-11-22T02:27:55.000Z");
const SECOND_51 = Date.parse("2026-11-22T02:27:51.000Z");

const scratch = mkdtempSync(join(tmpdir(), "fh-aggregate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Exact nearest-rank quantiles of answered requests' latencies, computed independently of the histogram. */
function exactAnswered(q: number): number {
  const values = requestLines(FIXTURE)
    .filter((r) => r.cls === "ok" || r.cls === "lost")
    .map((r) => r.ms);
  values.sort((a, b) => a - b);
  return values[Math.max(1, Math.ceil(q * values.length)) - 1]!;
}

describe("aggregateRecordsFile on a recorded run", async () => {
  const result = await aggregateRecordsFile(FIXTURE, { faultStartMs: FAULT_START, faultEndMs: FAULT_END });

  it("counts sessions started and lost, by home instance", () => {
    expect(result.sessions).toEqual({ started: 7, lost: 3, lostByHome: { "app-1": 1, "app-2": 2 } });
  });

  it("counts requests, failures by class, client errors, per instance and per endpoint", () => {
    expect(result.requests.total).toBe(55);
    expect(result.requests.failed).toEqual({
      total: 10,
      refused: 1,
      reset: 0,
      timeout: 1,
      "502": 0,
      "503": 7,
      "504": 1,
      "5xx": 0,
      other: 0,
    });
    expect(result.requests.lost).toBe(3);
    expect(result.requests.clientErrors).toBe(1);
    expect(result.requests.byInstance).toEqual({ "app-1": 38, "app-2": 11, none: 6 });
    expect(Object.fromEntries(Object.entries(result.requests.byEndpoint).map(([k, v]) => [k, v.count]))).toEqual({
      login: 8,
      profile_get: 27,
      profile_set: 20,
    });
  });

  it("splits requests into the before, during and after windows", () => {
    expect(result.requests.byWindow).toEqual({
      before: { requests: 18, failed: 0, lost: 0 },
      during: { requests: 16, failed: 5, lost: 1 },
      after: { requests: 21, failed: 5, lost: 2 },
    });
    expect(result.latency.before.count).toBe(18);
    expect(result.latency.during.count).toBe(11);
    expect(result.latency.after.count).toBe(15);
    expect(windowErrorRate(result.requests.byWindow.during)).toBeCloseTo(6 / 16, 10);
    expect(windowErrorRate({ requests: 0, failed: 0, lost: 0 })).toBe(0);
  });

  it("takes latency percentiles from answered requests only, within 1% of the exact values", () => {
    const { overall } = result.latency;
    expect(overall.count).toBe(44);
    for (const [q, got] of [
      [0.5, overall.p50],
      [0.95, overall.p95],
      [0.99, overall.p99],
    ] as const) {
      const exact = exactAnswered(q);
      expect(Math.abs(got! - exact) / exact).toBeLessThanOrEqual(0.01);
    }
    // the 5000.5 ms timeout is a failed request, not a latency
    expect(overall.p99!).toBeLessThan(20);
  });

  it("sums writes, reads, dropped iterations and bounds the records in time", () => {
    expect(result.writes).toEqual({ indeterminate: 2 });
    expect(result.reads).toEqual({ stale: 1 });
    expect(result.droppedIterations).toBe(2);
    // at 02:27:56.6, after the fault window (53.0 to 55.0)
    expect(result.droppedByWindow).toEqual({ before: 0, during: 0, after: 2 });
    // the first request (02:27:51.714985179 in k6's samples, 51.714985 in records) and the last (02:27:56.702428005)
    expect(result.firstSampleMs).toBeCloseTo(Date.parse("2026-11-22T02:27:51.714Z") + 0.985179, 3);
    expect(result.lastSampleMs).toBeCloseTo(Date.parse("2026-11-22T02:27:56.702Z") + 0.428005, 3);
  });

  it("builds one point per second with requests, failures, lost sessions and traffic per instance", () => {
    expect(result.series.map((s) => s.t)).toEqual([0, 1, 2, 3, 4, 5].map((i) => SECOND_51 + i * 1000));
    expect(result.series.map((s) => s.requests)).toEqual([6, 12, 7, 9, 8, 13]);
    expect(result.series.map((s) => s.failed)).toEqual([0, 0, 3, 2, 1, 4]);
    expect(result.series.map((s) => s.lost)).toEqual([0, 0, 1, 0, 2, 0]);
    expect(result.series[2]!.byInstance).toEqual({ "app-1": 3, "app-2": 2, none: 2 });
    expect(result.series.every((s) => s.p95 !== null && s.p95 < 20)).toBe(true);
  });

  it("reads an uncompressed copy the same way", async () => {
    const plain = join(scratch, "records.tsv");
    await pipeline(createReadStream(FIXTURE), createGunzip(), createWriteStream(plain));
    const fromPlain = await aggregateRecordsFile(plain, { faultStartMs: FAULT_START, faultEndMs: FAULT_END });
    expect(fromPlain).toEqual(result);
  });

  it("puts everything in the before window when there is no fault", async () => {
    const noFault = await aggregateRecordsFile(FIXTURE);
    expect(noFault.requests.byWindow.before.requests).toBe(55);
    expect(noFault.latency.before).toEqual(noFault.latency.overall);
    expect(noFault.latency.during.count).toBe(0);
    expect(noFault.latency.during.p95).toBeNull();
  });
});

describe("reading", () => {
  it("reads a records file cut short up to its last complete record", async () => {
    // The fixture's last line lacks its newline and its end line is missing (an engine killed mid-write).
    const complete = recordLines(FIXTURE);
    const result = await aggregateRecordsFile(FIXTURE);
    expect(complete.filter((r) => r.code === "R").length).toBe(result.requests.total);
    expect(complete.filter((r) => r.code === "D").length).toBe(result.droppedIterations);
  });
});

/** An answered request record at `t` taking `ms`. */
function request(t: number, ms: number): LoadRecord & { kind: "request" } {
  return {
    kind: "request",
    t,
    endpoint: "login",
    instance: "x",
    cls: "ok",
    ms,
    storeMs: null,
    lockMs: null,
    person: 0,
  };
}

describe("Aggregator", () => {
  it("reports start lag (actual − scheduled start) over the iteration records, not as the run's time bounds", () => {
    const a = new Aggregator();
    for (let i = 0; i < 100; i++)
      a.add({ kind: "iteration", scheduled: 10_000 + i * 10, started: 10_000 + i * 11, person: i });
    a.add(request(20_000, 5));
    const r = a.result();
    // lags 0, 1, ..., 99 ms: p50 about 49, max 99 (exact), within the histogram's 1%
    expect(r.startLag!.count).toBe(100);
    expect(r.startLag!.max).toBe(99);
    expect(Math.abs(r.startLag!.p50! - 49) / 49).toBeLessThan(0.01);
    expect(Math.abs(r.startLag!.p99! - 98) / 98).toBeLessThan(0.01);
    expect(r.firstSampleMs).toBe(20_000);
    expect(new Aggregator().result().startLag).toBeNull();
  });

  it("counts dropped iterations by the window of their scheduled time", () => {
    const a = new Aggregator({ faultStartMs: 10_000, faultEndMs: 20_000 });
    const drop = (t: number, n: number) => {
      for (let i = 0; i < n; i++) a.add({ kind: "dropped", t });
    };
    drop(9_999, 1);
    drop(10_000, 2);
    drop(19_999, 4);
    drop(20_000, 8);
    const r = a.result();
    expect(r.droppedIterations).toBe(15);
    expect(r.droppedByWindow).toEqual({ before: 1, during: 6, after: 8 });
  });

  it("treats an unknown class as a failure of class other", () => {
    const a = new Aggregator();
    // A reader of a newer format could hand over a class this version does not know.
    a.add({ ...request(1000, 1), cls: "weird" as unknown as RequestClass });
    expect(a.result().requests.failed.other).toBe(1);
    expect(a.result().requests.failed.total).toBe(1);
  });

  it("fills seconds without samples with zeros", () => {
    const a = new Aggregator();
    a.add({ ...request(1_500, 1), instance: "" });
    a.add({ ...request(3_200, 1), instance: "" });
    expect(a.result().series).toEqual([
      { t: 1000, requests: 1, failed: 0, lost: 0, p95: 1, byInstance: { none: 1 } },
      { t: 2000, requests: 0, failed: 0, lost: 0, p95: null, byInstance: {} },
      { t: 3000, requests: 1, failed: 0, lost: 0, p95: 1, byInstance: { none: 1 } },
    ]);
  });

  it("places the window boundaries: start inclusive in during, end inclusive in after", () => {
    const a = new Aggregator({ faultStartMs: 10, faultEndMs: 20 });
    expect([a.windowOf(9.9), a.windowOf(10), a.windowOf(19.9), a.windowOf(20)]).toEqual([
      "before",
      "during",
      "during",
      "after",
    ]);
    expect(new Aggregator({ faultStartMs: 10 }).windowOf(1e12)).toBe("during");
  });
});

function second(t: number, requests: number, failed: number, lost = 0): SecondPoint {
  return { t, requests, failed, lost, p95: null, byInstance: {} };
}

describe("recoveryMs", () => {
  // Baseline (0-3 s) 2/300 = 0.67%, so the limit is max(1.33%, 1.67%) = 1.67%. Fault at 3.5 s.
  const series = [
    second(0, 100, 1),
    second(1000, 100, 1),
    second(2000, 100, 0),
    second(3000, 100, 20, 10),
    second(4000, 100, 5),
    second(5000, 100, 2), // 2% > 1.67%: the last bad second
    second(6000, 100, 1), // 1%: recovered
    second(7000, 0, 0), // no traffic: not counted as bad
  ];

  it("measures from the fault to the end of the last bad second", () => {
    const baseline = errorRate(series, 0, 3000);
    expect(baseline).toBeCloseTo(2 / 300, 10);
    expect(recoveryMs(series, 3500, baseline)).toBe(6000 - 3500);
  });

  it("is 0 when no second after the fault exceeds the limit, null without a fault", () => {
    const calm = [second(0, 100, 1), second(1000, 100, 1), second(2000, 100, 2)];
    expect(recoveryMs(calm, 1000, 0.01)).toBe(0);
    expect(recoveryMs(calm, null, 0.01)).toBeNull();
    expect(recoveryMs(calm, undefined, 0.01)).toBeNull();
  });

  it("ignores bad seconds that ended before the fault", () => {
    const early = [second(0, 10, 10), second(1000, 10, 0), second(2000, 10, 0)];
    expect(recoveryMs(early, 1000, 0)).toBe(0);
  });

  it("uses twice the baseline when that is the larger limit", () => {
    const noisy = [second(0, 100, 10), second(1000, 100, 19), second(2000, 100, 21)];
    // baseline 10%: limit max(20%, 11%) = 20%; 19% is fine, 21% is not
    expect(recoveryMs(noisy, 1000, 0.1)).toBe(2000);
  });
});
