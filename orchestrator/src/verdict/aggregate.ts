// Folds the load engine's records (load/api.ts LoadRecord), one at a time in constant memory, into the
// run's results: sessions, requests by class, latency percentiles per fault window, start lag, a per-second series.
import type { LoadRecord } from "../../../load/api.ts";
import { FAILED_CLASSES, type FailedClass } from "../../../scenarios/lib/classify.ts";
import { parseOpRecord } from "../../../scenarios/lib/ops.ts";
import { Histogram } from "./histogram.ts";
import { LostUpdateModel } from "./lost-updates.ts";

import {
  type AggregateResult,
  type Percentiles,
  type SecondPoint,
  type StartLag,
  type StoreTime,
  WINDOW_NAMES,
  type WindowCounts,
  type WindowName,
  type Windows,
} from "./run-results.ts";

// The shapes are the run record's schema (run-results.ts); these names stay for the aggregation's callers.
// The request classes that are failed requests come from the scenario's classifier (one contract).
export {
  type AggregateResult,
  FAILED_CLASSES,
  type FailedClass,
  type Percentiles,
  type SecondPoint,
  type StartLag,
  type StoreTime,
  WINDOW_NAMES,
  type WindowCounts,
  type WindowName,
  type Windows,
};

const FAILED = new Set<string>(FAILED_CLASSES);

