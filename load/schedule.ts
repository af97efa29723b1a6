// The open model's pure core: when each iteration is due, which share of people and arrivals a worker owns, the
// free-list of people, and the arrival loop that starts or drops what is due. No I/O: time and timers are injected.

/** The number of iterations i ≥ 0 due before the end: i * 1000 / rate < durationMs (k6's constant-arrival-rate). */
export function iterationCount(rate: number, durationMs: number): number {
  let n = Math.max(0, Math.ceil((durationMs * rate) / 1000));
  while (n > 0 && ((n - 1) * 1000) / rate >= durationMs) n--;
  while ((n * 1000) / rate < durationMs) n++;
  return n;
}

/** When iteration i is due, in ms after t0: computed from t0 every time, so that the schedule never drifts. */
export function dueOffset(i: number, rate: number): number {
  return (i * 1000) / rate;
}

/** Worker w of n owns the contiguous people [first, end) and the arrivals i with i % n == w. */
export function workerShare(sessions: number, workers: number, w: number): { first: number; end: number } {
  return { first: Math.floor((w * sessions) / workers), end: Math.floor(((w + 1) * sessions) / workers) };
}

/**
 * The people not running an iteration, first in first out (k6 hands iterations to its idle VUs in turn): every
 * person of the pool gets iterations, so sessions spread over the fleet as they did with k6.
 */
export class FreeList {
  private readonly ring: Int32Array;
  private head = 0;
  private size = 0;

  constructor(people: Iterable<number>) {
    const all = [...people];
    this.ring = new Int32Array(Math.max(1, all.length));
    for (const p of all) this.give(p);
  }

  get free(): number {
    return this.size;
  }

  /** The person free the longest, or -1 when everyone is busy. */
  take(): number {
    if (this.size === 0) return -1;
    const p = this.ring[this.head] as number;
    this.head = (this.head + 1) % this.ring.length;
    this.size--;
    return p;
  }

  give(person: number): void {
    if (this.size === this.ring.length) throw new Error(`FreeList: person ${person} given back twice`);
    this.ring[(this.head + this.size) % this.ring.length] = person;
    this.size++;
  }
}

export interface ArrivalDeps {
  /** Epoch ms, with fractions. */
  now(): number;
  /** Calls `fn` after about `delayMs` (a timer). */
  later(fn: () => void, delayMs: number): void;
  /** Iteration i runs on `person`; due at `scheduled`, started now (`started`). */
  start(i: number, person: number, scheduled: number, started: number): void;
  /** Iteration i was due at `scheduled` with nobody free. */
  drop(i: number, scheduled: number): void;
  /** Every arrival of this share is past (started or dropped), or the loop was stopped. */
  finished(): void;
}

/**
 * Starts the arrivals first, first + step, ... due before t0 + durationMs (arrival i at t0 + i / rate) on free
 * people, or drops them. Each tick handles everything due by now and sets one timer for the next due time.
 */
export class ArrivalLoop {
  private next: number;
  private stopped = false;
  private ended = false;
  /** End of the schedule (epoch ms): no arrival is due at or after it. */
  private readonly endsAt: number;
  /** Arrivals of the current segment (indices from 0; this share takes first, first + step, ...). */
  private count: number;

  constructor(
    private t0: number,
    private rate: number,
    durationMs: number,
    private readonly first: number,
    private readonly step: number,
    private readonly people: FreeList,
    private readonly deps: ArrivalDeps,
  ) {
    this.next = first;
    this.endsAt = t0 + durationMs;
    this.count = iterationCount(rate, durationMs);
  }

  /**
   * From `at` (epoch ms, now or a little later) on, arrivals come at `rate`: a new segment whose due times are
   * computed from `at`, ending where the schedule ended before. Arrivals of the old rate due before `at` still come.
   * False when the schedule is over.
   */
  setRate(rate: number, at: number): boolean {
    if (this.ended) return false;
    this.change = { rate, at };
    this.tick();
    return true;
  }

  private change: { rate: number; at: number } | null = null;

  private arrive(scheduled: number): void {
    const person = this.people.take();
    if (person < 0) this.deps.drop(this.next, scheduled);
    else this.deps.start(this.next, person, scheduled, this.deps.now());
    this.next += this.step;
  }

  /** The next due time of the current segment, or +Infinity when it has none left. */
  private nextDue(): number {
    return this.next < this.count ? this.t0 + dueOffset(this.next, this.rate) : Number.POSITIVE_INFINITY;
  }

  tick = (): void => {
    if (this.stopped) return;
    const now = this.deps.now();
    for (;;) {
      const change = this.change;
      for (let due = this.nextDue(); due <= now && (!change || due < change.at); due = this.nextDue()) {
        this.arrive(due);
      }
      if (!change || now < change.at) break;
      this.change = null;
      this.t0 = change.at;
      this.rate = change.rate;
      this.next = this.first;
      this.count = this.endsAt > change.at ? iterationCount(change.rate, this.endsAt - change.at) : 0;
    }
    const next = Math.min(this.nextDue(), this.change ? this.change.at : Number.POSITIVE_INFINITY);
    if (next === Number.POSITIVE_INFINITY) {
      this.end();
      return;
    }
    this.deps.later(this.tick, next - now);
  };

  /** No more arrivals (the pending timer does nothing). */
  stop(): void {
    this.stopped = true;
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.deps.finished();
  }
}
