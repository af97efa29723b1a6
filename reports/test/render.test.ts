import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadRun } from "../src/load-run.ts";
import { renderReport } from "../src/render.ts";
import { buildReportModel, type RunInput } from "../src/report-model.ts";

const FIXTURE = fileURLToPath(new URL("fixtures/tiny-sticky", import.meta.url));
// Re-checked, as the report does with --recheck: the fixture predates some fields (undetected).
const base = await loadRun(FIXTURE, { recheck: true });
const NOW = new Date("2026-01-02T00:00:00Z");

/** A copy of the fixture run with changes to its record. */
function variant(change: (record: RunInput["record"]) => void, extra: Partial<RunInput> = {}): RunInput {
  const record = structuredClone(base.record);
  change(record);
  return { ...base, ...extra, record };
}

/** The verdict table's cells: field → run → data-value. */
function verdictCells(html: string): Map<string, Map<string, string>> {
  const table = html.slice(
    html.indexOf('<table class="grid" id="verdict">'),
    html.indexOf("</table>", html.indexOf('id="verdict"')),
  );
  const cells = new Map<string, Map<string, string>>();
  for (const m of table.matchAll(/<td [^>]*data-run="([^"]*)" data-field="([^"]*)" data-value="([^"]*)"/g)) {
    const [, run, field, value] = m as unknown as [string, string, string, string];
    if (!cells.has(field)) cells.set(field, new Map());
    cells.get(field)!.set(run, value);
  }
  return cells;
}

