// Renders the report model as one self-contained HTML page: inline CSS and inline SVG, no script,
// nothing fetched (pure: model in, HTML text out). Every user-controlled string is escaped.
import { CHARTS, hasSeries, INSTANCE_COLOURS, labelBand, renderChart, sharedScale } from "./charts.ts";
import { escapeHtml as e, formatCount, formatMs, formatPercent, formatSeconds } from "./html.ts";
import { type ReportModel, type RunView, VERDICT_ROWS, type VerdictRow } from "./report-model.ts";

const CSS = `
:root { --ink: #1d232b; --muted: #5d6773; --line: #dde2e8; --soft: #f5f7f9; --bad: #b3261e; --bad-bg: #fdeceb; --warn-bg: #fff4e0; --good: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1480px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.question { color: var(--muted); font-size: 15px; margin: 0 0 4px; max-width: 900px; }
.meta { color: var(--muted); font-size: 12px; }
.banner { border-left: 5px solid var(--bad); background: var(--bad-bg); padding: 10px 14px; margin: 12px 0; border-radius: 4px; }
.banner.status { border-color: #c25e00; background: var(--warn-bg); }
.banner strong { display: block; margin-bottom: 2px; }
.banner ul { margin: 4px 0 0; padding-left: 20px; }
.trusted { color: var(--good); font-weight: 600; }
.untrusted { color: var(--bad); font-weight: 600; }
.reading { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); }
.reading section { background: var(--soft); border-radius: 6px; padding: 10px 14px; }
.reading h3 { margin-top: 0; }
.reading ul { margin: 4px 0; padding-left: 18px; }
.comparison { font-size: 15px; background: #eef3fa; border-radius: 6px; padding: 10px 14px; margin-bottom: 12px; }
.comparison p { margin: 2px 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; text-align: left; vertical-align: top; }
table.grid { width: 100%; }
table.grid thead th { position: sticky; top: 0; background: #fff; border-bottom: 2px solid var(--line); }
table.grid td, table.grid tbody th { border-bottom: 1px solid var(--line); }
table.grid tbody th { font-weight: normal; }
td.num { text-align: right; white-space: nowrap; }
th.num { text-align: right; }
tr.group th { background: var(--soft); font-weight: 600; padding-top: 8px; }
tr.detail th { padding-left: 28px; color: var(--muted); }
tr.detail td.num { color: var(--muted); }
td.nonzero { color: var(--bad); font-weight: 600; }
td.from { color: var(--muted); font-size: 12px; }
.runhead { font-weight: 600; }
.runhead small { display: block; font-weight: normal; color: var(--muted); font-size: 11px; }
.charts { display: grid; gap: 6px 18px; }
.chart-row { margin-top: 14px; }
.chart-row h3 { margin: 0 0 2px; }
.chart-row .from { color: var(--muted); font-size: 12px; font-weight: normal; }
.panel-title { font-size: 12px; color: var(--muted); margin: 0; }
svg { width: 100%; height: auto; display: block; font-size: 10px; }
svg .grid { stroke: #eceff3; }
svg .axis { stroke: #9aa4af; }
svg .tick-mark { stroke: #9aa4af; }
svg .tick { fill: #6b7580; }
svg .marker-label { font-size: 10px; font-weight: 600; }
svg .fault-window { fill: #fbe9e7; fill-opacity: 0.7; }
svg .hover { fill: transparent; }
svg .hover:hover { fill: rgba(0,0,0,0.05); }
svg .empty { fill: #9aa4af; font-size: 12px; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin: 4px 0; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; background: var(--c); border-radius: 2px; }
.legend .dash::before { height: 0; border-top: 2px dashed var(--c); background: none; width: 14px; vertical-align: 3px; }
.notes { color: var(--muted); font-size: 12px; }
code { font-size: 12px; background: var(--soft); padding: 0 3px; border-radius: 3px; }
`;

