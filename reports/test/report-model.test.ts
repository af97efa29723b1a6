import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { recordsFilesRead } from "../../orchestrator/src/verdict/read-records.ts";
import { loadRun } from "../src/load-run.ts";
import { buildReportModel, VERDICT_ROWS, valueAt } from "../src/report-model.ts";

// A hand-made recorded run (made in k6's NDJSON shape, then converted once to the load engine's records): sticky, app-1 and app-2, load from
// 2026-01-01T00:00:00Z; app-2 crashed at 3.0 s (audit: 2 active sessions, 1 in flight; probe: 2
// aborted), balancer DOWN at 4.5 s, restarted at 6.0 s, UP at 7.0 s, load ended at 9.0 s.
// 18 fh_req samples, each with k6's nine http_req_* lines, plus iteration lines:
//   before (t < 3 s):  ok 10 20 30 12 22 40 ms                   (app-1 ×2, app-2 ×4)
//   during (3 s–7 s):  reset 5, refused 1 (+1 indeterminate write), lost 8, ok 9, lost 7, ok 11,
//                      ok 100, ok 6 (all app-1) and ok 50 on app-2 at 6.6 s (its rejoin)
//   after (t ≥ 7 s):   ok 15 on app-2 (+1 stale read), ok 14 and a client_error on app-1
// 5 sessions started, 2 lost (both started on app-2), 1 dropped iteration.
const FIXTURE = fileURLToPath(new URL("fixtures/tiny-sticky", import.meta.url));

/** Nearest-rank quantile of a short list, computed by hand-checked sorting, not by the histogram. */
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}
const before = [10, 20, 30, 12, 22, 40];
const during = [8, 9, 7, 11, 100, 6, 50];
const after = [15, 14];

describe("the report without --recheck", async () => {
  const readsBefore = recordsFilesRead();
  const input = await loadRun(FIXTURE);
  const readsAfter = recordsFilesRead();
  const run = buildReportModel([input], new Date("2026-01-02T00:00:00Z")).runs[0]!;

  it("shows run.json's results and does not read the records file", () => {
    expect(readsAfter).toBe(readsBefore);
    expect(input.recheck).toBeNull();
    for (const row of VERDICT_ROWS) {
      expect(run.values[row.field], row.field).toBe(valueAt(input.record.results, row.field));
    }
    expect(run.values["sessions.lost"]).toBe(2);
    expect(run.recheck).toEqual({
      state: "not-asked",
      line: "results from run.json; not re-checked (npm run report -- --recheck re-aggregates records.tsv.gz)",
    });
    expect(run.notes.filter((n) => !n.startsWith("recorded before schema"))).toEqual([]);
  });
});

