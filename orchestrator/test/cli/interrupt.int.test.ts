// Ctrl-C as a terminal sends it: SIGINT to the whole process group of `npm run scenario` / `npm
// run chaos` at several moments of a run (the real load engine and HAProxy), then: exit status 130, run.json
// with status "interrupted", no process left (by PID: those below npm at the moment of the
// signal, the run record's and the watchdog). And SIGKILL to the orchestrator: nothing it started
// lives on.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/run/run-record.ts";
import { haveProc, type ProcessEntry, running } from "../helpers/process-tree.ts";
import { missingTools, readRecord } from "../helpers/run-cli.ts";
import { killNpmGroups, runNpm } from "../helpers/run-npm.ts";

const missing = [...missingTools(), ...(haveProc ? [] : ["/proc (to list a run's processes)"])];
if (missing.length) console.warn(`SKIPPED interrupt integration tests: missing ${missing.join(", ")}`);

const outRoot = mkdtempSync(join(tmpdir(), "fh-interrupt-"));
afterAll(killNpmGroups);

/** Small and short: two sticky instances (no dynalite), a 20 s load, crash at 1/3. */
const small = ["--strategy", "sticky", "--instances", "2", "--seed", "3"];

const isWatchdog = (p: ProcessEntry) => p.command.includes("watchdog.mjs");

/** The processes of `pids` still running, after giving them up to `withinMs` to go. */
async function leftAfter(pids: number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = pids.filter(running);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).status === 200;
  } catch {
    return false;
  }
}

interface Moment {
  name: string;
  args: string[];
  /** The output line that shows the moment has come. */
  at: RegExp;
  /** Waits, after that line, until the moment itself (default: none). */
  settle?: (match: RegExpExecArray) => Promise<void>;
  /** What the run record shows of the moment it was interrupted at. */
  check: (record: RunRecord) => void;
  /** False where the signal may come before the first child (and so the watchdog) started. */
  childrenStarted?: false;
}

const names = (r: RunRecord) => r.processes.map((p) => p.name).sort();
const faultStarts = (r: RunRecord) => r.events.filter((e) => e.type === "fault" && e.phase === "start");

const moments: Moment[] = [
  {
    name: "before the fleet is up (instances starting)",
    args: ["--duration", "20s"],
    at: /^\[local\] starting 2 target-app instances/,
    childrenStarted: false,
    check: (r) => {
      expect(names(r)).not.toContain("lb");
      expect(r.events.some((e) => e.type === "warm-up")).toBe(false);
    },
  },
  {
    name: "during the warm-up",
    args: ["--duration", "20s"],
    at: /^\[local\] starting HAProxy on http:\/\/127\.0\.0\.1:(\d+)/,
    // The warm-up starts once HAProxy sees every instance UP; it lasts 5 s at least.
    settle: async (match) => {
      while (!(await httpOk(`http://127.0.0.1:${match[1]}/ping.html`)))
        await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 1500));
    },
    check: (r) => {
      expect(names(r)).toContain("lb");
      // The warm-up drives the fleet with its own engine process; the run's never started.
      expect(names(r)).toContain("warm-up");
      expect(names(r)).not.toContain("load");
      expect(r.events.some((e) => e.type === "load-start")).toBe(false);
    },
  },
  {
    name: "during the load (before the fault)",
    args: ["--duration", "20s"],
    at: /^\[run\] sticky: 5s of 20s/,
    check: (r) => {
      expect(names(r)).toEqual(["app-1", "app-2", "lb", "load", "warm-up"]);
      expect(faultStarts(r)).toEqual([]);
      // Stopped by the harness, cleanly: its records closed.
      expect(r.load?.exitCode).toBe(0);
      const end = r.events.find((e) => e.type === "load-end");
      expect(end && "detail" in end ? end.detail : null).toMatchObject({ stoppedBy: "harness" });
    },
  },
  {
    name: "during a fault (the crash being applied)",
    args: ["--duration", "20s"],
    at: /^\[fault\] crash app-\d/,
    check: (r) => {
      expect(r.events.some((e) => e.type === "fault" && e.action === "crash")).toBe(true);
      expect(r.events.some((e) => e.type === "fault" && e.action === "restart")).toBe(false);
    },
  },
  {
    name: "during the tear-down (the load over)",
    args: ["--duration", "10s"],
    at: /^\[app-\d\] (\[app-\d\] )?SIGTERM: finishing requests in flight/,
    check: (r) => {
      expect(r.events.some((e) => e.type === "load-end")).toBe(true);
      expect(r.load?.exitCode).toBe(0);
    },
  },
];