describe("renderReport", () => {
  it("escapes every user-controlled string", () => {
    const evil = '<script>alert("x")</script>';
    const input = variant((r) => {
      r.runId = `run-${evil}`;
      r.error = `the engine said ${evil} & more`;
      r.status = "failed";
      r.versions = { ...r.versions, [`tool${evil}`]: evil };
      r.instances = [...r.instances, `app-${evil}`];
    });
    const html = renderReport(buildReportModel([{ ...input, dir: `/tmp/${evil}` }], NOW));
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("the engine said &lt;script&gt;");
    expect(html).toContain("&amp; more");
  });

  it("is self-contained: no script, no external reference", () => {
    const html = renderReport(buildReportModel([base], NOW));
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)=/i);
    expect(html.startsWith("<!doctype html>")).toBe(true);
  });

  it("puts the model's numbers in the verdict table, one column per run", () => {
    const other = variant((r) => {
      r.runId = "tiny-dynamodb";
      r.plan = { ...r.plan, strategy: "dynamodb" };
    });
    const model = buildReportModel([base, other], NOW);
    const cells = verdictCells(renderReport(model));
    expect(cells.get("sessions.lost")).toEqual(
      new Map([
        ["tiny-sticky", "2"],
        ["tiny-dynamodb", "2"],
      ]),
    );
    expect(cells.get("requests.failed.total")?.get("tiny-sticky")).toBe("2");
    expect(cells.get("latency.during.p95")?.get("tiny-sticky")).toBe("100");
    expect(cells.get("detectionMs")?.get("tiny-dynamodb")).toBe("1500");
    // Failure classes that are zero in every run are left out; the others are there.
    expect(cells.has("requests.failed.timeout")).toBe(false);
    expect(cells.get("requests.failed.reset")?.get("tiny-sticky")).toBe("1");
    for (const [field, byRun] of cells) {
      for (const run of model.runs) expect(byRun.get(run.key), field).toBe(String(run.values[field] ?? ""));
    }
  });

  it("shows start lag beside the latency only when a run recorded it", () => {
    // tiny-sticky was recorded by k6: no iteration records, no start lag, no rows.
    const without = renderReport(buildReportModel([{ ...base, recheck: null }], NOW));
    expect(verdictCells(without).has("startLag.p99")).toBe(false);
    const withLag = variant((r) => {
      r.results!.startLag = { count: 40, p50: 0.4, p95: 1.9, p99: 3.2, max: 7.5 };
    });
    const cells = verdictCells(renderReport(buildReportModel([{ ...withLag, recheck: null }], NOW)));
    expect(cells.get("startLag.p99")?.get("tiny-sticky")).toBe("3.2");
    expect(cells.get("startLag.max")?.get("tiny-sticky")).toBe("7.5");
    // In the latency group, right after the latency rows.
    const fields = [...cells.keys()];
    expect(fields.indexOf("startLag.p50")).toBe(fields.indexOf("latency.overall.p99") + 1);
  });

  it("draws every chart of every run with its fault and balancer markers", () => {
    const html = renderReport(buildReportModel([base], NOW));
    for (const kind of ["throughput", "failed", "p95", "lost", "share"]) {
      const svg = html.match(new RegExp(`<svg data-chart="${kind}"[\\s\\S]*?</svg>`))?.[0] ?? "";
      expect(svg, kind).toMatch(/data-series=/);
      expect(svg.match(/data-marker="fault"/g)?.length, kind).toBe(2);
      expect(svg.match(/data-marker="lb"/g)?.length, kind).toBe(2);
      expect(svg).toContain('data-label="crash app-2"');
      expect(svg).toContain('data-label="app-2 DOWN"');
    }
  });

  it("shows a not-trustworthy banner listing the warnings", () => {
    const html = renderReport(buildReportModel([base], NOW));
    expect(html).toMatch(/data-banner="untrustworthy"[^>]*>.*Not trustworthy/);
    expect(html).toContain("the load engine dropped 1 iterations");
    const trusted = variant((r) => {
      r.results = { ...r.results!, trust: { trustworthy: true, warnings: [] } };
    });
    expect(renderReport(buildReportModel([trusted], NOW))).not.toContain('data-banner="untrustworthy"');
  });

  it("renders a failed run without records or results, and says so", () => {
    const broken = variant(
      (r) => {
        r.status = "interrupted";
        r.error = "interrupted by SIGINT";
        r.results = null;
      },
      { recheck: { error: "no records file in the run folder" }, recordsFile: null },
    );
    const model = buildReportModel([broken, base], NOW);
    const html = renderReport(model);
    expect(html).toContain('data-banner="status"');
    expect(html).toContain("was interrupted");
    expect(html).toContain("no records");
    expect(model.runs[0]!.values["sessions.lost"]).toBeNull();
    expect(model.runs[0]!.reading[0]).toBe(
      "This run was interrupted (interrupted by SIGINT): the numbers cover only what was recorded.",
    );
    expect(model.runs[0]!.trust.trustworthy).toBeNull();
    expect(verdictCells(html).get("sessions.lost")?.get("tiny-sticky")).toBe("");
  });

  it("falls back to run.json's results when the records are gone, and says so", () => {
    const noSamples = variant(() => {}, {
      recheck: { error: "no records file in the run folder" },
      recordsFile: null,
    });
    const run = buildReportModel([noSamples], NOW).runs[0]!;
    expect(run.values["sessions.lost"]).toBe(2);
    expect(run.notes.filter((n) => !n.startsWith("recorded before schema"))).toEqual([
      "no records file in the run folder: the numbers are run.json's results, not re-aggregated",
    ]);
  });

  it("flags a run.json whose results disagree with the records", () => {
    const edited = variant((r) => {
      r.results = { ...r.results!, sessions: { ...r.results!.sessions, lost: 99 } };
    });
    const model = buildReportModel([edited], NOW);
    const run = model.runs[0]!;
    // The report shows what run.json says, and the re-check says where the records disagree.
    expect(run.values["sessions.lost"]).toBe(99);
    expect(run.notes.filter((n) => !n.startsWith("recorded before schema"))).toEqual([
      "run.json and records.tsv.gz differ: sessions.lost: run.json 99, records 2",
    ]);
    expect(run.recheck.state).toBe("differ");
    expect(run.recheck.line).toMatch(
      /^results re-checked from records\.tsv\.gz: 1 difference \(listed below; shown: run\.json's\)/,
    );
    const html = renderReport(model);
    expect(html).toContain('data-recheck="differ"');
    expect(html).toContain("sessions.lost: run.json 99, records 2");
    expect(renderReport(buildReportModel([base], NOW))).toMatch(
      /<p data-recheck="match" data-run="tiny-sticky">results re-checked from records\.tsv\.gz: match/,
    );
  });
});

describe("comparison reading", () => {
  it("ranks the runs by sessions lost and failed requests", () => {
    const shared = variant((r) => {
      r.runId = "tiny-dynamodb";
      r.plan = { ...r.plan, strategy: "dynamodb" };
    });
    const model = buildReportModel([base, shared], NOW);
    expect(model.title).toBe("Failover comparison: sticky vs dynamodb");
    expect(model.comparison[0]).toBe("Sessions lost: sticky 2 of 5, dynamodb 2 of 5.");
    expect(model.comparison[1]).toBe("Failed requests: sticky 2 of 18, dynamodb 2 of 18.");
    expect(model.comparison.at(-1)).toBe("Read with care: sticky, dynamodb are not trustworthy (see the banner).");
  });
});
