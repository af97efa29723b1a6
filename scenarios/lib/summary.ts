// A short plain-text end-of-test summary, for when handleSummary replaces k6's own (no remote jslib).
import { K6_DROPPED_ITERATIONS, METRIC } from "./metrics.ts";

interface SummaryMetric {
  type: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

const SHOWN = [
  METRIC.sessionsStarted,
  METRIC.sessionsLost,
  METRIC.readsStale,
  METRIC.writesIndeterminate,
  METRIC.req,
  "http_reqs",
  "http_req_duration",
  "http_req_failed",
  "iterations",
  K6_DROPPED_ITERATIONS,
];

function describe(metric: SummaryMetric): string {
  const v = metric.values;
  const fmt = (n: number | undefined) => (n === undefined ? "-" : Number.isInteger(n) ? String(n) : n.toFixed(2));
  switch (metric.type) {
    case "counter":
      return `${fmt(v.count)} (${fmt(v.rate)}/s)`;
    case "rate":
      return `${fmt((v.rate ?? 0) * 100)}% (${fmt(v.passes)} of ${fmt((v.passes ?? 0) + (v.fails ?? 0))})`;
    case "trend":
      return `avg=${fmt(v.avg)}ms med=${fmt(v.med)}ms p(95)=${fmt(v["p(95)"])}ms max=${fmt(v.max)}ms`;
    default:
      return fmt(v.value);
  }
}

export function textSummary(data: { metrics: Record<string, SummaryMetric> }): string {
  const lines = ["", "  failover-harness: login-profile"];
  for (const name of SHOWN) {
    const metric = data.metrics[name];
    lines.push(`    ${name.padEnd(26, ".")}: ${metric ? describe(metric) : "0"}`);
  }
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expression, { ok }] of Object.entries(metric.thresholds ?? {})) {
      lines.push(`    threshold ${ok ? "passed" : "FAILED"}: ${name} ${expression}`);
    }
  }
  return `${lines.join("\n")}\n\n`;
}