const SOURCE_FILES: Record<VerdictRow["source"], (run: RunView) => string> = {
  records: (run) => run.sources.records ?? "run.json results",
  events: () => "run.json events",
  cpu: () => "run.json results",
};

function formatValue(row: VerdictRow, value: number | null): string {
  switch (row.unit) {
    case "count":
      return formatCount(value);
    case "ms":
      return formatMs(value);
    case "duration":
      return formatSeconds(value);
    case "percent":
      return formatPercent(value);
    case "share":
      return formatPercent(value === null ? null : value * 100);
  }
}

/** Counts that are bad news when above zero are shown in red. */
const ALARMING = new Set([
  "sessions.lost",
  "requests.failed.total",
  "requests.lost",
  "writes.indeterminate",
  "reads.stale",
  "droppedIterations",
]);

function runHeader(run: RunView): string {
  const status = run.status === "completed" ? "" : ` · ${e(run.status)}`;
  return `<th class="num runhead" data-run="${e(run.key)}">${e(run.strategy)}<small>${e(run.runId)}${status}</small></th>`;
}

function thresholds(run: RunView): string {
  if (run.thresholds.length === 0) return '<span class="meta">none set</span>';
  return run.thresholds
    .map(
      (t) =>
        `<code>${e(t.expression)}</code>${t.actual === null ? "" : ` (${e(t.actual)})`}: ${t.ok ? '<span class="trusted">passed</span>' : '<span class="untrusted">failed</span>'}`,
    )
    .join("<br>");
}

function verdictTable(model: ReportModel): string {
  const runs = model.runs;
  const body: string[] = [];
  let group = "";
  for (const row of VERDICT_ROWS) {
    if (row.optional && runs.every((r) => (r.values[row.field] ?? null) === null)) continue;
    if (row.group !== group) {
      group = row.group;
      body.push(`<tr class="group"><th colspan="${runs.length + 2}">${e(group)}</th></tr>`);
    }
    // Rows of failure classes that are zero everywhere add nothing but noise.
    if (row.detail && runs.every((r) => !r.values[row.field])) continue;
    const cells = runs.map((run) => {
      const v = run.values[row.field] ?? null;
      const cls = ALARMING.has(row.field) && v !== null && v > 0 ? "num nonzero" : "num";
      return `<td class="${cls}" data-run="${e(run.key)}" data-field="${e(row.field)}" data-value="${v ?? ""}">${e(formatValue(row, v))}</td>`;
    });
    const sources = [...new Set(runs.map((run) => SOURCE_FILES[row.source](run)))].join(", ");
    body.push(
      `<tr${row.detail ? ' class="detail"' : ""}><th scope="row">${e(row.label)}</th>${cells.join("")}<td class="from">${e(sources)}: ${e(row.from)}</td></tr>`,
    );
  }
  body.push(`<tr class="group"><th colspan="${runs.length + 2}">Thresholds</th></tr>`);
  body.push(
    `<tr><th scope="row">Outcome</th>${runs.map((run) => `<td class="num" data-run="${e(run.key)}" data-thresholds>${thresholds(run)}</td>`).join("")}<td class="from">plan.thresholds judged on these results</td></tr>`,
  );
  return `<table class="grid" id="verdict"><thead><tr><th></th>${runs.map(runHeader).join("")}<th>Computed from</th></tr></thead><tbody>${body.join("")}</tbody></table>`;
}

