// Per-second figures of a run (iterations, drops, requests, failures, latency p50/p95), collected as records are
// written and handed out once each second is over; mergeable across worker threads. Pure: time is passed in.
import { FAILED_CLASSES, type RequestClass } from "../scenarios/lib/classify.ts";
import type { SecondFigures } from "./api.ts";

const FAILED: ReadonlySet<string> = new Set(FAILED_CLASSES);

/** The raw counts of one second (what a worker sends; latencies of the answered requests unsorted). */
export interface SecondBucket {
  s: number;
  iterations: number;
  dropped: number;
  requests: number;
  failed: number;
  ms: number[];
}

function emptyBucket(s: number): SecondBucket {
  return { s, iterations: 0, dropped: 0, requests: 0, failed: 0, ms: [] };
}

/** The q-quantile (0..1) of sorted values, nearest rank; null when empty. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function figuresOf(bucket: SecondBucket, t0: number): SecondFigures {
  const sorted = Float64Array.from(bucket.ms).sort();
  const values = Array.from(sorted);
  return {
    t: t0 + bucket.s * 1000,
    iterations: bucket.iterations,
    dropped: bucket.dropped,
    requests: bucket.requests,
    failed: bucket.failed,
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
  };
}

/** Collects one share's (or, merged, the whole run's) seconds. */
export class SecondStats {
  private readonly buckets = new Map<number, SecondBucket>();
  /** Every second before this one has been handed out. */
  private nextOut = 0;

  constructor(readonly t0: number) {}

  private bucket(t: number): SecondBucket {
    const s = Math.max(this.nextOut, Math.floor((t - this.t0) / 1000));
    let b = this.buckets.get(s);
    if (!b) {
      b = emptyBucket(s);
      this.buckets.set(s, b);
    }
    return b;
  }

  iteration(scheduled: number): void {
    this.bucket(scheduled).iterations++;
  }

  dropped(scheduled: number): void {
    this.bucket(scheduled).dropped++;
  }

  request(t: number, ms: number, cls: RequestClass): void {
    const b = this.bucket(t);
    b.requests++;
    if (FAILED.has(cls)) b.failed++;
    else if (cls === "ok" || cls === "lost" || cls === "client_error") b.ms.push(ms);
  }

  /** Adds a bucket counted elsewhere (a worker's). */
  add(other: SecondBucket): void {
    const s = Math.max(this.nextOut, other.s);
    const b = this.buckets.get(s) ?? emptyBucket(s);
    this.buckets.set(s, b);
    b.iterations += other.iterations;
    b.dropped += other.dropped;
    b.requests += other.requests;
    b.failed += other.failed;
    for (const ms of other.ms) b.ms.push(ms);
  }

  /** The buckets of every second that ended at or before `until` (epoch ms), in order, empty ones included. */
  takeBuckets(until: number): SecondBucket[] {
    if (!Number.isFinite(until)) throw new RangeError(`SecondStats: until must be a time, got ${until}`);
    const out: SecondBucket[] = [];
    while (this.t0 + (this.nextOut + 1) * 1000 <= until) {
      out.push(this.buckets.get(this.nextOut) ?? emptyBucket(this.nextOut));
      this.buckets.delete(this.nextOut);
      this.nextOut++;
    }
    return out;
  }

  /** As takeBuckets, as figures. */
  take(until: number): SecondFigures[] {
    return this.takeBuckets(until).map((b) => figuresOf(b, this.t0));
  }

  /** The last, partial second (at the end of a run), if anything was counted in it. */
  takeRest(): SecondBucket[] {
    const out = [...this.buckets.values()].sort((a, b) => a.s - b.s);
    this.buckets.clear();
    return out;
  }
}
