// The open model's pure core: due times, shares, the FIFO free-list, and the arrival loop on a fake clock.
import { describe, expect, it } from "vitest";
import { ArrivalLoop, dueOffset, FreeList, iterationCount, workerShare } from "../schedule.ts";

describe("iterationCount and dueOffset", () => {
  it("counts the arrivals due before the end, as k6's constant-arrival-rate", () => {
    expect(iterationCount(10, 1000)).toBe(10);
    expect(iterationCount(10, 1001)).toBe(11);
    expect(iterationCount(3, 1000)).toBe(3);
    expect(iterationCount(0.5, 1000)).toBe(1);
    expect(iterationCount(1000, 60_000)).toBe(60_000);
    expect(iterationCount(7, 100_000)).toBe(700);
  });

  it("computes every due time from t0: no drift after a million arrivals", () => {
    expect(dueOffset(1_000_000, 1000)).toBe(1_000_000);
    expect(dueOffset(3, 3)).toBe(1000);
  });
});

describe("workerShare", () => {
  it("splits the people into contiguous shares that cover the pool once", () => {
    const shares = [0, 1, 2].map((w) => workerShare(10, 3, w));
    expect(shares).toEqual([
      { first: 0, end: 3 },
      { first: 3, end: 6 },
      { first: 6, end: 10 },
    ]);
  });
});

describe("FreeList", () => {
  it("hands out the person free the longest first, and -1 when nobody is free", () => {
    const free = new FreeList([0, 1, 2]);
    expect([free.take(), free.take()]).toEqual([0, 1]);
    free.give(0);
    expect([free.take(), free.take(), free.take()]).toEqual([2, 0, -1]);
    expect(free.free).toBe(0);
  });

  it("refuses a person given back twice", () => {
    const free = new FreeList([0]);
    expect(() => free.give(0)).toThrow(/twice/);
  });
});

/** An arrival loop on a fake clock; `advance` fires the pending timer when it is due. */
function harness(options: { rate: number; durationMs: number; people: number; first?: number; step?: number }) {
  let now = 1000;
  let timer: { at: number; fn: () => void } | null = null;
  const started: Array<{ i: number; person: number; scheduled: number; started: number }> = [];
  const dropped: Array<{ i: number; scheduled: number }> = [];
  let finished = 0;
  const free = new FreeList(Array.from({ length: options.people }, (_, p) => p));
  const loop = new ArrivalLoop(1000, options.rate, options.durationMs, options.first ?? 0, options.step ?? 1, free, {
    now: () => now,
    later: (fn, delayMs) => {
      timer = { at: now + delayMs, fn };
    },
    start: (i, person, scheduled, startedAt) => started.push({ i, person, scheduled, started: startedAt }),
    drop: (i, scheduled) => dropped.push({ i, scheduled }),
    finished: () => finished++,
  });
  const advance = (to: number) => {
    now = to;
    while (timer && timer.at <= now) {
      const due: { fn: () => void } = timer;
      timer = null;
      due.fn();
    }
  };
  return { loop, free, started, dropped, advance, finished: () => finished, timerAt: () => timer?.at };
}

describe("ArrivalLoop", () => {
  it("starts each arrival at its due time on a free person and sets one timer for the next", () => {
    const h = harness({ rate: 10, durationMs: 1000, people: 20 });
    h.loop.tick();
    expect(h.started).toEqual([{ i: 0, person: 0, scheduled: 1000, started: 1000 }]);
    expect(h.timerAt()).toBe(1100);
    h.advance(1100);
    h.advance(1950);
    expect(h.started.map((s) => s.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(h.started.map((s) => s.scheduled)).toEqual([1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900]);
    expect(h.finished()).toBe(1);
  });

  it("a late tick starts everything due by now with its scheduled time (start lag visible)", () => {
    const h = harness({ rate: 100, durationMs: 1000, people: 20 });
    h.advance(1035);
    h.loop.tick();
    expect(h.started.length).toBe(4);
    expect(h.started[0]).toEqual({ i: 0, person: 0, scheduled: 1000, started: 1035 });
    expect(h.started[3]?.scheduled).toBe(1030);
  });

  it("drops an arrival due when nobody is free, at its scheduled time, and goes on", () => {
    const h = harness({ rate: 10, durationMs: 500, people: 2 });
    h.loop.tick();
    h.advance(1100);
    h.advance(1200);
    expect(h.dropped).toEqual([{ i: 2, scheduled: 1200 }]);
    h.free.give(0);
    h.advance(1300);
    expect(h.started.at(-1)).toEqual({ i: 3, person: 0, scheduled: 1300, started: 1300 });
    h.advance(1400);
    expect(h.dropped.map((d) => d.i)).toEqual([2, 4]);
    expect(h.finished()).toBe(1);
  });

  it("takes only its own arrivals (i % step == first)", () => {
    const h = harness({ rate: 10, durationMs: 1000, people: 10, first: 1, step: 3 });
    h.loop.tick();
    h.advance(2000);
    expect(h.started.map((s) => s.i)).toEqual([1, 4, 7]);
    expect(h.started.map((s) => s.scheduled)).toEqual([1100, 1400, 1700]);
  });

  it("stop() ends the schedule: the pending timer starts nothing more", () => {
    const h = harness({ rate: 10, durationMs: 1000, people: 10 });
    h.loop.tick();
    h.loop.stop();
    h.advance(2000);
    expect(h.started.length).toBe(1);
    expect(h.finished()).toBe(1);
  });

  it("setRate starts a new segment at its time, keeps the end, and the old arrivals before it", () => {
    const h = harness({ rate: 10, durationMs: 1000, people: 100 });
    h.loop.tick();
    h.advance(1250);
    expect(h.loop.setRate(100, 1300)).toBe(true);
    h.advance(1300);
    h.advance(1349);
    // Old rate up to 1200 (1300 is the change), then 100/s from 1300.
    expect(h.started.map((s) => s.scheduled)).toEqual([1000, 1100, 1200, 1300, 1310, 1320, 1330, 1340]);
    h.advance(3000);
    expect(h.started.length).toBe(3 + 70);
    expect(h.started.at(-1)?.scheduled).toBe(1990);
    expect(h.loop.setRate(5, 3000)).toBe(false);
  });
});
