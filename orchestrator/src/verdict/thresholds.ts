// Judges the plan's thresholds on a run's results (pure): each metric a threshold may name
// (plan/thresholds.ts) read from RunResults.
import type { Threshold, ThresholdMetric, ThresholdOp } from "../plan/thresholds.ts";
import type { RunResults, ThresholdResult } from "./run-results.ts";

export type { ThresholdResult };

type Getter = (r: RunResults) => number | null;

const latency =
  (w: "overall" | "before" | "during" | "after", q: "p50" | "p95" | "p99"): Getter =>
  (r) =>
    r.latency[w][q];

/** Where each threshold metric is in the results (a metric the plan accepts and this lacks does not compile). */
const metrics: Record<ThresholdMetric, Getter> = {
  "sessions.lost": (r) => r.sessions.lost,
  "requests.failed": (r) => r.requests.failed.total,
  "reads.stale": (r) => r.reads.stale,
  "writes.indeterminate": (r) => r.writes.indeterminate,
  // Null (so a threshold on it fails) when the scenario records no operations: login-profile cannot count them.
  "updates.lost": (r) => r.updates?.lost ?? null,
  "updates.lost.before": (r) => r.updates?.lostByWindow.before ?? null,
  "updates.lost.during": (r) => r.updates?.lostByWindow.during ?? null,
  "updates.lost.after": (r) => r.updates?.lostByWindow.after ?? null,
  detectionMs: (r) => r.detectionMs,
  recoveryMs: (r) => r.recoveryMs,
  droppedIterations: (r) => r.droppedIterations,
  "latency.p50": latency("overall", "p50"),
  "latency.p95": latency("overall", "p95"),
  "latency.p99": latency("overall", "p99"),
  "latency.before.p50": latency("before", "p50"),
  "latency.before.p95": latency("before", "p95"),
  "latency.before.p99": latency("before", "p99"),
  "latency.during.p50": latency("during", "p50"),
  "latency.during.p95": latency("during", "p95"),
  "latency.during.p99": latency("during", "p99"),
  "latency.after.p50": latency("after", "p50"),
  "latency.after.p95": latency("after", "p95"),
  "latency.after.p99": latency("after", "p99"),
};

const ops: Record<ThresholdOp, (a: number, b: number) => boolean> = {
  "<=": (a, b) => a <= b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "<": (a, b) => a < b,
  ">": (a, b) => a > b,
};

/** A threshold on a number the run did not produce (no fault: no detection time) fails. */
export function judgeThresholds(thresholds: readonly Threshold[], results: RunResults | null): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = results ? (metrics[t.metric]?.(results) ?? null) : null;
    return { ...t, actual, ok: actual !== null && ops[t.op](actual, t.value) };
  });
}
