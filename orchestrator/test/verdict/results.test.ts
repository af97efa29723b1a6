import { describe, expect, it } from "vitest";
import type { RequestClass } from "../../../scenarios/lib/classify.ts";
import type { RunEvent } from "../../src/run/events.ts";
import { Aggregator } from "../../src/verdict/aggregate.ts";
import { buildResults, undetectedInterval } from "../../src/verdict/results.ts";
import { faultWindows } from "../../src/verdict/windows.ts";

const T = 1_800_000_000_000; // a whole second, so that per-second buckets line up with the fault
const crashRestart: RunEvent[] = [
  { t: T - 10_000, type: "load-start" },
  { t: T + 1, type: "lb-state", target: "app-2", state: "UP" },
  { t: T + 10_000, type: "fault", action: "crash", target: "app-2", phase: "start" },
  {
    t: T + 10_001,
    type: "audit",
    target: "app-2",
    detail: { inFlight: 1, activeSessions: 7, storedSessions: 7, shared: false, activeWithinMs: 3000, auditMs: 5 },
  },
  { t: T + 10_020, type: "fault", action: "crash", target: "app-2", phase: "end" },
  { t: T + 11_000, type: "probe", target: "app-2", detail: { abortedInFlight: 3 } },
  { t: T + 11_600, type: "lb-state", target: "app-2", state: "DOWN" },
  { t: T + 20_000, type: "fault", action: "restart", target: "app-2", phase: "start" },
  { t: T + 20_700, type: "fault", action: "restart", target: "app-2", phase: "end" },
  { t: T + 22_100, type: "lb-state", target: "app-2", state: "UP" },
  { t: T + 30_000, type: "load-end", detail: { exitCode: 0, signal: null } },
];

describe("faultWindows", () => {
  it("runs from the crash until the balancer sees the restarted instance UP, and watches it rejoin", () => {
    expect(faultWindows(crashRestart)).toEqual({
      faultStartMs: T + 10_000,
      faultEndMs: T + 22_100,
      rejoin: { instance: "app-2", afterMs: T + 20_000 },
    });
  });

  it("a terminate is one action: from its start to the replacement UP", () => {
    const events: RunEvent[] = [
      { t: T, type: "fault", action: "terminate", target: "app-1", phase: "start" },
      { t: T + 900, type: "fault", action: "terminate", target: "app-1", phase: "end" },
      { t: T + 2_500, type: "lb-state", target: "app-1", state: "UP" },
    ];
    expect(faultWindows(events)).toEqual({
      faultStartMs: T,
      faultEndMs: T + 2_500,
      rejoin: { instance: "app-1", afterMs: T },
    });
  });

  it("a store outage ends when the store is back; a rolling restart's steps do not count as faults", () => {
    const store: RunEvent[] = [
      { t: T, type: "fault", action: "store-down", target: "store", phase: "start" },
      { t: T + 50, type: "fault", action: "store-down", target: "store", phase: "end" },
      { t: T + 9_000, type: "fault", action: "store-up", target: "store", phase: "start" },
      { t: T + 12_000, type: "fault", action: "store-up", target: "store", phase: "end" },
    ];
    expect(faultWindows(store)).toEqual({ faultStartMs: T, faultEndMs: T + 12_000 });
    const rolling: RunEvent[] = [
      { t: T, type: "fault", action: "rolling-restart", target: "fleet", phase: "start" },
      { t: T + 10, type: "fault", action: "stop", target: "app-1", phase: "start", detail: { step: true } },
      { t: T + 500, type: "fault", action: "stop", target: "app-1", phase: "end", detail: { step: true } },
      { t: T + 7_000, type: "fault", action: "rolling-restart", target: "fleet", phase: "end" },
    ];
    expect(faultWindows(rolling)).toEqual({ faultStartMs: T, faultEndMs: T + 7_000 });
  });

  it("is empty without a fault, and open-ended without a restart", () => {
    expect(faultWindows(crashRestart.filter((e) => e.type.startsWith("load")))).toEqual({});
    expect(faultWindows(crashRestart.filter((e) => !(e.type === "fault" && e.action === "restart")))).toEqual({
      faultStartMs: T + 10_000,
    });
  });
});

