// Opens a generated comparison report in headless Chromium (Debian's chromium, playwright-core):
// no console errors, no request but the file itself, every chart drawn, fault markers present,
// the verdict table equal to run.json, re-checked against the records (--recheck); leaves
// report.png in the (temporary) run folder.
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../orchestrator/src/run/run-record.ts";
import { chromiumPath } from "../../tools/tool-paths.mjs";
import { hasPath, valueAt } from "../src/report-model.ts";
import { writeReport } from "../src/write-report.ts";

const CHROMIUM = chromiumPath();
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[skip] report browser test: no Chromium at ${CHROMIUM} (npm run setup installs it)`);

// Real 6 s runs (rate 10, 8 sessions, seed 7) recorded with `npm run scenario` (k6 then; its samples converted once to records): a
// four-strategy comparison (run-redis: strategy redis, the same command).
const FIXTURES = ["run-sticky", "run-dynamodb", "run-local", "run-redis"].map((name) =>
  fileURLToPath(new URL(`fixtures/${name}`, import.meta.url)),
);
const CHART_KINDS = ["throughput", "failed", "p95", "lost", "share"];

describe.skipIf(!haveChromium)("the report in headless Chromium", () => {
  const scratch = mkdtempSync(join(tmpdir(), "fh-report-browser-"));
  const dirs = FIXTURES.map((dir, i) => {
    const copy = join(scratch, `${i + 1}-${dir.split("/").pop()}`);
    cpSync(dir, copy, { recursive: true });
    return copy;
  });
  const records = dirs.map((dir) => JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as RunRecord);
  const reportFile = join(dirs[0]!, "report.html");
  const screenshot = join(dirs[0]!, "report.png");
  let browser: Browser;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  let page: Awaited<ReturnType<Browser["newPage"]>>;

  beforeAll(async () => {
    await writeReport(dirs, reportFile, { recheck: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (err) => consoleErrors.push(`pageerror: ${err.message}`));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(reportFile).href, { waitUntil: "load" });
  });

  afterAll(async () => {
    await browser?.close();
    if (existsSync(screenshot)) console.log(`[report] screenshot: ${screenshot}`);
  });

  it("loads with no console error and no request but the file itself", () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(reportFile).href]);
  });

  it("draws every chart of every run", async () => {
    const charts = await page.$$eval("svg[data-chart]", (svgs) =>
      svgs.map((svg) => ({
        kind: svg.getAttribute("data-chart"),
        run: svg.getAttribute("data-run"),
        drawn: [...svg.querySelectorAll<SVGGraphicsElement>("[data-series]")].filter((el) => {
          const box = el.getBBox();
          return box.width > 0 || box.height > 0;
        }).length,
      })),
    );
    expect(charts).toHaveLength(CHART_KINDS.length * records.length);
    for (const record of records) {
      for (const kind of CHART_KINDS) {
        const chart = charts.find((c) => c.kind === kind && c.run === record.runId);
        expect(chart?.drawn, `${kind} of ${record.runId}`).toBeGreaterThan(0);
      }
    }
  });

  it("marks every fault and balancer DOWN on each chart of the runs that had them", async () => {
    for (const record of records) {
      const expected = [
        ...record.events.flatMap((e) => (e.type === "fault" && e.phase === "start" ? [`${e.action} ${e.target}`] : [])),
        ...record.events.flatMap((e) => (e.type === "lb-state" && e.state === "DOWN" ? [`${e.target} DOWN`] : [])),
      ];
      for (const kind of CHART_KINDS) {
        const labels = await page.$$eval(`svg[data-chart="${kind}"][data-run="${record.runId}"] [data-marker]`, (els) =>
          els.map((el) => el.getAttribute("data-label")),
        );
        for (const label of expected) expect(labels, `${kind} of ${record.plan.strategy}`).toContain(label);
      }
    }
    const faulted = records.filter((r) => r.plan.faults.length > 0);
    expect(faulted.length).toBeGreaterThan(0);
    expect(await page.locator('[data-marker="fault"]').count()).toBeGreaterThanOrEqual(
      faulted.length * CHART_KINDS.length,
    );
  });

  it("shows in the verdict table the numbers of run.json", async () => {
    const cells = await page.$$eval("#verdict td[data-field]", (tds) =>
      tds.map((td) => ({
        run: td.getAttribute("data-run")!,
        field: td.getAttribute("data-field")!,
        value: td.getAttribute("data-value")!,
        text: td.textContent ?? "",
      })),
    );
    expect(cells.length).toBeGreaterThan(25 * records.length);
    for (const record of records) {
      const mine = cells.filter((c) => c.run === record.runId);
      for (const field of ["sessions.started", "sessions.lost", "requests.total", "latency.overall.p95"]) {
        expect(mine.map((c) => c.field)).toContain(field);
      }
      for (const cell of mine) {
        // A field this (recorded) run.json predates is shown as worked out from its records (--recheck).
        if (!hasPath(record.results, cell.field)) continue;
        const recorded = valueAt(record.results, cell.field);
        expect(cell.value, `${record.plan.strategy} ${cell.field}`).toBe(recorded === null ? "" : String(recorded));
        expect(cell.text.trim()).not.toBe("");
      }
    }
  });

  it("says, per run, that run.json's results match the records re-aggregated", async () => {
    const lines = await page.$$eval("[data-recheck]", (els) =>
      els.map((el) => ({
        run: el.getAttribute("data-run"),
        state: el.getAttribute("data-recheck"),
        text: el.textContent,
      })),
    );
    expect(lines.map((l) => l.run)).toEqual(records.map((r) => r.runId));
    for (const line of lines) {
      expect(line.state, line.text ?? "").toBe("match");
      expect(line.text).toMatch(/^results re-checked from records\.tsv\.gz: match \(\d+ values compared/);
    }
  });

  it("lays out the four runs side by side without overflow: no horizontal scroll, every column and chart inside the page", async () => {
    expect(records.map((r) => r.plan.strategy)).toEqual(["sticky", "dynamodb", "local", "redis"]);
    const layout = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const heads = [...document.querySelectorAll<HTMLElement>("#verdict th.runhead")].map((th) => {
        const box = th.getBoundingClientRect();
        return { left: box.left, right: box.right, overflows: th.scrollWidth > th.clientWidth + 1 };
      });
      const cells = [...document.querySelectorAll<HTMLElement>("#verdict td[data-field]")].filter(
        (td) => td.scrollWidth > td.clientWidth + 1,
      ).length;
      const charts = [...document.querySelectorAll<SVGElement>("svg[data-chart]")].map((svg) => {
        const box = svg.getBoundingClientRect();
        return { left: box.left, right: box.right, width: box.width };
      });
      return { width, scrollWidth: document.documentElement.scrollWidth, heads, cells, charts };
    });
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
    expect(layout.heads).toHaveLength(4);
    for (const [i, head] of layout.heads.entries()) {
      expect(head.overflows, `verdict column ${i + 1}`).toBe(false);
      expect(head.right).toBeLessThanOrEqual(layout.width);
      if (i > 0) expect(head.left).toBeGreaterThanOrEqual(layout.heads[i - 1]!.right - 1);
    }
    expect(layout.cells, "verdict cells whose text overflows").toBe(0);
    for (const chart of layout.charts) {
      expect(chart.right).toBeLessThanOrEqual(layout.width);
      // Four panels share a row: each still at least a fifth of the page wide.
      expect(chart.width).toBeGreaterThan(layout.width / 5);
    }
  });

  it("leaves a screenshot in the run folder", async () => {
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
  });
});
