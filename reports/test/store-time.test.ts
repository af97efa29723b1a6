import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../orchestrator/src/run/events.ts";
import { loadRun } from "../src/load-run.ts";
import { renderReport } from "../src/render.ts";
import { buildReportModel } from "../src/report-model.ts";
import { emulatorWarning, storeSentence } from "../src/store-time.ts";
import { describeWarmUp } from "../src/warm-up-setup.ts";

// tiny-store: the recorded run of orchestrator/test/fixtures/records-store.tsv.gz (k6 then; a stand-in
// app whose store took 30 ms until 18:36:10.105 and 5 ms after, sent as Server-Timing), with a
// hand-made run.json (dynamodb on "DynamoDB Local 2026-05-28", a crash at 10.105, app-2 UP again at
// 11.000) whose results were computed by the project's own aggregator. Exact values from the file:
// before: 25 answered requests, store 30.1-30.5 ms in requests of 30.8-37.5 ms; after: 22, store
// 5.1-5.4 ms in requests of about 6 ms. tiny-sticky: a disk run without Server-Timing.
const STORE = fileURLToPath(new URL("fixtures/tiny-store", import.meta.url));
const STICKY = fileURLToPath(new URL("fixtures/tiny-sticky", import.meta.url));
const NOW = new Date("2026-12-02T00:00:00Z");
const store = await loadRun(STORE, { recheck: true });
const sticky = await loadRun(STICKY, { recheck: true });

describe("store time in the report", () => {
  const model = buildReportModel([store], NOW);
  const run = model.runs[0]!;

  it("re-aggregates the store time per window, agreeing with run.json", () => {
    expect(run.notes.filter((n) => !n.startsWith("recorded before schema"))).toEqual([]);
    expect(run.values["storeTime.before.p50"]).toBeGreaterThan(29.8);
    expect(run.values["storeTime.before.p50"]).toBeLessThan(30.8);
    expect(run.values["storeTime.after.p50"]).toBeLessThan(5.5);
    expect(run.values["storeTime.before.share"]).toBeGreaterThan(0.9);
    expect(run.values["storeTime.overall.share"]).toBeLessThanOrEqual(1);
  });

  it("splits each window's p50 into the store and the rest in the reading", () => {
    const sentence = storeSentence(run);
    expect(sentence).toMatch(/^Of the 31 ms p50 before the fault, 30 ms was DynamoDB Local 2026-05-28; /);
    expect(sentence).toMatch(/of the 5\.9 ms p50 after, 5\.2 ms/);
    expect(sentence).toMatch(
      /; over the whole run the store took 95% of the answered requests' total time \(slow ones included\)\.$/,
    );
    expect(run.reading).toContain(sentence);
  });

  it("warns when DynamoDB Local's latency dominates, never for a disk store or without store time", () => {
    expect(emulatorWarning(run)).toMatch(
      /^The emulator's latency dominates: before the fault its p50 was 30 ms, 96% of the request time\. Production DynamoDB answers in single-digit/,
    );
    expect(run.reading.at(-1)).toBe(emulatorWarning(run));
    const disk = { ...run, setup: { ...run.setup, versions: { store: "disk (one folder per instance)" } } };
    expect(emulatorWarning(disk)).toBeNull();
    const stickyRun = buildReportModel([sticky], NOW).runs[0]!;
    expect(storeSentence(stickyRun)).toBeNull();
    expect(emulatorWarning(stickyRun)).toBeNull();
    // A fast emulator is not flagged, whatever its share (production would not be faster); nor a slow small share.
    const fast = { ...run, values: { ...run.values, "storeTime.before.p50": 2.7, "storeTime.before.share": 0.71 } };
    expect(emulatorWarning(fast)).toBeNull();
    const small = { ...run, values: { ...run.values, "storeTime.before.share": 0.4 } };
    expect(emulatorWarning(small)).toBeNull();
  });

  it("shows the store rows (share in percent) only when some run has store time", () => {
    const html = renderReport(model);
    expect(html).toContain('data-field="storeTime.before.p50"');
    expect(html).toMatch(/data-field="storeTime\.before\.share" data-value="0\.96\d*">96\.\d%</);
    expect(html).toContain("Where the latency goes: time in the session store");
    const none = renderReport(buildReportModel([sticky], NOW));
    expect(none).not.toContain("storeTime.");
    expect(none).not.toContain("Where the latency goes");
  });
});

describe("warm-up in the set-up", () => {
  it("says at what rate, for how long and where latency settled", () => {
    const run = buildReportModel([store], NOW).runs[0]!;
    expect(run.setup.warmUp).toBe(
      "11.0 s at 5 iterations/s over 4 people: 220 requests, 0 failed; latency stable at p50 6.1 ms, p95 7.1 ms, machine CPU 12.5%",
    );
    expect(renderReport(buildReportModel([store], NOW))).toContain('<th scope="row">Warm-up</th>');
  });

  it("says when it did not settle, and reads the older record", () => {
    const events = [
      {
        t: 1,
        type: "warm-up" as const,
        detail: {
          rate: 50,
          users: 50,
          requests: 5000,
          failed: 2,
          dropped: 7,
          ms: 60_000,
          settled: false,
          final: { p50: 120, p95: 400, machineCpuPercent: null },
          seconds: [],
        },
      },
    ];
    expect(describeWarmUp(events)).toBe(
      "60.0 s at 50 iterations/s over 50 people: 5,000 requests, 2 failed, 7 iterations dropped; latency not stable within the bound (last: p50 120 ms, p95 400 ms): the before window may be slow",
    );
    // A record before schema 2 (readRunRecord passes its events on as written) kept only counts.
    const older = [{ t: 1, type: "warm-up", detail: { requests: 240, failed: 0, ms: 5363 } }] as unknown as RunEvent[];
    expect(describeWarmUp(older)).toBe(
      "5.4 s, 240 requests, 0 failed (recorded before the warm-up ran at the run's rate)",
    );
    expect(describeWarmUp([])).toBe("none");
  });
});

describe("comparison trust banner", () => {
  it("says at the top that a comparison with an untrustworthy run is not trustworthy", () => {
    // tiny-sticky dropped an iteration: not trustworthy; tiny-store is.
    const html = renderReport(buildReportModel([sticky, store], NOW));
    const banner = html.indexOf('data-banner="comparison-untrustworthy"');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(html.indexOf("<h2>Reading</h2>"));
    expect(html.slice(banner, html.indexOf("</div>", banner))).toMatch(
      /not trustworthy<\/strong>sticky was not measured/,
    );
  });

  it("is absent for one run alone and for a comparison of trustworthy runs", () => {
    expect(renderReport(buildReportModel([sticky], NOW))).not.toContain("comparison-untrustworthy");
    expect(renderReport(buildReportModel([store, store], NOW))).not.toContain("comparison-untrustworthy");
  });
});