function banners(model: ReportModel): string {
  const out: string[] = [];
  const untrusted = model.runs.filter((run) => run.trust.trustworthy !== true);
  if (model.runs.length > 1 && untrusted.length > 0) {
    out.push(
      `<div class="banner" data-banner="comparison-untrustworthy"><strong>This comparison is not trustworthy</strong>${untrusted.map((r) => e(r.strategy)).join(", ")} ${untrusted.length === 1 ? "was" : "were"} not measured under sound conditions (see below), so ${untrusted.length === 1 ? "its" : "their"} numbers cannot be set against the other runs'. Lower the load (<code>npm run chaos -- --rate auto</code> finds one every strategy can carry) and run the comparison again.</div>`,
    );
  }
  for (const run of model.runs) {
    if (run.status !== "completed") {
      out.push(
        `<div class="banner status" data-banner="status" data-run="${e(run.key)}"><strong>${e(run.strategy)} (${e(run.runId)}) ${run.status === "failed" ? "failed" : "was interrupted"}</strong>${run.error ? e(run.error) : "no error message was recorded"}. The report shows what was recorded.</div>`,
      );
    }
    if (run.trust.trustworthy !== true) {
      out.push(
        `<div class="banner" data-banner="untrustworthy" data-run="${e(run.key)}"><strong>Not trustworthy: ${e(run.strategy)} (${e(run.runId)})</strong>The load was not what was planned, or the load generator or the machine may have been saturated, so these numbers can be wrong:<ul>${run.trust.warnings.map((w) => `<li>${e(w)}</li>`).join("")}</ul></div>`,
      );
    }
  }
  return out.join("");
}

function loadGeneratorLine(run: RunView): string {
  const v = run.values;
  const trust =
    run.trust.trustworthy === true
      ? '<span class="trusted">trustworthy</span>'
      : '<span class="untrusted">not trustworthy</span>';
  return `<p data-run="${e(run.key)}" data-load-generator><strong>${e(run.strategy)}</strong>: load engine CPU mean ${e(formatPercent(v["loadGenerator.engineCpuPercent.mean"] ?? null))} (max ${e(formatPercent(v["loadGenerator.engineCpuPercent.max"] ?? null))}), machine CPU mean ${e(formatPercent(v["loadGenerator.machineCpuPercent.mean"] ?? null))}, dropped iterations ${e(formatCount(v.droppedIterations ?? null))}: ${trust}</p>`;
}

function readingSection(model: ReportModel): string {
  const comparison =
    model.comparison.length > 0
      ? `<div class="comparison" data-reading="comparison">${model.comparison.map((s) => `<p>${e(s)}</p>`).join("")}</div>`
      : "";
  const perRun = model.runs
    .map(
      (run) =>
        `<section data-reading="run" data-run="${e(run.key)}"><h3>${e(run.strategy)} <span class="meta">${e(run.runId)}</span></h3><ul>${run.reading.map((s) => `<li>${e(s)}</li>`).join("")}</ul></section>`,
    )
    .join("");
  return `${comparison}<div class="reading">${perRun}</div>`;
}

function chartsSection(model: ReportModel): string {
  const columns = `grid-template-columns: repeat(${model.runs.length}, minmax(0, 1fr));`;
  const legendMarkers =
    '<div class="legend"><span class="dash" style="--c:#b3261e">fault</span><span class="dash" style="--c:#c25e00">balancer marks DOWN</span><span class="dash" style="--c:#2e7d32">balancer marks UP</span><span style="--c:#fbe9e7">fault window (during)</span></div>';
  const rows = CHARTS.filter((info) => !info.optional || hasSeries(info.kind, model.runs))
    .map((info) => {
      const scale = sharedScale(info.kind, model.runs);
      const band = labelBand(model.runs, scale);
      const panels = model.runs
        .map(
          (run) =>
            `<div><p class="panel-title">${e(run.strategy)} · ${e(run.runId)}</p>${renderChart(info, run, scale, model.instances, band)}</div>`,
        )
        .join("");
      const legend =
        info.kind === "share"
          ? `<div class="legend">${model.instances.map((id, i) => `<span style="--c:${INSTANCE_COLOURS[i % INSTANCE_COLOURS.length]}">${e(id)}</span>`).join("")}</div>`
          : "";
      return `<div class="chart-row"><h3>${e(info.title)} <span class="from">(${e(info.unit)}; from ${e(info.from)})</span></h3>${legend}<div class="charts" style="${columns}">${panels}</div></div>`;
    })
    .join("");
  return `<p class="notes">Time in seconds from the start of the load. Each panel is one run; panels of one row share their axes.</p>${legendMarkers}${rows}`;
}

