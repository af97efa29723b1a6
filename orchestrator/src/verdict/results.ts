// Turns the aggregated records of the load engine and the run's events into run.json's results (pure).
import type { Threshold } from "../plan/thresholds.ts";
import type { RunEvent } from "../run/events.ts";
import { type AggregateResult, recoveryMs, type SecondPoint, windowErrorRate } from "./aggregate.ts";
import type { RunResults } from "./run-results.ts";
import { judgeThresholds } from "./thresholds.ts";
import { faultBeganAt } from "./windows.ts";

export type { RunResults };

/**
 * At or above these, the load generator or the machine was saturated and the numbers are suspect.
 * The machine's line is issue 11's "machine CPU mean below 80 %": above it on 2 cores, health
 * checks time out and the balancer marks healthy instances DOWN (seen in a saturated run).
 */
export const saturation = { engineCpuPercentMean: 90, machineCpuPercentMean: 80 };

function stats(values: readonly number[]) {
  if (values.length === 0) return { mean: null, max: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean: Math.round(mean * 10) / 10, max: Math.max(...values) };
}

/**
 * Requests in flight on the victims when they were taken away: per fault, the larger of the
 * balancer's in-progress count just before the action and its count of requests the victim
 * never answered, read one second after it (see run-scenario.ts); summed over faults.
 */
function inFlightAtFaults(events: readonly RunEvent[]): number | null {
  let total: number | null = null;
  events.forEach((event, i) => {
    if (event.type !== "audit" || !("inFlight" in event.detail) || event.detail.inFlight === null) return;
    const follow = events.slice(i + 1).find((e) => e.type === "probe" && e.target === event.target);
    const aborted = follow?.type === "probe" ? follow.detail.abortedInFlight : 0;
    total = (total ?? 0) + Math.max(event.detail.inFlight, aborted);
  });
  return total;
}

/** The balancer's retry counters at the end of the load minus at its start. */
function retriedByBalancer(events: readonly RunEvent[]): RunResults["requests"]["retriedByBalancer"] {
  const counters = events.filter((e): e is Extract<RunEvent, { type: "lb-counters" }> => e.type === "lb-counters");
  const start = counters.find((e) => e.detail.phase === "start");
  const end = counters.findLast((e) => e.detail.phase === "end");
  if (!start || !end) return null;
  return {
    retries: end.detail.retries - start.detail.retries,
    redispatches: end.detail.redispatches - start.detail.redispatches,
  };
}

/** Requests and failures in the whole seconds from `fromMs` to `toMs`, and the victim's traffic share before. */
export function undetectedInterval(
  series: readonly SecondPoint[],
  victim: string,
  fromMs: number,
  toMs: number,
): NonNullable<RunResults["undetected"]> {
  let requests = 0;
  let failed = 0;
  let victimAnswered = 0;
  let answered = 0;
  for (const s of series) {
    if (s.t >= fromMs && s.t + 1000 <= toMs) {
      requests += s.requests;
      failed += s.failed;
    } else if (s.t + 1000 <= fromMs) {
      for (const [instance, n] of Object.entries(s.byInstance)) {
        answered += n;
        if (instance === victim) victimAnswered += n;
      }
    }
  }
  const victimSharePercent = answered > 0 ? Math.round((victimAnswered / answered) * 1000) / 10 : null;
  return { fromMs, toMs, requests, failed, victimSharePercent };
}

/** " (before the fault 0, during it 3, after it 0)" for a run with a fault; "" without one. */
function droppedWhen(aggregate: AggregateResult): string {
  if (aggregate.windows.faultStartMs === undefined) return "";
  const { before, during, after } = aggregate.droppedByWindow;
  return ` (before the fault ${before}, during it ${during}, after it ${after})`;
}

export function buildResults(input: {
  aggregate: AggregateResult;
  events: readonly RunEvent[];
  engineCpu: readonly number[];
  machineCpu: readonly number[];
  thresholds?: readonly Threshold[];
}): RunResults {
  const { aggregate, events } = input;
  const audits = events.filter((e): e is Extract<RunEvent, { type: "audit" }> => e.type === "audit");
  // An audit that failed (its detail has the error) predicts nothing.
  const lostExpected = audits.reduce((sum, a) => sum + ("activeSessions" in a.detail ? a.detail.activeSessions : 0), 0);
  const inFlight = inFlightAtFaults(events);
  // The windows the records were split by (faultWindows of these events, verdict/windows.ts).
  const windows = aggregate.windows;

  let detectionMs: number | null = null;
  let undetected: RunResults["undetected"] = null;
  let baselineErrorRate: number | null = null;
  let recovery: number | null = null;
  if (windows.faultStartMs !== undefined) {
    const start = windows.faultStartMs;
    // The probes (the audit among them) run just before the fault lands, after it began.
    const began = faultBeganAt(events) ?? start;
    const victim = audits.find((a) => a.t >= began)?.target;
    const down = events.find((e) => e.type === "lb-state" && e.target === victim && e.state === "DOWN" && e.t >= start);
    detectionMs = down ? down.t - start : null;
    if (down && victim) undetected = undetectedInterval(aggregate.series, victim, start, down.t);
    baselineErrorRate = windowErrorRate(aggregate.requests.byWindow.before);
    recovery = recoveryMs(aggregate.series, start, baselineErrorRate);
  }

  const engineCpuPercent = stats(input.engineCpu);
  const machineCpuPercent = stats(input.machineCpu);
  const warnings: string[] = [];
  if (aggregate.droppedIterations > 0) {
    warnings.push(
      `the load engine dropped ${aggregate.droppedIterations} iterations${droppedWhen(aggregate)}: it could not keep the planned rate, so the load was lighter than planned`,
    );
  }
  if (engineCpuPercent.mean !== null && engineCpuPercent.mean > saturation.engineCpuPercentMean) {
    warnings.push(`the load generator used ${engineCpuPercent.mean}% of a core on average: it may have been saturated`);
  }
  if (machineCpuPercent.mean !== null && machineCpuPercent.mean >= saturation.machineCpuPercentMean) {
    warnings.push(
      `the machine's CPUs were ${machineCpuPercent.mean}% busy on average (trusted below ${saturation.machineCpuPercentMean}%): latency includes CPU contention`,
    );
  }
  if (aggregate.requests.total === 0) warnings.push("the load engine recorded no requests");

  const rejoin = aggregate.windows.rejoin;
  const results: RunResults = {
    ...aggregate,
    sessions: { ...aggregate.sessions, lostExpected },
    requests: { ...aggregate.requests, inFlightAtFault: inFlight, retriedByBalancer: retriedByBalancer(events) },
    detectionMs,
    undetected,
    recoveryMs: recovery,
    rejoinMs: rejoin && aggregate.rejoinedAtMs !== null ? aggregate.rejoinedAtMs - rejoin.afterMs : null,
    thresholds: [],
    baselineErrorRate,
    loadGenerator: { engineCpuPercent, machineCpuPercent },
    trust: { trustworthy: warnings.length === 0, warnings },
  };
  results.thresholds = judgeThresholds(input.thresholds ?? [], results);
  return results;
}
