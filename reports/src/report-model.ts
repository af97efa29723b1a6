// The report's data model (pure): per run the set-up, the verdict numbers with their source, the
// per-second series and the timeline markers relative to load start, and the plain-language reading.

import { describeFault, faultLabel } from "../../orchestrator/src/plan/fault-text.ts";
import { describeBehaviour, healthProfiles } from "../../orchestrator/src/plan/health-profiles.ts";
import type { RunEvent } from "../../orchestrator/src/run/events.ts";
import { RECORDS_FILE_NAME } from "../../orchestrator/src/run/load-files.ts";
import type { RunRecord } from "../../orchestrator/src/run/run-record.ts";
import { lacksLine } from "../../orchestrator/src/run/run-record-schema.ts";
import { FAILED_CLASSES } from "../../orchestrator/src/verdict/aggregate.ts";
import { recheckResults } from "../../orchestrator/src/verdict/recheck.ts";
import type { RunResults } from "../../orchestrator/src/verdict/results.ts";
import { comparisonReading, runReading } from "./reading.ts";
import type { Marker, RunView, SeriesPoint, Source, ThresholdRow, VerdictRow } from "./run-view.ts";
import { STORE_ROWS } from "./store-time.ts";
import { describeWarmUp } from "./warm-up-setup.ts";

export type { Marker, RunView, SeriesPoint, Source, ThresholdRow, VerdictRow };

/** What the I/O shell read from one run folder. */
export interface RunInput {
  /** The run folder as given. */
  dir: string;
  record: RunRecord;
  /** The version of the record's schema (1: written before run.json had one; see run-record-schema.ts). */
  schemaVersion: number;
  /** Fields of the current schema an older record lacks (fieldsLacking); empty for a current one. */
  lacks: string[];
  /** The run's records file (relative to dir), or null when there is none. */
  recordsFile: string | null;
  /**
   * The re-check, when asked for (`--recheck`): the results worked out again from the records
   * file (verdictOf, as the orchestrator did), or why they could not be; null when not asked.
   */
  recheck: { results: RunResults } | { error: string } | null;
}

const latencyRows: VerdictRow[] = (["before", "during", "after", "overall"] as const).flatMap((window) =>
  (["p50", "p95", "p99"] as const).map(
    (p): VerdictRow => ({
      field: `latency.${window}.${p}`,
      label: `${p} ${window === "overall" ? "whole run" : `${window} the fault`}`,
      group: "Latency of answered requests",
      unit: "ms",
      source: "records",
      from: `request records' ms (histogram, ${window === "overall" ? "all windows merged" : `${window} window`})`,
    }),
  ),
);

