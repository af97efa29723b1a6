// Runs one experiment: bring the fleet up, drive the load engine, apply the fault timeline, sample the
// balancer, then always restore the fleet and write run.json (completed, failed or interrupted).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { basename, join, resolve } from "node:path";
import { HarnessError, InputError } from "../errors.ts";
import { formatDuration } from "../plan/duration.ts";
import { describeBehaviour, healthProfiles } from "../plan/health-profiles.ts";
import type { Plan } from "../plan/plan.ts";
import { createPlatform, platformDescriptor } from "../platforms/index.ts";
import type { BalancerSettings, LbServerState, Platform } from "../platforms/types.ts";
import { startedChildren } from "../process/child.ts";
import { onForcedStop } from "../process/forced-stop.ts";
import { sleep } from "../process/poll.ts";
import { unappliedStoreOptions } from "../strategies/index.ts";
import type { RunResults } from "../verdict/results.ts";
import { verdictOf } from "../verdict/verdict.ts";
import { EventLog } from "./events.ts";
import { LbSampler } from "./lb-sampler.ts";
import { loadFiles } from "./load-files.ts";
import { LoadRun, loadConfigOf, loadEngineVersion } from "./load-run.ts";
import { readCounts, unrecognisedMessage } from "./recognition.ts";
import { type BalancerRecord, type RunRecord, SCHEMA_VERSION, writeRunRecord } from "./run-record.ts";
import { runTimeline } from "./timeline.ts";
import { warmUp, warmUpLine } from "./warm-up.ts";

export interface RunOptions {
  signal: AbortSignal;
  /** Progress lines while the load runs (default: console.log). */
  progress?: (line: string) => void;
}

/** How long a person waits between its iterations, at most, with the plan's rate and pool. */
function activeWindowMs(plan: Plan): number {
  return Math.max(3000, Math.ceil((3 * plan.load.sessions * 1000) / plan.load.rate));
}

