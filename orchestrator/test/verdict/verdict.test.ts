import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseThreshold } from "../../src/plan/thresholds.ts";
import { parseRunRecord } from "../../src/run/run-record-schema.ts";
import { aggregateRecordsFile, recordsFilesRead } from "../../src/verdict/read-records.ts";
import { NOT_RECHECKED, recheckResults } from "../../src/verdict/recheck.ts";
import { buildResults } from "../../src/verdict/results.ts";
import { summaryTable } from "../../src/verdict/summary.ts";
import { verdictOf } from "../../src/verdict/verdict.ts";
import { faultWindows } from "../../src/verdict/windows.ts";

// The recorded tiny-sticky run (reports/test/fixtures): app-2 crashed at 3 s, restarted at 6 s.
const RUN = fileURLToPath(new URL("../../../reports/test/fixtures/tiny-sticky", import.meta.url));
const { record } = parseRunRecord(JSON.parse(readFileSync(`${RUN}/run.json`, "utf8")), `${RUN}/run.json`);
const recordsFile = `${RUN}/records.tsv.gz`;
const input = {
  recordsFile,
  events: record.events,
  engineCpu: [8],
  machineCpu: [35],
  thresholds: record.plan.thresholds,
};

describe("verdictOf", () => {
  it("reads the records file once and gives what the pieces give by hand", async () => {
    const before = recordsFilesRead();
    const results = await verdictOf(input);
    expect(recordsFilesRead() - before).toBe(1);
    const windows = faultWindows(record.events);
    const aggregate = await aggregateRecordsFile(recordsFile, windows);
    expect(results).toEqual(buildResults({ ...input, aggregate }));
    // The windows of the results are the ones the records were split by.
    expect(results.windows).toEqual(windows);
    expect(results.windows).toMatchObject({ faultStartMs: Date.parse("2026-01-01T00:00:03Z") });
    expect(results.sessions).toMatchObject({ started: 5, lost: 2, lostExpected: 2 });
    expect(results.thresholds.map((t) => [t.expr, t.actual, t.ok])).toEqual([
      ["sessions.lost<=0", 2, false],
      ["requests.failed<=5", 2, true],
    ]);
  });
});

describe("recheckResults", () => {
  it("matches the recorded results of the run with the ones worked out again, except what the folder lacks", async () => {
    const again = await verdictOf({ ...input, engineCpu: [], machineCpu: [] });
    const check = recheckResults(record.results!, again);
    expect(check.differences).toEqual([]);
    expect(check.compared).toBeGreaterThan(100);
    // This recording predates the undetected interval, store time, the balancer's retries, lost
    // updates, lock waits and dropped iterations by window.
    expect(check.missing).toEqual([
      "requests.retriedByBalancer",
      "updates",
      "lockWait",
      "storeTime",
      "droppedByWindow",
      "undetected",
    ]);
    expect(NOT_RECHECKED).toEqual(["loadGenerator", "trust"]);
  });

  it("lists each value that differs, one absent on either side included", () => {
    const recorded = { sessions: { lost: 99, started: 5 }, series: [{ t: 1, p95: null }], trust: { ok: true } };
    const again = { sessions: { lost: 2, started: 5 }, series: [{ t: 1, p95: 4 }, { t: 2 }], trust: { ok: false } };
    expect(recheckResults(recorded, again)).toEqual({
      differences: ["sessions.lost: run.json 99, records 2", "series.0.p95: run.json null, records 4"],
      missing: ["series.1"],
      compared: 4,
    });
    expect(recheckResults(again, recorded).differences).toEqual([
      "sessions.lost: run.json 2, records 99",
      "series.0.p95: run.json 4, records null",
      "series.1.t: run.json 2, records absent",
    ]);
  });
});

describe("summaryTable", () => {
  it("writes the plan's strategy and faults and the results in one line each", () => {
    const lines = summaryTable(record).split("\n");
    expect(lines[0]).toBe("run                  tiny-sticky (completed)");
    expect(lines).toContain("strategy             sticky on local, 2 instances, health fast");
    expect(lines).toContain("faults               crash app-2 at 3s, restart app-2 at 6s");
    expect(lines).toContain("sessions             started 5, lost 2 (audit expected 2)");
    expect(lines).toContain("thresholds           sessions.lost<=0 FAILED (2), requests.failed<=5 ok");
  });
});

describe("lost updates in the verdict", () => {
  const concurrent = fileURLToPath(new URL("../fixtures/records-concurrent-dynamodb.tsv.gz", import.meta.url));

  it("judges updates.lost thresholds, prints a summary line, and fails a threshold a scenario cannot count", async () => {
    const thresholds = ["updates.lost<=0", "updates.lost.before>=100", "updates.lost.during==0"].map(parseThreshold);
    const results = await verdictOf({ recordsFile: concurrent, events: [], engineCpu: [], machineCpu: [], thresholds });
    expect(results.thresholds.map((t) => [t.expr, t.actual, t.ok])).toEqual([
      ["updates.lost<=0", 125, false],
      ["updates.lost.before>=100", 125, true],
      ["updates.lost.during==0", 0, true],
    ]);
    const summary = summaryTable({ ...record, results });
    expect(summary).toMatch(
      /^lost updates\s+125 of 184 acknowledged writes \(before 125, during 0, after 0\); 0 unchecked$/m,
    );
    // login-profile records no operations: no line, and a threshold on lost updates fails (no value).
    const plain = await verdictOf({ ...input, thresholds: [parseThreshold("updates.lost<=0")] });
    expect(plain.updates).toBeNull();
    expect(plain.thresholds[0]).toMatchObject({ actual: null, ok: false });
    expect(summaryTable({ ...record, results: plain })).not.toMatch(/lost updates/);
  });
});