interface Second {
  requests: number;
  failed: number;
  lost: number;
  lostUpdates: number;
  latency: Histogram;
  byInstance: Map<string, number>;
}

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function toRecord(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function percentiles(h: Histogram, count = h.count): Percentiles {
  if (h.count === 0) return { count, p50: null, p95: null, p99: null };
  return { count, p50: round(h.quantile(0.5)), p95: round(h.quantile(0.95)), p99: round(h.quantile(0.99)) };
}

export class Aggregator {
  readonly #windows: Windows;
  #sessionsStarted = 0;
  #sessionsLost = 0;
  readonly #lostByHome = new Map<string, number>();
  #requests = 0;
  readonly #failed = new Map<string, number>();
  #lostRequests = 0;
  #clientErrors = 0;
  readonly #byInstance = new Map<string, number>();
  readonly #endpointCount = new Map<string, number>();
  readonly #endpointLatency = new Map<string, Histogram>();
  readonly #windowCounts: Record<WindowName, WindowCounts> = {
    before: { requests: 0, failed: 0, lost: 0 },
    during: { requests: 0, failed: 0, lost: 0 },
    after: { requests: 0, failed: 0, lost: 0 },
  };
  readonly #latency: Record<WindowName, Histogram> = {
    before: new Histogram(),
    during: new Histogram(),
    after: new Histogram(),
  };
  /** Σ latency of answered requests and Σ store time, per window, for the store's share. */
  readonly #latencySum: Record<WindowName, number> = { before: 0, during: 0, after: 0 };
  readonly #storeSum: Record<WindowName, number> = { before: 0, during: 0, after: 0 };
  readonly #store: Record<WindowName, Histogram> = {
    before: new Histogram(),
    during: new Histogram(),
    after: new Histogram(),
  };
  #indeterminate = 0;
  #stale = 0;
  #ops = 0;
  readonly #lockWait = new Histogram();
  readonly #lostUpdatesByWindow: Record<WindowName, number> = { before: 0, during: 0, after: 0 };
  readonly #updates = new LostUpdateModel((lost) => {
    this.#lostUpdatesByWindow[this.windowOf(lost.writtenAtMs)]++;
    this.#second(lost.writtenAtMs).lostUpdates++;
  });
  #dropped = 0;
  readonly #startLag = new Histogram();
  readonly #droppedByWindow: Record<WindowName, number> = { before: 0, during: 0, after: 0 };
  #first = Number.POSITIVE_INFINITY;
  #last = Number.NEGATIVE_INFINITY;
  #rejoinedAt = Number.POSITIVE_INFINITY;
  readonly #seconds = new Map<number, Second>();

  constructor(windows: Windows = {}) {
    this.#windows = { ...windows };
  }

  windowOf(timeMs: number): WindowName {
    const { faultStartMs, faultEndMs } = this.#windows;
    if (faultStartMs === undefined || timeMs < faultStartMs) return "before";
    if (faultEndMs === undefined || timeMs < faultEndMs) return "during";
    return "after";
  }

  #second(timeMs: number): Second {
    const t = Math.floor(timeMs / 1000) * 1000;
    let second = this.#seconds.get(t);
    if (!second) {
      second = { requests: 0, failed: 0, lost: 0, lostUpdates: 0, latency: new Histogram(), byInstance: new Map() };
      this.#seconds.set(t, second);
    }
    return second;
  }

  /** Folds one record in. Iteration records feed the start lag only, not the run's time bounds. */
  add(record: LoadRecord): void {
    switch (record.kind) {
      case "request":
        this.#request(record);
        break;
      case "session-started":
        this.#sessionsStarted++;
        break;
      case "session-lost":
        this.#sessionsLost++;
        increment(this.#lostByHome, record.home || "none");
        this.#second(record.t).lost++;
        break;
      case "stale-read":
        this.#stale++;
        break;
      case "indeterminate-write":
        this.#indeterminate++;
        break;
      case "op": {
        const op = parseOpRecord(record.op);
        if (!op) return;
        this.#ops++;
        this.#updates.add(op);
        break;
      }
      case "dropped":
        this.#dropped++;
        this.#droppedByWindow[this.windowOf(record.t)]++;
        break;
      case "iteration":
        this.#startLag.record(Math.max(0, record.started - record.scheduled));
        return;
      default:
        return;
    }
    if (record.t < this.#first) this.#first = record.t;
    if (record.t > this.#last) this.#last = record.t;
  }

  #request(record: Extract<LoadRecord, { kind: "request" }>): void {
    const cls: string = record.cls ?? "other";
    const instance = record.instance || "none";
    const endpoint = record.endpoint || "unknown";
    const window = this.windowOf(record.t);
    const second = this.#second(record.t);
    const counts = this.#windowCounts[window];

    this.#requests++;
    counts.requests++;
    second.requests++;
    increment(this.#byInstance, instance);
    increment(second.byInstance, instance);
    increment(this.#endpointCount, endpoint);

    if (cls === "ok" || cls === "lost") {
      const rejoin = this.#windows.rejoin;
      if (rejoin && instance === rejoin.instance && record.t >= rejoin.afterMs && record.t < this.#rejoinedAt) {
        this.#rejoinedAt = record.t;
      }
      this.#latency[window].record(record.ms);
      this.#latencySum[window] += record.ms;
      second.latency.record(record.ms);
      let h = this.#endpointLatency.get(endpoint);
      if (!h) {
        h = new Histogram();
        this.#endpointLatency.set(endpoint, h);
      }
      h.record(record.ms);
      // Store and lock time only for answered requests, the same ones the latency percentiles cover.
      if (record.storeMs !== null && record.storeMs !== undefined) {
        this.#store[window].record(record.storeMs);
        this.#storeSum[window] += record.storeMs;
      }
      if (record.lockMs !== null && record.lockMs !== undefined) this.#lockWait.record(record.lockMs);
      if (cls === "lost") {
        this.#lostRequests++;
        counts.lost++;
      }
    } else if (cls === "client_error") {
      this.#clientErrors++;
    } else {
      // Unknown classes count as `other` failures rather than vanish.
      increment(this.#failed, FAILED.has(cls) ? cls : "other");
      counts.failed++;
      second.failed++;
    }
  }

  result(): AggregateResult {
    const failed = Object.fromEntries(FAILED_CLASSES.map((c) => [c, this.#failed.get(c) ?? 0])) as Record<
      FailedClass,
      number
    >;
    const failedTotal = FAILED_CLASSES.reduce((sum, c) => sum + failed[c], 0);
    const overall = new Histogram();
    for (const name of WINDOW_NAMES) overall.merge(this.#latency[name]);
    const byEndpoint: Record<string, Percentiles> = {};
    for (const [endpoint, count] of [...this.#endpointCount.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      byEndpoint[endpoint] = percentiles(this.#endpointLatency.get(endpoint) ?? new Histogram(), count);
    }
    const hasSamples = this.#first !== Number.POSITIVE_INFINITY;
    return {
      windows: { ...this.#windows, ...(this.#windows.rejoin ? { rejoin: { ...this.#windows.rejoin } } : {}) },
      sessions: { started: this.#sessionsStarted, lost: this.#sessionsLost, lostByHome: toRecord(this.#lostByHome) },
      requests: {
        total: this.#requests,
        failed: { total: failedTotal, ...failed },
        lost: this.#lostRequests,
        clientErrors: this.#clientErrors,
        byInstance: toRecord(this.#byInstance),
        byEndpoint,
        byWindow: {
          before: { ...this.#windowCounts.before },
          during: { ...this.#windowCounts.during },
          after: { ...this.#windowCounts.after },
        },
      },
      writes: { indeterminate: this.#indeterminate },
      reads: { stale: this.#stale },
      updates: this.#ops === 0 ? null : { ...this.#updates.result(), lostByWindow: { ...this.#lostUpdatesByWindow } },
      lockWait: this.#lockWait.count === 0 ? null : percentiles(this.#lockWait),
      latency: {
        overall: percentiles(overall),
        before: percentiles(this.#latency.before),
        during: percentiles(this.#latency.during),
        after: percentiles(this.#latency.after),
      },
      startLag: this.#startLag.count === 0 ? null : { ...percentiles(this.#startLag), max: round(this.#startLag.max) },
      storeTime: this.#storeTime(),
      droppedIterations: this.#dropped,
      droppedByWindow: { ...this.#droppedByWindow },
      rejoinedAtMs: this.#rejoinedAt === Number.POSITIVE_INFINITY ? null : this.#rejoinedAt,
      firstSampleMs: hasSamples ? this.#first : null,
      lastSampleMs: hasSamples ? this.#last : null,
      series: this.#series(),
    };
  }

  #storeTime(): AggregateResult["storeTime"] {
    const overall = new Histogram();
    for (const name of WINDOW_NAMES) overall.merge(this.#store[name]);
    if (overall.count === 0) return null;
    const sum = (sums: Record<WindowName, number>) => WINDOW_NAMES.reduce((total, w) => total + sums[w], 0);
    const split = (h: Histogram, store: number, latency: number): StoreTime => ({
      ...percentiles(h),
      share: h.count === 0 || latency <= 0 ? null : round(Math.min(1, store / latency)),
    });
    return {
      overall: split(overall, sum(this.#storeSum), sum(this.#latencySum)),
      before: split(this.#store.before, this.#storeSum.before, this.#latencySum.before),
      during: split(this.#store.during, this.#storeSum.during, this.#latencySum.during),
      after: split(this.#store.after, this.#storeSum.after, this.#latencySum.after),
    };
  }

  /** One point per second from the first to the last record, gaps filled with zeros. */
  #series(): SecondPoint[] {
    if (this.#seconds.size === 0) return [];
    const keys = [...this.#seconds.keys()];
    const from = Math.min(...keys);
    const to = Math.max(...keys);
    const series: SecondPoint[] = [];
    // Only a scenario that records operations has lost updates to count.
    const updates = (lostUpdates: number) => (this.#ops > 0 ? { lostUpdates } : {});
    for (let t = from; t <= to; t += 1000) {
      const s = this.#seconds.get(t);
      series.push(
        s
          ? {
              t,
              requests: s.requests,
              failed: s.failed,
              lost: s.lost,
              ...updates(s.lostUpdates),
              p95: percentiles(s.latency).p95,
              byInstance: toRecord(s.byInstance),
            }
          : { t, requests: 0, failed: 0, lost: 0, ...updates(0), p95: null, byInstance: {} },
      );
    }
    return series;
  }
}

/** Error rate (failed + lost) / requests of a window's counts, e.g. `result.requests.byWindow.before`; 0 when empty. */
export function windowErrorRate(counts: WindowCounts): number {
  return counts.requests === 0 ? 0 : (counts.failed + counts.lost) / counts.requests;
}

/** Error rate (failed + lost) / requests over the seconds starting in [fromMs, toMs); 0 when no request. */
export function errorRate(series: readonly SecondPoint[], fromMs: number, toMs: number): number {
  let requests = 0;
  let bad = 0;
  for (const s of series) {
    if (s.t < fromMs || s.t >= toMs) continue;
    requests += s.requests;
    bad += s.failed + s.lost;
  }
  return requests === 0 ? 0 : bad / requests;
}

/**
 * Recovery time: milliseconds from the fault to the end of the last second (at or after the fault)
 * whose error rate (failed + lost) / requests exceeds max(2 × baseline, baseline + 0.01), where
 * `baselineErrorRate` is the error rate of the before window: `windowErrorRate(result.requests.byWindow.before)`
 * (by record time, so the partial second holding the fault does not count in it). 0 when no such
 * second exists; null when there was no fault. Seconds without any request do not count as
 * exceeding: a request is recorded when it ends, so an outage still shows up as the timeouts,
 * refusals and lost sessions it produces.
 */
export function recoveryMs(
  series: readonly SecondPoint[],
  faultAtMs: number | null | undefined,
  baselineErrorRate: number,
): number | null {
  if (faultAtMs === null || faultAtMs === undefined) return null;
  const limit = Math.max(2 * baselineErrorRate, baselineErrorRate + 0.01);
  let lastBadEnd: number | null = null;
  for (const s of series) {
    const end = s.t + 1000;
    if (end <= faultAtMs || s.requests === 0) continue;
    if ((s.failed + s.lost) / s.requests > limit) lastBadEnd = end;
  }
  return lastBadEnd === null ? 0 : Math.max(0, lastBadEnd - faultAtMs);
}
