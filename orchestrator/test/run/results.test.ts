import { describe, expect, it } from "vitest";
import { Aggregator } from "../../src/core/aggregate.ts";
import type { RunEvent } from "../../src/run/events.ts";
import { buildResults, faultWindows } from "../../src/run/results.ts";

const T = 1_800_000_000_000; // a whole second, so that per-second buckets line up with the fault
const crashRestart: RunEvent[] = [
  { t: T - 10_000, type: "k6-start" },
  { t: T + 1, type: "lb-state", target: "app-2", state: "UP" },
  { t: T + 9_990, type: "audit", target: "app-2", detail: { inFlight: 1, activeSessions: 7, shared: false } },
  { t: T + 10_000, type: "fault", action: "crash", target: "app-2", phase: "start" },
  { t: T + 10_020, type: "fault", action: "crash", target: "app-2", phase: "end" },
  { t: T + 11_000, type: "probe", target: "app-2", detail: { abortedInFlight: 3 } },
  { t: T + 11_600, type: "lb-state", target: "app-2", state: "DOWN" },
  { t: T + 20_000, type: "fault", action: "restart", target: "app-2", phase: "start" },
  { t: T + 20_700, type: "fault", action: "restart", target: "app-2", phase: "end" },
  { t: T + 22_100, type: "lb-state", target: "app-2", state: "UP" },
  { t: T + 30_000, type: "k6-end" },
];

describe("faultWindows", () => {
  it("runs from the crash until the balancer sees the restarted instance UP", () => {
    expect(faultWindows(crashRestart)).toEqual({ faultStartMs: T + 10_000, faultEndMs: T + 22_100 });
  });

  it("is empty without a fault, and open-ended without a restart", () => {
    expect(faultWindows(crashRestart.filter((e) => e.type.startsWith("k6")))).toEqual({});
    expect(faultWindows(crashRestart.filter((e) => !(e.type === "fault" && e.action === "restart")))).toEqual({
      faultStartMs: T + 10_000,
    });
  });
});

describe("buildResults", () => {
  function aggregate() {
    const agg = new Aggregator(faultWindows(crashRestart));
    const req = (t: number, cls: string) =>
      agg.add({
        metric: "fh_req",
        timeMs: T + t,
        value: 10,
        tags: { class: cls, instance: "app-1", endpoint: "profile_get" },
      });
    for (let s = 0; s < 10; s++) for (let i = 0; i < 10; i++) req(s * 1000 - 10_000 + i * 10, "ok");
    // The fault's seconds: 10 requests a second; 5 lost in the first, 2 failed in the second.
    for (let i = 0; i < 10; i++) req(10_000 + i * 10, i < 5 ? "lost" : "ok");
    for (let i = 0; i < 10; i++) req(11_000 + i * 10, i < 2 ? "reset" : "ok");
    for (let i = 0; i < 10; i++) req(12_000 + i * 10, "ok");
    agg.add({ metric: "fh_sessions_lost", timeMs: T + 10_005, value: 5, tags: { home: "app-2", instance: "app-1" } });
    return agg.result();
  }

  it("adds the audit's expectation, in-flight count, detection and recovery", () => {
    const results = buildResults({
      aggregate: aggregate(),
      events: crashRestart,
      k6Cpu: [10, 20],
      machineCpu: [50, 70],
    });
    expect(results.sessions).toMatchObject({ lost: 5, lostExpected: 7 });
    // max(in flight before the kill = 1, aborted after it = 3)
    expect(results.requests.inFlightAtFault).toBe(3);
    expect(results.requests.failed.total).toBe(2);
    expect(results.detectionMs).toBe(1600);
    expect(results.baselineErrorRate).toBe(0);
    // the last second over the baseline is [T+11s, T+12s): 2000 ms after the fault
    expect(results.recoveryMs).toBe(2000);
    expect(results.loadGenerator).toEqual({
      k6CpuPercent: { mean: 15, max: 20 },
      machineCpuPercent: { mean: 60, max: 70 },
    });
    expect(results.trust).toEqual({ trustworthy: true, warnings: [] });
  });

  it("says the run is not trustworthy when k6 dropped iterations or the machine was saturated", () => {
    const agg = aggregate();
    const results = buildResults({
      aggregate: { ...agg, droppedIterations: 12 },
      events: crashRestart,
      k6Cpu: [99, 98],
      machineCpu: [99, 100],
    });
    expect(results.trust.trustworthy).toBe(false);
    expect(results.trust.warnings.join("\n")).toMatch(/dropped 12 iterations/);
    expect(results.trust.warnings.join("\n")).toMatch(/98.5% of a core/);
    expect(results.trust.warnings.join("\n")).toMatch(/99.5% busy/);
  });

  it("has no detection or recovery without a fault", () => {
    const events: RunEvent[] = [{ t: T, type: "k6-start" }];
    const results = buildResults({ aggregate: aggregate(), events, k6Cpu: [], machineCpu: [] });
    expect([results.detectionMs, results.recoveryMs, results.requests.inFlightAtFault]).toEqual([null, null, null]);
    expect(results.sessions.lostExpected).toBe(0);
  });
});