/** What every interrupted run must show, whatever the moment. */
function expectCleanInterrupt(
  result: Awaited<ReturnType<typeof runNpm>>,
  record: RunRecord,
  atSignal: ProcessEntry[],
  childrenStarted = true,
) {
  const { output } = result;
  const relayed = output.match(/counted once/g)?.length ?? 0;
  console.log(
    `[figures] ${record.runId}: exit ${result.status} after ${result.ms} ms; relayed copies counted once: ${relayed}`,
  );
  expect(result.status, output).toBe(130);
  expect(record.status, output).toBe("interrupted");
  expect(record.error).toMatch(/SIGINT/);
  // One person's Ctrl-C, however many copies npm and tsx relay, never forces.
  expect(output).not.toMatch(/forcing/);
  // Only the orchestrator acts on the terminal's SIGINT; the apps are stopped with SIGTERM.
  expect(output).not.toMatch(/\[app-\d\] SIGINT/);
  // One watchdog per orchestrator, from its first child on.
  const anyChild = childrenStarted || atSignal.some((p) => p.command.includes("target-app/src/main.ts"));
  expect(atSignal.filter(isWatchdog)).toHaveLength(anyChild ? 1 : 0);
}

describe.skipIf(missing.length > 0)("Ctrl-C to the process group of npm run scenario / chaos", () => {
  for (const moment of moments) {
    it(`scenario, ${moment.name}: exit 130, run.json interrupted, no process left`, async () => {
      const out = join(outRoot, moment.name.replace(/\W+/g, "-"));
      let atSignal: ProcessEntry[] | undefined;
      let seen = false;
      const result = await runNpm("scenario", [...small, ...moment.args, "--out", out], (line, run) => {
        const match = seen ? null : moment.at.exec(line);
        if (!match) return;
        seen = true;
        void (moment.settle?.(match) ?? Promise.resolve()).then(() => {
          atSignal = run.interrupt();
        });
      });
      expect(atSignal, result.output).toBeDefined();
      expect(existsSync(join(out, "run.json")), result.output).toBe(true);
      const record = readRecord(out);
      expectCleanInterrupt(result, record, atSignal!, moment.childrenStarted);
      moment.check(record);
      const pids = [...new Set([...atSignal!.map((p) => p.pid), ...record.processes.map((p) => p.pid)])];
      // Everything is stopped before the orchestrator exits; the watchdog follows within a moment.
      expect(await leftAfter(pids, 2000), result.output).toEqual([]);
    });
  }

  it("chaos, during a fault: exit 130, the strategy's run.json interrupted, no process left", async () => {
    const out = join(outRoot, "chaos");
    let atSignal: ProcessEntry[] | undefined;
    const result = await runNpm(
      "chaos",
      ["--strategies", "sticky", "--instances", "2", "--seed", "3", "--duration", "20s", "--out", out],
      (line, run) => {
        if (!atSignal && /^\[fault\] crash app-\d/.test(line)) atSignal = run.interrupt();
      },
    );
    expect(atSignal, result.output).toBeDefined();
    expect(existsSync(join(out, "sticky", "run.json")), result.output).toBe(true);
    const record = readRecord(join(out, "sticky"));
    expectCleanInterrupt(result, record, atSignal!);
    const pids = [...new Set([...atSignal!.map((p) => p.pid), ...record.processes.map((p) => p.pid)])];
    expect(await leftAfter(pids, 2000), result.output).toEqual([]);
  });

  it("SIGKILL to the orchestrator during the load: nothing it started is alive 10 s later", async () => {
    const out = join(outRoot, "killed");
    let atKill: ProcessEntry[] | undefined;
    let orchestrator: number | undefined;
    let killedAt = 0;
    const result = await runNpm("scenario", [...small, "--duration", "20s", "--out", out], (line, run) => {
      if (atKill || !/^\[run\] sticky: 5s of 20s/.test(line)) return;
      atKill = run.tree();
      orchestrator = atKill.find(isWatchdog)?.ppid;
      if (orchestrator === undefined) return;
      process.kill(orchestrator, "SIGKILL");
      killedAt = Date.now();
    });
    expect(orchestrator, result.output).toBeDefined();
    const started = atKill!.filter((p) => p.ppid === orchestrator);
    // The fleet and the load generator were up: two apps, HAProxy, the load engine and the watchdog.
    expect(started.length, JSON.stringify(started)).toBeGreaterThanOrEqual(5);
    const left = await leftAfter(
      atKill!.map((p) => p.pid),
      10_000 - (Date.now() - killedAt),
    );
    expect(
      atKill!.filter((p) => left.includes(p.pid)),
      result.output,
    ).toEqual([]);
  });
});
