// The verdict of one run: its fault windows, its samples aggregated once by them, its results and
// thresholds; the one path from a run folder's raw data to run.json's `results`.
//
// The data path: events → faultWindows (windows.ts) → samples.json streamed once into the
// Aggregator (read-samples.ts, aggregate.ts) → buildResults with the events and CPU (results.ts)
// → judgeThresholds (thresholds.ts) → run.json.results; summaryTable (summary.ts) prints it and
// the report shows it. The report re-aggregates the samples only when asked (`--recheck`), with
// this same function, and lists what differs (recheck.ts).
//
// Adding a verdict figure (say, lost updates per window):
//   1. the scenario records it under a name in scenarios/lib/metrics.ts (METRIC);
//   2. aggregate.ts folds its samples into AggregateResult (per window where it has one:
//      byWindow, keyed by WINDOW_NAMES; add the name to read-samples.ts's WANTED), and results.ts
//      derives anything that needs the events (its shape in run-results.ts);
//   3. a threshold on it: its name in plan/thresholds.ts (thresholdMetrics) and where to read it
//      in thresholds.ts (the compiler asks for both);
//   4. a summary line in summary.ts and a report row in reports/src/report-model.ts (VERDICT_ROWS);
//   5. a test in orchestrator/test/verdict/ over samples written by hand.
// The re-check compares every number in results, so a new figure is re-checked without more code.
import type { Threshold } from "../plan/thresholds.ts";
import type { RunEvent } from "../run/events.ts";
import { aggregateSamplesFile } from "./read-samples.ts";
import { buildResults, type RunResults } from "./results.ts";
import { faultWindows } from "./windows.ts";

export interface VerdictInput {
  /** The k6 `--out json` file (NDJSON, optionally .gz). */
  samplesFile: string;
  events: readonly RunEvent[];
  /** CPU of k6 and of the machine, sampled during the load (percent); empty when not sampled. */
  k6Cpu: readonly number[];
  machineCpu: readonly number[];
  thresholds: readonly Threshold[];
}

/** Reads the samples file once and returns the run's results. */
export async function verdictOf(input: VerdictInput): Promise<RunResults> {
  const aggregate = await aggregateSamplesFile(input.samplesFile, faultWindows(input.events));
  return buildResults({
    aggregate,
    events: input.events,
    k6Cpu: input.k6Cpu,
    machineCpu: input.machineCpu,
    thresholds: input.thresholds,
  });
}
