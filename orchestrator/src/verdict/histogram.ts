// A mergeable log-bucketed latency histogram: constant memory, ~1% relative error on quantiles.

/** Smallest value with its own bucket (ms); anything below, zero included, falls in bucket 0. */
const MIN_MS = 0.01;
/** Largest value with its own bucket (ms): 10 minutes; anything above falls in the last bucket. */
const MAX_MS = 600_000;
/** Each bucket is 2% wider than the previous; its geometric midpoint is within 1% of any value in it. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Bucket i > 0 holds (MIN_MS·GROWTH^(i-1), MIN_MS·GROWTH^i]. */
export const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_GROWTH) + 1;

function bucketOf(value: number): number {
  if (!(value > MIN_MS)) return 0;
  const index = Math.ceil(Math.log(value / MIN_MS) / LOG_GROWTH);
  return index >= BUCKETS ? BUCKETS - 1 : index;
}

/** The value that stands for bucket i: its geometric midpoint. */
function representative(index: number): number {
  if (index === 0) return MIN_MS;
  return MIN_MS * GROWTH ** (index - 0.5);
}

/** Compact serialised form: sparse buckets as [index, count, index, count, ...]. */
export interface HistogramJSON {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: number[];
}

export class Histogram {
  #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  get count(): number {
    return this.#count;
  }

  /** Exact smallest recorded value, or NaN when empty. */
  get min(): number {
    return this.#count === 0 ? Number.NaN : this.#min;
  }

  /** Exact largest recorded value, or NaN when empty. */
  get max(): number {
    return this.#count === 0 ? Number.NaN : this.#max;
  }

  /** Exact mean, or NaN when empty. */
  get mean(): number {
    return this.#count === 0 ? Number.NaN : this.#sum / this.#count;
  }

  record(value: number, times = 1): void {
    if (!Number.isFinite(value) || times <= 0) return;
    const v = Math.max(value, 0);
    this.#counts[bucketOf(v)]! += times;
    this.#count += times;
    this.#sum += v * times;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** Adds every value of `other` to this histogram (exactly as if they had been recorded here). */
  merge(other: Histogram): this {
    if (other.#count === 0) return this;
    const counts = this.#counts;
    const theirs = other.#counts;
    for (let i = 0; i < BUCKETS; i++) counts[i]! += theirs[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    return this;
  }

  /**
   * The q-quantile (0 ≤ q ≤ 1) by nearest rank: the value with rank ceil(q·count), estimated by its
   * bucket's midpoint and clamped to the exact min and max. NaN when empty.
   */
  quantile(q: number): number {
    if (this.#count === 0) return Number.NaN;
    if (q <= 0) return this.#min;
    if (q >= 1) return this.#max;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, representative(i)));
    }
    return this.#max;
  }

  toJSON(): HistogramJSON {
    const buckets: number[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.#counts[i]!;
      if (c > 0) buckets.push(i, c);
    }
    return {
      count: this.#count,
      sum: this.#sum,
      min: this.#count === 0 ? 0 : this.#min,
      max: this.#count === 0 ? 0 : this.#max,
      buckets,
    };
  }

  static fromJSON(json: HistogramJSON): Histogram {
    const h = new Histogram();
    if (json.buckets.length % 2 !== 0) throw new Error("histogram JSON: buckets must be [index, count] pairs");
    for (let i = 0; i < json.buckets.length; i += 2) {
      const index = json.buckets[i]!;
      const count = json.buckets[i + 1]!;
      if (!Number.isInteger(index) || index < 0 || index >= BUCKETS || !(count >= 0)) {
        throw new Error(`histogram JSON: bad bucket ${index}=${count}`);
      }
      h.#counts[index]! += count;
      h.#count += count;
    }
    if (h.#count !== json.count) throw new Error(`histogram JSON: count ${json.count} != sum of buckets ${h.#count}`);
    h.#sum = json.sum;
    if (h.#count > 0) {
      h.#min = json.min;
      h.#max = json.max;
    }
    return h;
  }
}