export const VERDICT_ROWS: readonly VerdictRow[] = [
  {
    field: "sessions.started",
    label: "Sessions started",
    group: "Sessions",
    unit: "count",
    source: "records",
    from: "session-started records",
  },
  {
    field: "sessions.lost",
    label: "Sessions lost",
    group: "Sessions",
    unit: "count",
    source: "records",
    from: "session-lost records",
  },
  {
    field: "sessions.lostExpected",
    label: "Lost according to the store audit",
    group: "Sessions",
    unit: "count",
    source: "events",
    from: "audit: active sessions on the victim just before it was taken away",
  },
  {
    field: "requests.total",
    label: "Requests",
    group: "Requests",
    unit: "count",
    source: "records",
    from: "request records",
  },
  {
    field: "requests.failed.total",
    label: "Failed requests",
    group: "Requests",
    unit: "count",
    source: "records",
    from: "request records with a failed class",
  },
  ...FAILED_CLASSES.map(
    (cls): VerdictRow => ({
      field: `requests.failed.${cls}`,
      label: cls === "other" ? "other failures" : /^\d/.test(cls) ? `HTTP ${cls}` : cls,
      group: "Requests",
      unit: "count",
      source: "records",
      from: `request records cls=${cls}`,
      detail: true,
    }),
  ),
  {
    field: "requests.lost",
    label: "Answered as logged out",
    group: "Requests",
    unit: "count",
    source: "records",
    from: "request records cls=lost",
  },
  {
    field: "requests.inFlightAtFault",
    label: "In flight on the victim at the fault",
    group: "Requests",
    unit: "count",
    source: "events",
    from: "audit and probe: the balancer's counters for the victim",
  },
  {
    field: "requests.retriedByBalancer.retries",
    label: "Retried by the balancer (hidden failures)",
    group: "Requests",
    unit: "count",
    source: "events",
    from: "lb-counters: HAProxy's wretr over the fleet, end minus start",
  },
  {
    field: "requests.retriedByBalancer.redispatches",
    label: "redispatched to another instance",
    group: "Requests",
    unit: "count",
    source: "events",
    from: "lb-counters: HAProxy's wredis over the fleet, end minus start",
    detail: true,
  },
  {
    field: "undetected.requests",
    label: "Requests while the victim was dead but UP",
    group: "Requests",
    unit: "count",
    source: "records",
    from: `per-second request records from the fault landing to lb-state DOWN (whole seconds)`,
  },
  {
    field: "undetected.victimSharePercent",
    label: "the victim's share of the traffic before",
    group: "Requests",
    unit: "percent",
    source: "records",
    from: "per-second request records' instance before the fault",
    detail: true,
  },
  {
    field: "undetected.failed",
    label: "failed in that interval",
    group: "Requests",
    unit: "count",
    source: "records",
    from: "per-second failed request records from the fault landing to lb-state DOWN",
    detail: true,
  },
  {
    field: "writes.indeterminate",
    label: "Indeterminate writes",
    group: "Data",
    unit: "count",
    source: "records",
    from: "indeterminate-write records",
  },
  {
    field: "reads.stale",
    label: "Stale reads",
    group: "Data",
    unit: "count",
    source: "records",
    from: "stale-read records",
  },
  {
    field: "updates.lost",
    label: "Lost updates (acknowledged writes a later read did not show)",
    group: "Data",
    unit: "count",
    source: "records",
    from: `op records, the lost-update model (orchestrator/src/verdict/lost-updates.ts)`,
    optional: true,
  },
  ...(["before", "during", "after"] as const).map(
    (window): VerdictRow => ({
      field: `updates.lostByWindow.${window}`,
      label: `${window} the fault`,
      group: "Data",
      unit: "count",
      source: "records",
      from: `lost updates whose write was answered in the ${window} window`,
      detail: true,
      optional: true,
    }),
  ),
  ...(["p50", "p95", "p99"] as const).map(
    (q): VerdictRow => ({
      field: `lockWait.${q}`,
      label: `Wait for the session's lock, ${q}`,
      group: "Data",
      unit: "ms",
      source: "records",
      from: "request records' lockMs (the app's Server-Timing lock;dur=; histogram)",
      optional: true,
    }),
  ),
  {
    field: "updates.acknowledged",
    label: "of acknowledged writes",
    group: "Data",
    unit: "count",
    source: "records",
    from: "op records with op write answered 200",
    detail: true,
    optional: true,
  },
  ...latencyRows,
  ...(["p50", "p95", "p99", "max"] as const).map(
    (p): VerdictRow => ({
      field: `startLag.${p}`,
      label: `start lag ${p}`,
      group: "Latency of answered requests",
      unit: "ms",
      source: "records",
      from: "iteration records: actual start − scheduled start (histogram; coordinated omission made visible)",
      optional: true,
    }),
  ),
  ...STORE_ROWS,
  {
    field: "detectionMs",
    label: "Detection (fault → balancer DOWN)",
    group: "Timing",
    unit: "duration",
    source: "events",
    from: "fault start → lb-state DOWN",
  },
  {
    field: "recoveryMs",
    label: "Recovery (fault → error rate at baseline)",
    group: "Timing",
    unit: "duration",
    source: "records",
    from: "per-second (failed + lost) / requests vs the before window",
  },
  {
    field: "rejoinMs",
    label: "Rejoin (restore → first answer from it)",
    group: "Timing",
    unit: "duration",
    source: "records",
    from: "fault events and request records' instance",
  },
  {
    field: "droppedIterations",
    label: "Dropped iterations",
    group: "Load generator",
    unit: "count",
    source: "records",
    from: "dropped records (an iteration due with no free person)",
  },
  {
    field: "loadGenerator.engineCpuPercent.mean",
    label: "Load engine CPU, mean",
    group: "Load generator",
    unit: "percent",
    source: "cpu",
    from: "loadGenerator, sampled during the run",
  },
  {
    field: "loadGenerator.engineCpuPercent.max",
    label: "Load engine CPU, max",
    group: "Load generator",
    unit: "percent",
    source: "cpu",
    from: "loadGenerator, sampled during the run",
  },
  {
    field: "loadGenerator.machineCpuPercent.mean",
    label: "Machine CPU, mean",
    group: "Load generator",
    unit: "percent",
    source: "cpu",
    from: "loadGenerator, sampled during the run",
  },
];

export interface ReportModel {
  title: string;
  question: string;
  generatedAt: string;
  runs: RunView[];
  /** Instances across all runs, in order (for consistent colours). */
  instances: string[];
  /** Sentences comparing the runs (empty for a single run). */
  comparison: string[];
}

export const QUESTION =
  "When one of my web servers dies while users are logged in, how many users lose their session, " +
  "how many requests fail, and how slow does it get?";

