// The report's view of one run (types only), apart from the model that builds it
// (report-model.ts) and the modules that read it (reading, store-time, charts, render).
import type { RunRecord } from "../../orchestrator/src/run/run-record.ts";
import type { SecondPoint } from "../../orchestrator/src/verdict/aggregate.ts";

/** One threshold and its outcome as the report lists it: the harness's (plan.thresholds, judged on the results). */
export interface ThresholdRow {
  by: "harness";
  expression: string;
  /** The number the threshold was judged on, when known. */
  actual: number | null;
  ok: boolean;
}

/** Where a verdict number comes from. */
export type Source = "records" | "events" | "cpu";

export interface VerdictRow {
  /** Path into RunResults, e.g. "latency.during.p95"; also the cell's data-field. */
  field: string;
  label: string;
  group: string;
  /** share: a fraction 0-1, shown in percent. */
  unit: "count" | "ms" | "duration" | "percent" | "share";
  source: Source;
  /** What in the source file the number is computed from. */
  from: string;
  /** Rows of secondary detail (failed requests by class), shown indented. */
  detail?: boolean;
  /** Rows left out when no run has a value (store time, for apps that send no Server-Timing). */
  optional?: boolean;
}

/** A fault or a load-balancer state change on the time axis. */
export interface Marker {
  /** Seconds from load start. */
  t: number;
  kind: "fault" | "lb";
  label: string;
  target: string;
  /** "crash", "restart", ... for faults; "UP" / "DOWN" for the balancer. */
  what: string;
}

/** One second of the series, t in seconds from load start (start of the second). */
export interface SeriesPoint extends Omit<SecondPoint, "t"> {
  t: number;
}

export interface RunView {
  /** Unique key of the run in this report: its run id (suffixed when two runs share one). */
  key: string;
  runId: string;
  dir: string;
  strategy: string;
  status: RunRecord["status"];
  error: string | null;
  setup: {
    /** The app under test (--target) and the scenario that drove it. */
    target: string;
    platform: string;
    instances: string[];
    health: string;
    healthDetail: string;
    /** What the balancer does with a request to a dead instance, its cookie and its draining. */
    balancer: string;
    seed: number;
    load: string;
    /** The warm-up before the load: its rate, length and where latency settled. */
    warmUp: string;
    faults: string[];
    versions: Record<string, string>;
    machine: string;
    startedAt: string;
  };
  sources: { runJson: string; records: string | null };
  /** Verdict numbers by field (VERDICT_ROWS), from run.json's results; null when not measured. */
  values: Record<string, number | null>;
  /** The consistency check of run.json's results against the records (`--recheck`), in one line. */
  recheck: { state: "not-asked" | "match" | "differ" | "unavailable"; line: string };
  /** What the reader should know about the numbers: where run.json's results disagree with the records, or are missing. */
  notes: string[];
  trust: { trustworthy: boolean | null; warnings: string[] };
  thresholds: ThresholdRow[];
  series: SeriesPoint[];
  markers: Marker[];
  /** The fault window (seconds from load start), when there was a fault. */
  faultWindow: { from: number; to: number | null } | null;
  /** Seconds from load start to load end (or the last sample). */
  durationS: number;
  lostByHome: Record<string, number>;
  reading: string[];
}
