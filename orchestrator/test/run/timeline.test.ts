import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { InstanceOp, LbServerState, Platform } from "../../src/platforms/types.ts";
import { EventLog, type RunEvent } from "../../src/run/events.ts";
import { planFromOptions } from "../../src/run/plan-from-options.ts";
import { runTimeline } from "../../src/run/timeline.ts";

/** A platform whose probes take `probeMs` and which records when each operation was issued. */
function slowProbePlatform(probeMs: number, ops: { op: InstanceOp; t: number }[]): Platform {
  const wait = () => new Promise((resolve) => setTimeout(resolve, probeMs));
  return {
    name: "fake",
    up: async () => {},
    down: async () => {},
    instances: () => [1, 2, 3].map((n) => ({ id: `app-${n}`, url: "" })),
    lbUrl: () => "http://127.0.0.1:1",
    instanceOp: async (_id, op) => {
      ops.push({ op, t: Date.now() });
    },
    lbStates: async () => {
      await wait();
      return new Map<string, LbServerState>([["app-1", { status: "UP", inFlight: 2 }]]);
    },
    storeOp: async () => false,
    auditSessions: async () => {
      await wait();
      return { activeSessions: 4, storedSessions: 4, shared: false };
    },
    versions: async () => ({}),
    describe: () => [],
  };
}

describe("runTimeline", () => {
  it("records a fault's start when its action lands, after the probes, with the probes' time apart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fh-timeline-"));
    const planFile = join(dir, "plan.yaml");
    writeFileSync(planFile, "faults:\n  - { at: 0s, action: crash, target: app-1 }\n");
    const plan = planFromOptions({ strategy: "sticky", seed: "1", out: join(dir, "run"), planFile });
    const ops: { op: InstanceOp; t: number }[] = [];
    const log = new EventLog();
    const t0 = Date.now();
    await runTimeline({
      plan,
      platform: slowProbePlatform(60, ops),
      log,
      t0,
      signal: new AbortController().signal,
      activeWithinMs: 3000,
      onFault: () => {},
    });
    const start = log.events.find(
      (e): e is Extract<RunEvent, { type: "fault" }> => e.type === "fault" && e.phase === "start",
    );
    const audit = log.events.find((e): e is Extract<RunEvent, { type: "audit" }> => e.type === "audit");
    expect(ops.map((o) => o.op)).toEqual(["kill"]);
    expect(audit?.detail).toMatchObject({ inFlight: 2, activeSessions: 4 });
    expect(Number(audit?.detail.auditMs)).toBeGreaterThanOrEqual(100);
    // The start is the kill, not the beginning of the probes before it.
    expect(start!.t).toBeGreaterThanOrEqual(audit!.t);
    expect(start!.t).toBeLessThanOrEqual(ops[0]!.t);
    expect(start?.detail).toMatchObject({ plannedAt: t0 });
    expect(start?.detail && "probesMs" in start.detail && start.detail.probesMs).toBeGreaterThanOrEqual(100);
    expect(log.events.map((e) => e.type)).toEqual(["audit", "fault", "fault"]);
    rmSync(dir, { recursive: true, force: true });
  });
});
