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
 * Starts the arrivals first, first + step, ... (< count) at t0 + i / rate on free people, or drops them. Each tick
 * handles everything due by now and sets one timer for the next due time.
 */
export class ArrivalLoop {
  private next: number;
  private stopped = false;
  private ended = false;

  constructor(
    private readonly t0: number,
    private readonly rate: number,
    private readonly count: number,
    first: number,
    private readonly step: number,
    private readonly people: FreeList,
    private readonly deps: ArrivalDeps,
  ) {
    this.next = first;
  }

  /** The next arrival index (≥ count when all are past). */
  get nextIndex(): number {
    return this.next;
  }

  tick = (): void => {
    if (this.stopped) return;
    const now = this.deps.now();
    while (this.next < this.count) {
      const scheduled = this.t0 + dueOffset(this.next, this.rate);
      if (scheduled > now) break;
      const person = this.people.take();
      if (person < 0) this.deps.drop(this.next, scheduled);
      else this.deps.start(this.next, person, scheduled, this.deps.now());
      this.next += this.step;
    }
    if (this.next >= this.count) {
      this.end();
      return;
    }
    this.deps.later(this.tick, this.t0 + dueOffset(this.next, this.rate) - now);
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