/** Reads a number at a dotted path of an object; null when absent or not a number. */
export function valueAt(object: unknown, path: string): number | null {
  let current: unknown = object;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return null;
    current = (current as Record<string, unknown>)[part];
  }
  return typeof current === "number" && Number.isFinite(current) ? current : null;
}

/** True when the path exists in the object (its value may be null): the first missing part is undefined. */
export function hasPath(object: unknown, path: string): boolean {
  let current: unknown = object;
  for (const part of path.split(".")) {
    if (current === null) return true;
    if (typeof current !== "object" || !(part in (current as object))) return false;
    current = (current as Record<string, unknown>)[part];
  }
  return true;
}

/** The recorded results with what an older run.json lacks filled in from the re-aggregation. */
function fillMissing(recorded: unknown, recomputed: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  if (!isObject(recorded) || !isObject(recomputed)) return recorded;
  const out: Record<string, unknown> = { ...recorded };
  for (const [key, value] of Object.entries(recomputed)) {
    out[key] = key in recorded ? fillMissing(recorded[key], value) : value;
  }
  return out;
}

/**
 * The results this report shows: run.json's, as the orchestrator wrote them (verdict/verdict.ts).
 * Re-checked when asked: worked out again from the records file and the events by the same
 * function, compared value by value (the load generator's CPU and the trust verdict are not in
 * the run folder, so they are run.json's either way).
 */
function reportResults(input: RunInput, notes: string[]): { results: RunResults | null; recheck: RunView["recheck"] } {
  const recorded = input.record.results;
  const records = input.recordsFile ?? RECORDS_FILE_NAME;
  if (input.recheck === null) {
    if (!recorded && input.recordsFile) {
      notes.push(`run.json has no results: npm run report -- --recheck works them out from ${input.recordsFile}`);
    }
    return {
      results: recorded,
      recheck: {
        state: "not-asked",
        line: `results from run.json; not re-checked (npm run report -- --recheck re-aggregates ${records})`,
      },
    };
  }
  if ("error" in input.recheck) {
    if (recorded) notes.push(`${input.recheck.error}: the numbers are run.json's results, not re-aggregated`);
    return {
      results: recorded,
      recheck: { state: "unavailable", line: `results not re-checked: ${input.recheck.error}` },
    };
  }
  const recomputed = input.recheck.results;
  if (!recorded) {
    const warnings = [...recomputed.trust.warnings, "run.json has no results: the load generator's CPU is unknown"];
    return {
      results: { ...recomputed, trust: { trustworthy: false, warnings } },
      recheck: { state: "unavailable", line: `run.json has no results: shown as worked out from ${records}` },
    };
  }
  const check = recheckResults(recorded, recomputed);
  for (const difference of check.differences) notes.push(`run.json and ${records} differ: ${difference}`);
  const older = check.missing.length
    ? `; run.json predates ${check.missing.join(", ")}: shown as worked out from the records`
    : "";
  const outcome =
    check.differences.length === 0
      ? "match"
      : `${check.differences.length} ${check.differences.length === 1 ? "difference" : "differences"} (listed below; shown: run.json's)`;
  return {
    results: fillMissing(recorded, recomputed) as RunResults,
    recheck: {
      state: check.differences.length === 0 ? "match" : "differ",
      line: `results re-checked from ${records}: ${outcome} (${check.compared} values compared${older})`,
    },
  };
}

function loadStartMs(record: RunRecord, results: RunResults | null): number {
  const start = record.events.find((e) => e.type === "load-start");
  if (start) return start.t;
  if (results?.firstSampleMs != null) return results.firstSampleMs;
  return Date.parse(record.startedAt) || 0;
}

const seconds = (ms: number, originMs: number) => Math.round(ms - originMs) / 1000;

/** Faults (their start) and the balancer's state changes; the first state seen of each server is not a change unless it is not UP. */
export function timelineMarkers(events: readonly RunEvent[], originMs: number): Marker[] {
  const markers: Marker[] = [];
  const lbState = new Map<string, string>();
  for (const e of events) {
    // Steps of a compound fault (a rolling restart's stop and start of each instance) are markers too.
    if (e.type === "fault" && e.phase === "start") {
      markers.push({
        t: seconds(e.t, originMs),
        kind: "fault",
        label: faultLabel(e),
        target: e.target,
        what: e.action,
      });
    } else if (e.type === "lb-state") {
      const previous = lbState.get(e.target);
      lbState.set(e.target, e.state);
      if (previous === e.state || (previous === undefined && e.state === "UP")) continue;
      markers.push({
        t: seconds(e.t, originMs),
        kind: "lb",
        label: `${e.target} ${e.state}`,
        target: e.target,
        what: e.state,
      });
    }
  }
  return markers;
}