describe("buildResults", () => {
  /** The records split by the windows of `events` (as verdictOf does). */
  function aggregate(events: readonly RunEvent[] = crashRestart) {
    const agg = new Aggregator(faultWindows(events));
    const req = (t: number, cls: RequestClass) =>
      agg.add({
        kind: "request",
        t: T + t,
        ms: 10,
        cls,
        instance: "app-1",
        endpoint: "profile_get",
        storeMs: null,
        lockMs: null,
        person: 0,
      });
    for (let s = 0; s < 10; s++) for (let i = 0; i < 10; i++) req(s * 1000 - 10_000 + i * 10, "ok");
    // The fault's seconds: 10 requests a second; 5 lost in the first, 2 failed in the second.
    for (let i = 0; i < 10; i++) req(10_000 + i * 10, i < 5 ? "lost" : "ok");
    for (let i = 0; i < 10; i++) req(11_000 + i * 10, i < 2 ? "reset" : "ok");
    for (let i = 0; i < 10; i++) req(12_000 + i * 10, "ok");
    for (let person = 0; person < 5; person++) {
      agg.add({ kind: "session-lost", t: T + 10_005, home: "app-2", instance: "app-1", person });
    }
    return agg.result();
  }

  it("adds the audit's expectation, in-flight count, detection and recovery", () => {
    const results = buildResults({
      aggregate: aggregate(),
      events: crashRestart,
      engineCpu: [10, 20],
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
      engineCpuPercent: { mean: 15, max: 20 },
      machineCpuPercent: { mean: 60, max: 70 },
    });
    expect(results.trust).toEqual({ trustworthy: true, warnings: [] });
    // app-2 answered nothing in this recording after its restart
    expect(results.rejoinMs).toBeNull();
  });

  it("measures the restarted instance's rejoin from its first answer, and judges thresholds", () => {
    const agg = new Aggregator(faultWindows(crashRestart));
    for (const t of [21_000, 21_400]) {
      agg.add({
        kind: "request",
        t: T + t,
        ms: 3,
        cls: "ok",
        instance: "app-2",
        endpoint: "login",
        storeMs: null,
        lockMs: null,
        person: 0,
      });
    }
    const results = buildResults({
      aggregate: agg.result(),
      events: crashRestart,
      engineCpu: [],
      machineCpu: [],
      thresholds: [
        { expr: "sessions.lost<=0", metric: "sessions.lost", op: "<=", value: 0 },
        { expr: "recoveryMs<1", metric: "recoveryMs", op: "<", value: 1 },
        { expr: "requests.failed>5", metric: "requests.failed", op: ">", value: 5 },
      ],
    });
    expect(results.rejoinMs).toBe(1000);
    expect(results.thresholds.map((t) => [t.expr, t.actual, t.ok])).toEqual([
      ["sessions.lost<=0", 0, true],
      ["recoveryMs<1", 0, true],
      ["requests.failed>5", 0, false],
    ]);
  });

  it("draws the machine's line at a mean of 80%: 79.9% is trusted, 80% is not", () => {
    const judge = (machineCpu: number[]) =>
      buildResults({ aggregate: aggregate(), events: crashRestart, engineCpu: [], machineCpu }).trust;
    expect(judge([79.8, 80])).toEqual({ trustworthy: true, warnings: [] });
    expect(judge([80, 80]).trustworthy).toBe(false);
  });

  it("says the run is not trustworthy when the load engine dropped iterations or the machine was saturated", () => {
    const agg = aggregate();
    const results = buildResults({
      aggregate: { ...agg, droppedIterations: 12, droppedByWindow: { before: 0, during: 12, after: 0 } },
      events: crashRestart,
      engineCpu: [99, 98],
      machineCpu: [99, 100],
    });
    expect(results.trust.trustworthy).toBe(false);
    expect(results.trust.warnings.join("\n")).toMatch(
      /dropped 12 iterations \(before the fault 0, during it 12, after it 0\): it could not keep the planned rate/,
    );
    expect(results.trust.warnings.join("\n")).toMatch(/98.5% of a core/);
    expect(results.trust.warnings.join("\n")).toMatch(/99.5% busy on average \(trusted below 80%\)/);
    expect(results.trust.warnings.join("\n")).toMatch(/99.5% busy/);
  });

  it("has no detection or recovery without a fault", () => {
    const events: RunEvent[] = [{ t: T, type: "load-start" }];
    const results = buildResults({ aggregate: aggregate(events), events, engineCpu: [], machineCpu: [] });
    const dropped = buildResults({
      aggregate: { ...aggregate(events), droppedIterations: 3 },
      events,
      engineCpu: [],
      machineCpu: [],
    });
    // No fault, no windows to name.
    expect(dropped.trust.warnings).toEqual([
      "the load engine dropped 3 iterations: it could not keep the planned rate, so the load was lighter than planned",
    ]);
    expect([results.detectionMs, results.recoveryMs, results.requests.inFlightAtFault]).toEqual([null, null, null]);
    expect(results.sessions.lostExpected).toBe(0);
  });

  it("finds the victim from the audit taken after the fault began, when the start event is the landing", () => {
    // The fault unit began at T+9 900 (its probes), the kill landed at T+10 000.
    const landed = crashRestart.map((e) =>
      e.type === "fault" && e.action === "crash" && e.phase === "start"
        ? { ...e, detail: { plannedAt: T + 9_900, beganAt: T + 9_900, probesMs: 100 } }
        : e.type === "audit"
          ? { ...e, t: T + 9_990 }
          : e,
    );
    const results = buildResults({ aggregate: aggregate(), events: landed, engineCpu: [], machineCpu: [] });
    expect(results.detectionMs).toBe(1600);
    expect(results.sessions.lostExpected).toBe(7);
  });

  it("counts the balancer's retries between the load's start and end, and the undetected interval", () => {
    const events: RunEvent[] = [
      { t: T - 10_000, type: "lb-counters", detail: { phase: "start", retries: 4, redispatches: 1 } },
      ...crashRestart,
      { t: T + 30_001, type: "lb-counters", detail: { phase: "end", retries: 10, redispatches: 3 } },
    ];
    const results = buildResults({ aggregate: aggregate(), events, engineCpu: [], machineCpu: [] });
    expect(results.requests.retriedByBalancer).toEqual({ retries: 6, redispatches: 2 });
    // DOWN at T+11 600: the only whole second between the crash and DOWN is [T+10s, T+11s).
    expect(results.undetected).toMatchObject({ requests: 10, failed: 0, fromMs: T + 10_000, toMs: T + 11_600 });
    // app-2 answered nothing before the fault in this recording
    expect(results.undetected?.victimSharePercent).toBe(0);
    expect(
      buildResults({ aggregate: aggregate(), events: crashRestart, engineCpu: [], machineCpu: [] }).requests
        .retriedByBalancer,
    ).toBeNull();
  });
});

describe("undetectedInterval", () => {
  const second = (t: number, requests: number, failed: number, byInstance: Record<string, number>) => ({
    t: T + t,
    requests,
    failed,
    lost: 0,
    p95: 5,
    byInstance,
  });
  it("sums the whole seconds from the fault to DOWN and takes the victim's share from the seconds before", () => {
    const series = [
      second(-2000, 30, 0, { "app-1": 10, "app-2": 10, "app-3": 10 }),
      second(-1000, 30, 0, { "app-1": 10, "app-2": 10, "app-3": 10 }),
      second(0, 30, 10, { "app-1": 10, "app-3": 10 }),
      second(1000, 30, 11, { "app-1": 10, "app-3": 9 }),
      second(2000, 30, 9, { "app-1": 11, "app-3": 10 }), // DOWN at 2.5 s: this second is not whole
      second(3000, 30, 0, { "app-1": 15, "app-3": 15 }),
    ];
    expect(undetectedInterval(series, "app-2", T, T + 2_500)).toEqual({
      fromMs: T,
      toMs: T + 2_500,
      requests: 60,
      failed: 21,
      victimSharePercent: 33.3,
    });
    expect(undetectedInterval([], "app-2", T, T + 2_500).victimSharePercent).toBeNull();
  });
});
