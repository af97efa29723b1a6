// The fleet bench's pure figures: /proc parsing, CPU per request, the rate at a target CPU, a step's counts from records.
import { describe, expect, it } from "vitest";
import { lineFit, rateAtMachinePercent, rateFromOwnCpu, StepTally, stepFigures } from "../../bench/fleet-figures.ts";
import { machineBusyPercent, parseMachineTicks, parseProcessTicks } from "../../bench/proc-cpu.ts";

describe("proc parsing", () => {
  it("reads utime + stime after a command name with spaces and parentheses", () => {
    const stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 40 0 123 456 789";
    expect(parseProcessTicks(stat)).toBe(1234 + 56);
  });

  it("refuses a line without the fields", () => {
    expect(() => parseProcessTicks("1 (x) S 1")).toThrow(/utime\/stime/);
  });

  it("reads the machine's aggregate line and computes the busy share", () => {
    const a = parseMachineTicks("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n");
    expect(a).toEqual({ total: 1000, idle: 850 });
    const b = parseMachineTicks("cpu  200 0 100 1400 100 0 0 0 0 0\n");
    // 800 ticks passed, 650 of them idle or iowait: 150 busy.
    expect(machineBusyPercent(a, b)).toBeCloseTo((100 * 150) / 800, 6);
  });
});

describe("stepFigures", () => {
  it("divides each part's CPU by the answered requests; fleet leaves the client out", () => {
    const fig = stepFigures({
      offeredPerSecond: 100,
      seconds: 10,
      answered: 1000,
      failed: 0,
      dropped: 0,
      cpuMs: { app: 3000, lb: 200, store: 1800, client: 700 },
      machinePercent: 40,
    });
    expect(fig.answeredPerSecond).toBe(100);
    expect(fig.cpuMsPerRequest).toEqual({ app: 3, lb: 0.2, store: 1.8, client: 0.7, fleet: 5 });
  });
});

describe("rateAtMachinePercent", () => {
  it("interpolates between the two points that bracket the target", () => {
    const points = [
      { rate: 100, percent: 30 },
      { rate: 300, percent: 70 },
      { rate: 400, percent: 95 },
    ];
    // Between 300 (70 %) and 400 (95 %): 80 % at 340.
    expect(rateAtMachinePercent(points, 80)).toBeCloseTo(340, 6);
  });

  it("extrapolates from the two highest points when all are below the target", () => {
    expect(
      rateAtMachinePercent(
        [
          { rate: 50, percent: 20 },
          { rate: 100, percent: 30 },
        ],
        80,
      ),
    ).toBeCloseTo(350, 6);
  });

  it("gives null when the CPU does not rise with the rate or there is one point", () => {
    expect(
      rateAtMachinePercent(
        [
          { rate: 50, percent: 20 },
          { rate: 100, percent: 15 },
        ],
        80,
      ),
    ).toBeNull();
    expect(rateAtMachinePercent([{ rate: 50, percent: 20 }], 80)).toBeNull();
  });
});

describe("rateFromOwnCpu", () => {
  it("extrapolates the measured processes' line and adds the rest of the machine", () => {
    // own = 100 ms/s + 2 ms per request; the rest of the machine 100 ms/s; 2 CPUs: 80 % = 1600 ms/s.
    const points = [
      { rate: 100, ownMsPerSecond: 300, machinePercent: 20 },
      { rate: 200, ownMsPerSecond: 500, machinePercent: 30 },
    ];
    expect(rateFromOwnCpu(points, 2, 80)).toBeCloseTo((1600 - 100 - 100) / 2, 6);
  });

  it("gives null without a rising line", () => {
    expect(rateFromOwnCpu([{ rate: 100, ownMsPerSecond: 300, machinePercent: 20 }], 2, 80)).toBeNull();
  });
});

describe("lineFit and StepTally", () => {
  it("fits a line through exact points", () => {
    expect(
      lineFit([
        { x: 1, y: 3 },
        { x: 2, y: 5 },
        { x: 3, y: 7 },
      ]),
    ).toEqual({ intercept: 1, slope: 2 });
  });

  it("counts a step's answered, failed and dropped from the records in its window, with store time", () => {
    const tally = new StepTally(1000, 2000);
    const req = (t: number, cls: "ok" | "lost" | "client_error" | "502" | "timeout", storeMs: number | null) =>
      tally.add({
        kind: "request",
        t,
        endpoint: "profile_get",
        instance: "app-1",
        cls,
        ms: 10,
        storeMs,
        lockMs: null,
        person: 0,
      });
    req(999, "ok", 3);
    req(1000, "ok", 3);
    req(1500, "lost", 1);
    req(1600, "client_error", null);
    req(1700, "502", null);
    req(1800, "timeout", null);
    req(2000, "ok", 3);
    tally.add({ kind: "dropped", t: 1999 });
    tally.add({ kind: "dropped", t: 2000 });
    tally.add({ kind: "session-started", t: 1500, instance: "app-1", person: 0 });
    expect([tally.answered, tally.failed, tally.dropped]).toEqual([3, 2, 1]);
    expect(tally.serverTiming).toEqual({ storeMs: 4, totalMs: 20, count: 2 });
  });
});