function setupTable(model: ReportModel): string {
  const runs = model.runs;
  const row = (label: string, cell: (run: RunView) => string) =>
    `<tr><th scope="row">${e(label)}</th>${runs.map((run) => `<td data-run="${e(run.key)}">${cell(run)}</td>`).join("")}</tr>`;
  const versions = (run: RunView) =>
    Object.entries(run.setup.versions)
      .map(([k, v]) => `${e(k)}: ${e(v)}`)
      .join("<br>");
  return `<table class="grid" id="setup"><thead><tr><th></th>${runs.map(runHeader).join("")}</tr></thead><tbody>${[
    row("Strategy", (r) => e(r.strategy)),
    row("Status", (r) => e(r.status) + (r.error ? `: ${e(r.error)}` : "")),
    row("Target", (r) => e(r.setup.target)),
    row("Platform", (r) => e(r.setup.platform)),
    row("Instances", (r) => e(r.setup.instances.join(", "))),
    row("Health checks", (r) => `${e(r.setup.health)}<br><span class="meta">${e(r.setup.healthDetail)}</span>`),
    row("Balancer behaviour", (r) => e(r.setup.balancer)),
    row("Fault plan", (r) => (r.setup.faults.length === 0 ? "no fault" : r.setup.faults.map(e).join("<br>"))),
    row("Load", (r) => e(r.setup.load)),
    row("Warm-up", (r) => e(r.setup.warmUp)),
    row("Seed", (r) => e(r.setup.seed)),
    row("Versions", versions),
    row("Machine", (r) => e(r.setup.machine)),
    row("Started", (r) => e(r.setup.startedAt)),
  ].join("")}</tbody></table>`;
}

function sourcesSection(model: ReportModel): string {
  const items = model.runs
    .map((run) => {
      const records = run.sources.records
        ? `<code>${e(run.sources.records)}</code> (the load engine's records the results were worked out from)`
        : "no records file";
      const recheck = `<p data-recheck="${run.recheck.state}" data-run="${e(run.key)}">${e(run.recheck.line)}</p>`;
      const notes = run.notes.length > 0 ? `<ul>${run.notes.map((n) => `<li>${e(n)}</li>`).join("")}</ul>` : "";
      return `<li data-run="${e(run.key)}"><strong>${e(run.strategy)}</strong>: folder <code>${e(run.dir)}</code>; <code>run.json</code> (set-up, events, results, load generator CPU); ${records}.${recheck}${notes}</li>`;
    })
    .join("");
  return `<p class="notes">The numbers are run.json's results, which the run worked out from its records file and its events (verdict/verdict.ts). Counts and percentiles come from the records file (percentiles from log-bucketed histograms, about 1% relative error; never averaged). The audit, in-flight and detection figures come from the events in run.json; recovery from the per-second error rate. With <code>npm run report -- --recheck</code> the report works the results out again from the records and says here whether they match run.json's, listing any difference.</p><ul>${items}</ul>`;
}

export function renderReport(model: ReportModel): string {
  const runsLine = model.runs.map((r) => `${r.strategy} (${r.runId})`).join(" · ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(model.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${e(model.title)}</h1>
<p class="question">${e(model.question)}</p>
<p class="meta">${e(runsLine)} · report generated ${e(model.generatedAt)}</p>
${banners(model)}
<h2>Reading</h2>
${readingSection(model)}
<h2>Load generator</h2>
${model.runs.map(loadGeneratorLine).join("")}
<h2>Verdict</h2>
${verdictTable(model)}
<h2>Per second</h2>
${chartsSection(model)}
<h2>Set-up</h2>
${setupTable(model)}
<h2>Where the numbers come from</h2>
${sourcesSection(model)}
</main>
</body>
</html>
`;
}
