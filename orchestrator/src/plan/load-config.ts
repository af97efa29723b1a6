// The plan's load as the engine's LoadConfig (load/api.ts), and the engine's own check of it, before anything starts. Pure.
import type { LoadConfig } from "../../../load/api.ts";
import { validateLoadConfig } from "../../../load/config.ts";
import { InputError } from "../errors.ts";

/** The parts of a plan the load engine takes (plan.ts's Plan has them; not imported, so that the plan can call this). */
export interface PlanLoad {
  runId: string;
  load: {
    scenario: string;
    rate: number;
    sessions: number;
    durationMs: number;
    requestTimeoutMs: number;
    workers: number;
    scenarioOptions?: Record<string, unknown>;
  };
}

/**
 * The run's LoadConfig: the plan's scenario, rate, people, duration, timeout and workers. `allowRemote`: the
 * platform's balancer is off this machine (its descriptor's `remoteLoad`, ec2); otherwise the engine takes loopback only.
 */
export function loadConfigOf(plan: PlanLoad, baseUrl: string, recordsFile: string, allowRemote = false): LoadConfig {
  return {
    scenario: plan.load.scenario,
    baseUrl,
    rate: plan.load.rate,
    sessions: plan.load.sessions,
    durationMs: plan.load.durationMs,
    requestTimeoutMs: plan.load.requestTimeoutMs,
    // Usernames are `${runId}-u${n}`: unique per run, short enough for the app's limits.
    runId: plan.runId.replace(/[^A-Za-z0-9_.-]/g, "").slice(-40),
    workers: plan.load.workers,
    recordsFile,
    allowRemote,
    ...(plan.load.scenarioOptions ? { scenarioOptions: plan.load.scenarioOptions } : {}),
  };
}

/**
 * Throws InputError with the engine's own messages when it would refuse the plan's load (load/config.ts),
 * so that a bad load is refused before any process starts. The balancer's URL is not known yet: a loopback
 * stand-in takes its place.
 */
export function checkPlanLoad(plan: PlanLoad): void {
  const check = validateLoadConfig(loadConfigOf(plan, "http://127.0.0.1:1", "records.tsv.gz"));
  if (!check.ok) throw new InputError(`the load engine refuses this load:\n${check.errors.join("\n")}`);
}