function describeFaults(record: RunRecord): string[] {
  return record.plan.faults.map(describeFault);
}

function runView(input: RunInput, key: string): RunView {
  const { record } = input;
  const notes: string[] = [];
  const older = lacksLine(input);
  if (older) notes.push(older);
  const { plan } = record;
  const { results, recheck } = reportResults(input, notes);
  if (!results && !input.recordsFile) notes.push("no records file in the run folder; run.json has no results");
  const origin = loadStartMs(record, results);
  const series = (results?.series ?? []).map((p) => ({ ...p, t: seconds(p.t, origin) }));
  const values: Record<string, number | null> = {};
  for (const row of VERDICT_ROWS) values[row.field] = results ? valueAt(results, row.field) : null;
  const windows = results?.windows ?? {};
  const end = record.events.find((e) => e.type === "load-end");
  const lastSecond = series.length > 0 ? series[series.length - 1]!.t + 1 : 0;
  // What the balancer did (run.json's balancer, read from the real balancer on ec2), else the named profile.
  const profile = record.balancer ?? healthProfiles[plan.health as keyof typeof healthProfiles];
  const trust = results
    ? { trustworthy: results.trust.trustworthy, warnings: [...results.trust.warnings] }
    : { trustworthy: null, warnings: ["no results were recorded: nothing to vouch for"] };
  const view: RunView = {
    key,
    runId: record.runId,
    dir: input.dir,
    strategy: plan.strategy,
    status: record.status,
    error: record.error ?? null,
    setup: {
      target: `${plan.target?.name ?? "target-app"}, scenario ${plan.load.scenario.replace(/^scenarios\/|\.ts$/g, "")}`,
      platform: plan.platform,
      instances: record.instances,
      health: plan.health,
      healthDetail: profile
        ? `check every ${profile.intervalMs / 1000} s, timeout ${profile.timeoutMs / 1000} s, DOWN after ${profile.fall} failures, UP after ${profile.rise} passes`
        : "",
      balancer: record.balancer
        ? `${record.balancer.behaviour}${record.balancer.source === "profile" ? "" : ` (read from the ${record.balancer.source})`}`
        : profile
          ? describeBehaviour(profile)
          : "not recorded",
      seed: plan.seed,
      load: `${record.plan.load.rate} iterations/s over ${record.plan.load.sessions} sessions for ${record.plan.load.durationMs / 1000} s (open model, request timeout ${record.plan.load.requestTimeoutMs / 1000} s)`,
      warmUp: describeWarmUp(record.events),
      faults: describeFaults(record),
      versions: record.versions,
      machine: `${record.machine.cpus} CPUs, ${Math.round(record.machine.memoryBytes / 1024 ** 3)} GiB, Node ${record.machine.node}`,
      startedAt: record.startedAt,
    },
    sources: { runJson: "run.json", records: input.recordsFile },
    values,
    recheck,
    notes,
    trust,
    thresholds: [
      ...(results?.thresholds ?? []).map(
        (t): ThresholdRow => ({ by: "harness", expression: t.expr, actual: t.actual, ok: t.ok }),
      ),
    ],
    series,
    markers: timelineMarkers(record.events, origin),
    faultWindow:
      windows.faultStartMs !== undefined
        ? {
            from: seconds(windows.faultStartMs, origin),
            to: windows.faultEndMs !== undefined ? seconds(windows.faultEndMs, origin) : null,
          }
        : null,
    durationS: Math.max(end ? seconds(end.t, origin) : 0, lastSecond),
    lostByHome: results?.sessions.lostByHome ?? {},
    reading: [],
  };
  view.reading = runReading(view, record.events);
  return view;
}

/** Builds the report's model from the runs as read from their folders. `now` is injected for tests. */
export function buildReportModel(runs: readonly RunInput[], now: Date = new Date()): ReportModel {
  const used = new Map<string, number>();
  const views = runs.map((input) => {
    const n = used.get(input.record.runId) ?? 0;
    used.set(input.record.runId, n + 1);
    return runView(input, n === 0 ? input.record.runId : `${input.record.runId}~${n + 1}`);
  });
  const instances = [
    ...new Set(views.flatMap((v) => [...v.setup.instances, ...v.series.flatMap((p) => Object.keys(p.byInstance))])),
  ].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const strategies = [...new Set(views.map((v) => v.strategy))];
  return {
    title:
      views.length === 1
        ? `Failover run: ${views[0]!.strategy} (${views[0]!.runId})`
        : `Failover comparison: ${strategies.join(" vs ")}`,
    question: QUESTION,
    generatedAt: now.toISOString(),
    runs: views,
    instances,
    comparison: comparisonReading(views),
  };
}