export async function runScenario(plan: Plan, options: RunOptions): Promise<RunRecord> {
  const { signal } = options;
  const progress = options.progress ?? ((line: string) => console.log(line));
  const runDir = resolve(plan.outDir);
  // logs/ holds the load engine's log on every platform (the local platform also puts its processes' logs there).
  mkdirSync(join(runDir, "logs"), { recursive: true });
  const log = new EventLog();
  const startedAt = new Date();
  const versions: Record<string, string> = { node: process.version };
  const platform = createPlatform(plan, runDir);
  // Only a platform whose balancer is off this machine (ec2) lets the load engine send anywhere but loopback.
  const allowRemote = platformDescriptor(plan.platform).remoteLoad === true;
  const files = loadFiles(runDir);
  let status: RunRecord["status"] = "failed";
  let badInput = false;
  let error: string | undefined;
  let load: LoadRun | undefined;
  let loadExit: { code: number | null; signal: string | null } | undefined;
  /** A problem after the run itself: recorded, and a completed run becomes a failed one. */
  const addError = (message: string) => {
    error = error ? `${error}; ${message}` : message;
    if (status === "completed") status = "failed";
  };
  const sampler = new LbSampler(platform, log);
  /** The balancer's settings as the platform read them, where the profile does not configure it (ec2). */
  let observedBalancer: BalancerSettings | undefined;
  const childrenBefore = startedChildren().length;
  const recordOf = (results: RunResults | null): RunRecord => ({
    schemaVersion: SCHEMA_VERSION,
    runId: plan.runId,
    status,
    ...(error ? { error } : {}),
    ...(badInput ? { errorKind: "input" as const } : {}),
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    instances: platform.instances().map((i) => i.id),
    balancer: balancerRecord(plan.health, observedBalancer),
    plan,
    versions,
    machine: { cpus: cpus().length, memoryBytes: totalmem(), node: process.version },
    load: loadExit ? { exitCode: loadExit.code, signal: loadExit.signal } : null,
    files: { records: basename(files.records), haproxyConfig: "haproxy.cfg", logs: "logs/" },
    events: log.events,
    processes: startedChildren().slice(childrenBefore),
    results,
  });
  // A second Ctrl-C kills every child and exits without waiting for the rest: run.json still says so.
  const forgetForcedRecord = onForcedStop("writing run.json", async () => {
    status = "interrupted";
    error = `${error ?? "interrupted"}; forced by a second signal: every process killed at once`;
    writeRunRecord(runDir, recordOf(null));
  });
  platform.onApiCall?.(({ t, ...call }) => log.add({ type: "api-call", detail: { ...call } }, t));

  try {
    if (plan.load.enabled) versions["load-engine"] = loadEngineVersion();
    progress(`[run] ${plan.runId}: strategy ${plan.strategy}, ${plan.instances} instances, seed ${plan.seed}`);
    for (const line of [
      ...(platformDescriptor(plan.platform).unappliedOptions?.(plan) ?? []),
      ...unappliedStoreOptions(plan),
    ]) {
      progress(`[run] warning: ${line}`);
    }
    await platform.up(signal);
    Object.assign(versions, await platform.versions());
    if (platform.balancerSettings) {
      observedBalancer = await platform.balancerSettings(signal);
      progress(`[run] the balancer's own settings, as run.json records them: ${observedBalancer.source}`);
    }
    if (plan.load.enabled) {
      const warm = await warmUp(platform.lbUrl(), plan, runDir, { signal, allowRemote });
      log.add({ type: "warm-up", detail: { ...warm } });
      progress(warmUpLine(warm));
      if (!signal.aborted) {
        const unrecognised = unrecognisedMessage(
          await readCounts(join(runDir, "logs", "warm-up-records.tsv.gz")),
          plan.target?.file ?? "the target file",
          join(runDir, "logs", "warm-up.log"),
        );
        if (unrecognised) throw new HarnessError(unrecognised);
      }
    }
    await sampler.start();
    await recordLbCounters(platform, log, "start");

    const timeline = (t0: number, timelineSignal: AbortSignal) =>
      runTimeline({ plan, platform, log, t0, signal: timelineSignal, activeWithinMs: activeWindowMs(plan) });
    if (!plan.load.enabled) {
      // --no-load: the fault plan on its own, for watching a fleet by hand, for the same duration.
      progress(`[run] no load: applying the fault plan over ${formatDuration(plan.load.durationMs)}`);
      const t0 = Date.now();
      await Promise.all([timeline(t0, signal), sleep(plan.load.durationMs, signal)]);
    } else {
      // Interrupted during the warm-up (which ends early then, without throwing): the load never starts.
      signal.throwIfAborted();
      log.add({ type: "load-start" });
      const t0 = Date.now();
      load = new LoadRun(loadConfigOf(plan, platform.lbUrl(), files.records, allowRemote), { logFile: files.log });
      const run = load;
      // The timeline stops early when the engine ends early or the run is interrupted.
      const timelineStop = new AbortController();
      const stopTimeline = () =>
        timelineStop.abort(signal.reason ?? new HarnessError("the load engine ended before the fault plan did"));
      signal.addEventListener("abort", stopTimeline, { once: true });
      const ticker = setInterval(() => reportProgress(run, plan, t0, progress), 5000);
      let exit: { code: number | null; signal: string | null };
      try {
        const loadDone = run.exited.then((info) => {
          stopTimeline();
          return info;
        });
        [, exit] = await Promise.all([timeline(t0, timelineStop.signal), loadDone]);
        loadExit = exit;
      } finally {
        clearInterval(ticker);
        signal.removeEventListener("abort", stopTimeline);
      }
      log.add({ type: "load-end", detail: { exitCode: exit.code, signal: exit.signal } });
      signal.throwIfAborted();
      // 0: the engine ran its duration and closed its records; anything else: it failed.
      if (exit.code !== 0) {
        const why = run.errors.length > 0 ? `${run.errors.join("; ")}\n` : "";
        throw new HarnessError(
          `the load engine exited with ${exit.code ?? exit.signal}: see ${files.log}\n${why}${tail(files.log)}`,
        );
      }
    }
    status = "completed";
  } catch (err) {
    if (signal.aborted) {
      status = "interrupted";
      error = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
    } else {
      status = "failed";
      error = err instanceof Error ? err.message : String(err);
      // Input refused once the platform could check it (an EC2 instance without the opt-in tag).
      if (err instanceof InputError) badInput = true;
    }
  } finally {
    if (load?.child.running) {
      loadExit = await load.stop();
      log.add({ type: "load-end", detail: { stoppedBy: "harness", exitCode: loadExit.code, signal: loadExit.signal } });
    }
    load?.cpu.stop();
    await sampler.stop();
    if (log.events.some((e) => e.type === "lb-counters")) await recordLbCounters(platform, log, "end");
    await platform.down().catch((err: Error) => addError(`tear-down: ${err.message}`));
  }

  let results: RunResults | undefined;
  if (existsSync(files.records)) {
    try {
      // The one read of the records file in a run (the report reads run.json's results).
      results = await verdictOf({
        recordsFile: files.records,
        events: log.events,
        engineCpu: load?.cpu.processPercent ?? [],
        machineCpu: load?.cpu.machinePercent ?? [],
        thresholds: plan.thresholds,
      });
    } catch (err) {
      addError(`reading the load engine's records: ${(err as Error).message}`);
    }
  }

  // A Ctrl-C during the tear-down or while reading the records: the run was interrupted all the same.
  if (signal.aborted && status === "completed") {
    status = "interrupted";
    error = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
  }

  forgetForcedRecord();
  // A record that does not fit its schema comes back failed, saying which field and why (run.invalid.json keeps it).
  return writeRunRecord(runDir, recordOf(results ?? null));
}