describe("buildReportModel on a small recorded run, re-checked", async () => {
  const readsBefore = recordsFilesRead();
  const input = await loadRun(FIXTURE, { recheck: true });
  const readsAfter = recordsFilesRead();
  const model = buildReportModel([input], new Date("2026-01-02T00:00:00Z"));
  const run = model.runs[0]!;
  const v = run.values;

  it("re-aggregates the records file named in the report, once, and says they match run.json", () => {
    expect(readsAfter - readsBefore).toBe(1);
    expect(input.recordsFile).toBe("records.tsv.gz");
    expect(run.sources).toEqual({ runJson: "run.json", records: "records.tsv.gz" });
    // run.json's results agree with the re-aggregation: nothing to flag.
    expect(run.notes.filter((n) => !n.startsWith("recorded before schema"))).toEqual([]);
    expect(run.recheck.state).toBe("match");
    // Recorded before run.json had a schema (no schemaVersion): read as version 1, and the report names what it lacks.
    expect(input.schemaVersion).toBe(1);
    expect(run.notes).toContainEqual(
      expect.stringMatching(/^recorded before schema 2: no balancer; .*results: .*storeTime/),
    );
    // This recorded run.json predates the undetected interval (and store time): filled in from the records.
    expect(run.recheck.line).toMatch(
      /^results re-checked from records\.tsv\.gz: match \(\d+ values compared; run\.json predates .*undetected.*: shown as worked out from the records\)$/,
    );
  });

  it("counts sessions, requests by class, data errors and dropped iterations", () => {
    expect(v["sessions.started"]).toBe(5);
    expect(v["sessions.lost"]).toBe(2);
    expect(v["sessions.lostExpected"]).toBe(2);
    expect(v["requests.total"]).toBe(18);
    expect(v["requests.failed.total"]).toBe(2);
    expect(v["requests.failed.reset"]).toBe(1);
    expect(v["requests.failed.refused"]).toBe(1);
    expect(v["requests.failed.timeout"]).toBe(0);
    expect(v["requests.lost"]).toBe(2);
    expect(v["requests.inFlightAtFault"]).toBe(2); // max(audit in flight 1, probe aborted 2)
    expect(v["writes.indeterminate"]).toBe(1);
    expect(v["reads.stale"]).toBe(1);
    expect(v.droppedIterations).toBe(1);
    expect(run.lostByHome).toEqual({ "app-2": 2 });
  });

  it("gives percentiles per window within the histogram's 1% of the exact nearest-rank values", () => {
    const windows = { before, during, after, overall: [...before, ...during, ...after] };
    for (const [name, values] of Object.entries(windows)) {
      for (const [p, q] of [
        ["p50", 0.5],
        ["p95", 0.95],
        ["p99", 0.99],
      ] as const) {
        const exact = nearestRank(values, q);
        const got = v[`latency.${name}.${p}`]!;
        expect(Math.abs(got - exact) / exact, `latency.${name}.${p}: ${got} vs ${exact}`).toBeLessThanOrEqual(0.01);
      }
    }
    // By hand: during sorted 6 7 8 9 11 50 100 → p50 is the 4th (9), p95 the 7th (100).
    expect(nearestRank(during, 0.5)).toBe(9);
    expect(v["latency.during.p95"]).toBe(100);
  });

  it("times detection, recovery and rejoin from the events and the per-second series", () => {
    expect(v.detectionMs).toBe(1500); // crash 3.0 s → DOWN 4.5 s
    // Seconds 3 (2 failed + 1 lost of 4) and 4 (1 lost of 2) exceed the zero baseline: 5.0 s − 3.0 s.
    expect(v.recoveryMs).toBe(2000);
    expect(v.rejoinMs).toBeCloseTo(600.12, 1); // restart 6.0 s → first app-2 answer 6.6 s (+0.123 ms)
  });

  it("takes the load generator's CPU and the trust verdict from run.json", () => {
    expect(v["loadGenerator.engineCpuPercent.mean"]).toBe(8);
    expect(v["loadGenerator.machineCpuPercent.mean"]).toBe(35);
    expect(run.trust.trustworthy).toBe(false);
    expect(run.trust.warnings).toEqual([
      "the load engine dropped 1 iterations: it could not keep the planned rate, so the load was lighter than planned",
    ]);
  });

  it("judges the plan's thresholds on the numbers", () => {
    expect(run.thresholds).toEqual([
      { by: "harness", expression: "sessions.lost<=0", actual: 2, ok: false },
      { by: "harness", expression: "requests.failed<=5", actual: 2, ok: true },
    ]);
  });

  it("has one point per second relative to load start, and the fault window", () => {
    expect(run.series.map((p) => p.t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(run.series.map((p) => p.requests)).toEqual([3, 2, 1, 4, 2, 1, 2, 1, 2]);
    expect(run.series.map((p) => p.failed)).toEqual([0, 0, 0, 2, 0, 0, 0, 0, 0]);
    expect(run.series.map((p) => p.lost)).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 0]);
    expect(run.series[3]!.byInstance).toEqual({ "app-1": 2, none: 2 });
    expect(run.faultWindow).toEqual({ from: 3, to: 7 });
    expect(run.durationS).toBe(9);
  });

  it("marks the faults and the balancer's state changes, not its initial UP states", () => {
    expect(run.markers.map((m) => [m.t, m.kind, m.label])).toEqual([
      [3, "fault", "crash app-2"],
      [4.5, "lb", "app-2 DOWN"],
      [6, "fault", "restart app-2"],
      [7, "lb", "app-2 UP"],
    ]);
  });

  it("reads the numbers out in plain language", () => {
    expect(run.reading).toEqual([
      "sticky lost 2 of 5 sessions started (all 2 that the store audit found on app-2 just before it was taken away).",
      "2 requests of 18 failed (1 refused, 1 reset): as many as the balancer had in flight on app-2 when it was taken away.",
      "While app-2 was dead and still UP in the balancer's view, 2 of 4 requests failed (app-2 had 67 % of the traffic before).",
      "1 stale read and 1 indeterminate write (a write that failed and may or may not have been applied).",
      "The balancer marked app-2 DOWN 1.5 s after the crash; the error rate was back at its baseline 2.0 s after the fault; the restored instance answered again 600 ms after it was brought back.",
      "p95 latency 40 ms before, 100 ms during and 15 ms after the fault (p99 during: 100 ms).",
      "Not trustworthy: the load engine dropped 1 iterations: it could not keep the planned rate, so the load was lighter than planned.",
    ]);
    expect(model.comparison).toEqual([]);
  });

  it("has a value for every verdict row", () => {
    for (const row of VERDICT_ROWS) expect(v, row.field).toHaveProperty([row.field]);
  });
});
