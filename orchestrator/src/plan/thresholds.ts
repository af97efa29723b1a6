// Thresholds the user sets on a run's results ("sessions.lost<=0"): parsed before the run, judged after.
import { InputError } from "../errors.ts";
import type { RunResults } from "../run/results.ts";

type Getter = (r: RunResults) => number | null;

const windows = ["overall", "before", "during", "after"] as const;
const quantiles = ["p50", "p95", "p99"] as const;

const metrics: Record<string, Getter> = {
  "sessions.lost": (r) => r.sessions.lost,
  "requests.failed": (r) => r.requests.failed.total,
  "reads.stale": (r) => r.reads.stale,
  "writes.indeterminate": (r) => r.writes.indeterminate,
  detectionMs: (r) => r.detectionMs,
  recoveryMs: (r) => r.recoveryMs,
  droppedIterations: (r) => r.droppedIterations,
};
for (const w of windows) {
  for (const q of quantiles) {
    metrics[w === "overall" ? `latency.${q}` : `latency.${w}.${q}`] = (r) => r.latency[w][q];
  }
}
export const thresholdMetrics = Object.keys(metrics);

const ops = {
  "<=": (a: number, b: number) => a <= b,
  ">=": (a: number, b: number) => a >= b,
  "==": (a: number, b: number) => a === b,
  "<": (a: number, b: number) => a < b,
  ">": (a: number, b: number) => a > b,
} as const;
type Op = keyof typeof ops;

export interface Threshold {
  expr: string;
  metric: string;
  op: Op;
  value: number;
}

export interface ThresholdResult extends Threshold {
  actual: number | null;
  ok: boolean;
}

export function parseThreshold(expr: string): Threshold {
  const m = expr.replace(/\s+/g, "").match(/^([A-Za-z.0-9]+)(<=|>=|==|<|>)(-?\d+(?:\.\d+)?)$/);
  if (!m) {
    throw new InputError(
      `--threshold ${JSON.stringify(expr)}: expected METRIC OP NUMBER such as "sessions.lost<=0" (OP: <, <=, >, >=, ==)`,
    );
  }
  const [, metric, op, value] = m as unknown as [string, string, Op, string];
  if (!(metric in metrics)) {
    throw new InputError(
      `--threshold ${JSON.stringify(expr)}: unknown metric "${metric}"; expected one of ${thresholdMetrics.join(", ")}`,
    );
  }
  return { expr, metric, op, value: Number(value) };
}

/** A threshold on a number the run did not produce (no fault: no detection time) fails. */
export function judgeThresholds(thresholds: readonly Threshold[], results: RunResults | null): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = results ? (metrics[t.metric]?.(results) ?? null) : null;
    return { ...t, actual, ok: actual !== null && ops[t.op](actual, t.value) };
  });
}
