// The verdict of one run: its fault windows, its records aggregated once by them, its results and
// thresholds; the one path from a run folder's raw data to run.json's `results`.
//
// The data path: events → faultWindows (windows.ts) → the load engine's records file streamed once
// into the Aggregator (read-records.ts, aggregate.ts) → buildResults with the events and CPU (results.ts)
// → judgeThresholds (thresholds.ts) → run.json.results; summaryTable (summary.ts) prints it and
// the report shows it. The report re-aggregates the records only when asked (`--recheck`), with
// this same function, and lists what differs (recheck.ts).
//
// Adding a verdict figure (say, lost updates per window):
//   1. the engine records it as a LoadRecord kind (load/api.ts; its line in load/records.ts);
//   2. aggregate.ts folds those records into AggregateResult (per window where it has one:
//      byWindow, keyed by WINDOW_NAMES), and results.ts
//      derives anything that needs the events (its shape in run-results.ts);
//   3. a threshold on it: its name in plan/thresholds.ts (thresholdMetrics) and where to read it
//      in thresholds.ts (the compiler asks for both);
//   4. a summary line in summary.ts and a report row in reports/src/report-model.ts (VERDICT_ROWS);
//   5. a test in orchestrator/test/verdict/ over records written by hand.
// The re-check compares every number in results, so a new figure is re-checked without more code.
import type { Threshold } from "../plan/thresholds.ts";
import type { RunEvent } from "../run/events.ts";
import { aggregateRecordsFile } from "./read-records.ts";
import { buildResults, type RunResults } from "./results.ts";
import { faultWindows } from "./windows.ts";

export interface VerdictInput {
  /** The load engine's records file (load/records.ts; gzip or plain). */
  recordsFile: string;
  events: readonly RunEvent[];
  /** CPU of the load engine and of the machine, sampled during the load (percent); empty when not sampled. */
  engineCpu: readonly number[];
  machineCpu: readonly number[];
  thresholds: readonly Threshold[];
}

/** Reads the records file once and returns the run's results. */
export async function verdictOf(input: VerdictInput): Promise<RunResults> {
  const aggregate = await aggregateRecordsFile(input.recordsFile, faultWindows(input.events));
  return buildResults({
    aggregate,
    events: input.events,
    engineCpu: input.engineCpu,
    machineCpu: input.machineCpu,
    thresholds: input.thresholds,
  });
}
