// Folds k6 samples of the login-profile scenario, one at a time in constant memory, into the run's
// results: sessions, requests by class, latency percentiles per fault window, a per-second series.
import { FAILED_CLASSES, type FailedClass } from "../../../scenarios/lib/classify.ts";
import { K6_DROPPED_ITERATIONS, METRIC } from "../../../scenarios/lib/metrics.ts";
import { OP_METADATA_KEY, parseOpRecord } from "../../../scenarios/lib/ops.ts";
import { Histogram } from "./histogram.ts";
import { LostUpdateModel, type LostUpdateResult } from "./lost-updates.ts";

/** Fault window boundaries in epoch ms. before: t < faultStart; during: faultStart ≤ t < faultEnd; after: t ≥ faultEnd. */
export interface Windows {
  faultStartMs?: number;
  faultEndMs?: number;
  /** Watch for the first request an instance answers at or after a time (a restarted instance rejoining). */
  rejoin?: { instance: string; afterMs: number };
}

export type WindowName = "before" | "during" | "after";
export const WINDOW_NAMES: readonly WindowName[] = ["before", "during", "after"];

/** One k6 output sample, as read-samples.ts parses it from a `"type":"Point"` line. */
export interface Sample {
  metric: string;
  timeMs: number;
  value: number;
  tags: Record<string, string | undefined>;
  /** k6's per-sample metadata (fh_op carries its operation there). */
  metadata?: Record<string, string | undefined>;
}

// The `class` tag values of fh_req that are failed requests come from the scenario itself (one contract).
export { FAILED_CLASSES, type FailedClass };

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** The app's time in the session store of answered requests, next to their latency. */
export interface StoreTime extends Percentiles {
  /** Σ store ms / Σ latency ms of the answered requests (0-1): the share of their time spent in the store. */
  share: number | null;
}

export interface SecondPoint {
  /** Epoch ms of the start of the second. */
  t: number;
  requests: number;
  failed: number;
  /** Sessions lost (fh_sessions_lost) in this second. */
  lost: number;
  /** Lost updates whose write was answered in this second; absent when the scenario records no operations. */
  lostUpdates?: number;
  /** p95 of answered requests in this second (ms), null when none was answered. */
  p95: number | null;
  byInstance: Record<string, number>;
}

export interface WindowCounts {
  requests: number;
  failed: number;
  lost: number;
}

export interface AggregateResult {
  windows: Windows;
  sessions: { started: number; lost: number; lostByHome: Record<string, number> };
  requests: {
    total: number;
    failed: { total: number } & Record<FailedClass, number>;
    /** Answers that carried a session and showed it lost (401 or another user); also in sessions.lost. */
    lost: number;
    /** 4xx other than a lost session: a harness or app bug, never expected. */
    clientErrors: number;
    byInstance: Record<string, number>;
    /** count = every request to the endpoint; percentiles over its answered requests. */
    byEndpoint: Record<string, Percentiles>;
    byWindow: Record<WindowName, WindowCounts>;
  };
  writes: { indeterminate: number };
  reads: { stale: number };
  /**
   * The lost-update model over the operations fh_op recorded (concurrent-tabs), overall and by the window of the
   * write's answer; null when the scenario records none (login-profile).
   */
  updates: (LostUpdateResult & { lostByWindow: Record<WindowName, number> }) | null;
  /** Time answered requests waited for their session's lock (fh_lock: Server-Timing `lock;dur=`); null without a locking store. */
  lockWait: Percentiles | null;
  /** Latency in ms of answered requests (class ok or lost); failed requests have no meaningful latency. */
  latency: Record<"overall" | WindowName, Percentiles>;
  /**
   * Store time (fh_store: the app's Server-Timing `store;dur=`) of answered requests, per window
   * as `latency`; null when no sample carried one (an app that does not send the header).
   */
  storeTime: Record<"overall" | WindowName, StoreTime> | null;
  droppedIterations: number;
  /**
   * The same by the window of k6's dropped_iterations sample: drops only during the fault point to
   * people waiting on the failed server; drops before it, to a load the fleet or k6 did not carry.
   */
  droppedByWindow: Record<WindowName, number>;
  /** Time of the first answered request from `windows.rejoin.instance` at or after `afterMs`; null if none. */
  rejoinedAtMs: number | null;
  firstSampleMs: number | null;
  lastSampleMs: number | null;
  series: SecondPoint[];
}

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

  /** Folds one sample in. Metrics other than the scenario's and dropped_iterations are ignored. */
  add(sample: Sample): void {
    switch (sample.metric) {
      case METRIC.req:
        this.#request(sample);
        break;
      case METRIC.store: {
        const window = this.windowOf(sample.timeMs);
        this.#store[window].record(sample.value);
        this.#storeSum[window] += sample.value;
        break;
      }
      case METRIC.sessionsStarted:
        this.#sessionsStarted += sample.value;
        break;
      case METRIC.sessionsLost:
        this.#sessionsLost += sample.value;
        increment(this.#lostByHome, sample.tags.home ?? "none", sample.value);
        this.#second(sample.timeMs).lost += sample.value;
        break;
      case METRIC.readsStale:
        this.#stale += sample.value;
        break;
      case METRIC.writesIndeterminate:
        this.#indeterminate += sample.value;
        break;
      case METRIC.lock:
        this.#lockWait.record(sample.value);
        break;
      case METRIC.op: {
        const op = parseOpRecord(sample.metadata?.[OP_METADATA_KEY]);
        if (!op) return;
        this.#ops++;
        this.#updates.add(op);
        break;
      }
      case K6_DROPPED_ITERATIONS:
        this.#dropped += sample.value;
        this.#droppedByWindow[this.windowOf(sample.timeMs)] += sample.value;
        break;
      default:
        return;
    }
    if (sample.timeMs < this.#first) this.#first = sample.timeMs;
    if (sample.timeMs > this.#last) this.#last = sample.timeMs;
  }

  #request(sample: Sample): void {
    const cls = sample.tags.class ?? "other";
    const instance = sample.tags.instance ?? "none";
    const endpoint = sample.tags.endpoint ?? "unknown";
    const window = this.windowOf(sample.timeMs);
    const second = this.#second(sample.timeMs);
    const counts = this.#windowCounts[window];

    this.#requests++;
    counts.requests++;
    second.requests++;
    increment(this.#byInstance, instance);
    increment(second.byInstance, instance);
    increment(this.#endpointCount, endpoint);

    if (cls === "ok" || cls === "lost") {
      const rejoin = this.#windows.rejoin;
      if (
        rejoin &&
        instance === rejoin.instance &&
        sample.timeMs >= rejoin.afterMs &&
        sample.timeMs < this.#rejoinedAt
      ) {
        this.#rejoinedAt = sample.timeMs;
      }
      this.#latency[window].record(sample.value);
      this.#latencySum[window] += sample.value;
      second.latency.record(sample.value);
      let h = this.#endpointLatency.get(endpoint);
      if (!h) {
        h = new Histogram();
        this.#endpointLatency.set(endpoint, h);
      }
      h.record(sample.value);
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

  /** One point per second from the first to the last sample, gaps filled with zeros. */
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
 * (by sample time, so the partial second holding the fault does not count in it). 0 when no such
 * second exists; null when there was no fault. Seconds without any request do not count as
 * exceeding: a sample lands when its request ends, so an outage still shows up as the timeouts,
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
