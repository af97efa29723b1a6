// Thresholds the user sets on a run's results ("sessions.lost<=0"): parsed and checked here,
// before the run; judged after it by the verdict (verdict/thresholds.ts reads each metric).
import { InputError } from "../errors.ts";

const windows = ["overall", "before", "during", "after"] as const;
const quantiles = ["p50", "p95", "p99"] as const;

/** The metrics a threshold may name; verdict/thresholds.ts reads each one from the results. */
export const thresholdMetrics = [
  "sessions.lost",
  "requests.failed",
  "reads.stale",
  "writes.indeterminate",
  "updates.lost",
  ...windows.filter((w) => w !== "overall").map((w) => `updates.lost.${w}` as const),
  "detectionMs",
  "recoveryMs",
  "droppedIterations",
  ...windows.flatMap((w) => quantiles.map((q) => (w === "overall" ? `latency.${q}` : `latency.${w}.${q}`))),
] as const;
export type ThresholdMetric = (typeof thresholdMetrics)[number];

export const thresholdOps = ["<=", ">=", "==", "<", ">"] as const;
export type ThresholdOp = (typeof thresholdOps)[number];

/** One threshold as the plan holds it. */
export interface Threshold {
  expr: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  value: number;
}

export function parseThreshold(expr: string): Threshold {
  const m = expr.replace(/\s+/g, "").match(/^([A-Za-z.0-9]+)(<=|>=|==|<|>)(-?\d+(?:\.\d+)?)$/);
  if (!m) {
    throw new InputError(
      `--threshold ${JSON.stringify(expr)}: expected METRIC OP NUMBER such as "sessions.lost<=0" (OP: <, <=, >, >=, ==)`,
    );
  }
  const [, metric, op, value] = m as unknown as [string, string, ThresholdOp, string];
  if (!(thresholdMetrics as readonly string[]).includes(metric)) {
    throw new InputError(
      `--threshold ${JSON.stringify(expr)}: unknown metric "${metric}"; expected one of ${thresholdMetrics.join(", ")}`,
    );
  }
  return { expr, metric: metric as ThresholdMetric, op, value: Number(value) };
}