/** The balancer's retry counters over the fleet, where it counts them (HAProxy), as an event. */
async function recordLbCounters(platform: Platform, log: EventLog, phase: "start" | "end"): Promise<void> {
  const states = await platform.lbStates().catch(() => new Map<string, LbServerState>());
  const counted = [...states.values()].filter((s) => s.retried !== undefined);
  if (counted.length === 0) return;
  const sum = (pick: (s: LbServerState) => number) => counted.reduce((total, s) => total + pick(s), 0);
  log.add({
    type: "lb-counters",
    detail: {
      phase,
      retries: sum((s) => s.retried?.retries ?? 0),
      redispatches: sum((s) => s.retried?.redispatches ?? 0),
    },
  });
}

/**
 * What the balancer did: the profile, where the harness configured the balancer from it (HAProxy);
 * the real balancer's settings where the platform read them (an ALB's target group), with an
 * ALB's behaviour (no retry, 502 and 504) and the profile kept only as the name asked for.
 */
function balancerRecord(profile: Plan["health"], observed?: BalancerSettings): BalancerRecord {
  if (!observed) {
    const p = healthProfiles[profile];
    return { profile, source: "profile", ...p, behaviour: describeBehaviour(p) };
  }
  const { source, stickyCookie, ...timing } = observed;
  const alb = healthProfiles["aws-alb"];
  const real = {
    ...alb,
    emulates: "the real load balancer (its target group's settings)",
    ...timing,
    stickyCookie: stickyCookie ?? { name: "(stickiness off)" },
  };
  return { profile, source, ...real, behaviour: describeBehaviour(real) };
}

function reportProgress(run: LoadRun, plan: Plan, t0: number, progress: (line: string) => void) {
  const elapsed = Math.min(Date.now() - t0, plan.load.durationMs);
  const c = run.counts;
  const counts = c
    ? `, requests ${c.requests}, failed ${c.failed}, sessions lost ${c.sessionsLost}${c.dropped > 0 ? `, dropped iterations ${c.dropped}` : ""}`
    : "";
  progress(
    `[run] ${plan.strategy}: ${formatDuration(Math.round(elapsed / 1000) * 1000)} of ${formatDuration(plan.load.durationMs)}${counts}`,
  );
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
