// The run record, run.json: written for every run, also when it failed or was interrupted.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode } from "../errors.ts";
import type { BalancerProfile } from "../plan/health-profiles.ts";
import type { Plan } from "../plan/plan.ts";
import type { RunResults } from "../verdict/results.ts";
import type { RunEvent } from "./events.ts";

export interface BalancerRecord extends BalancerProfile {
  /** The profile the plan named (--health). */
  profile: Plan["health"];
  /** "profile" where the harness configured the balancer from it, else where the settings were read. */
  source: string;
  /** The profile's behaviour in one line (describeBehaviour). */
  behaviour: string;
}

export interface RunRecord {
  runId: string;
  status: "completed" | "failed" | "interrupted";
  error?: string;
  /** "input" when the run failed because its input was refused (exit code 2, not 1). */
  errorKind?: "input";
  startedAt: string;
  endedAt: string;
  /** The instances the platform had when the record was written (the plan says how many). */
  instances: string[];
  /** What the balancer did, from the profile (local, compose) or as the platform read it (ec2). */
  balancer: BalancerRecord;
  /** The validated plan: strategy, platform, health (the profile asked for), seed, load, faults, thresholds. */
  plan: Plan;
  versions: Record<string, string>;
  machine: { cpus: number; memoryBytes: number; node: string };
  /** How the load engine's process ended; null when it never ran. */
  load: { exitCode: number | null; signal: string | null } | null;
  /** Raw data in the run folder, relative to it. */
  files: Record<string, string>;
  events: RunEvent[];
  /** Every process the harness started for this run (all stopped by the time this is written). */
  processes: readonly { name: string; pid: number }[];
  /** The verdict (verdict/verdict.ts) worked out from the records file and the events; null without records. */
  results: RunResults | null;
}

/** The exit code a finished run stands for (several runs: the worst, interruption first). */
export function exitCodeOf(records: readonly RunRecord[]): ExitCode {
  if (records.some((r) => r.status === "interrupted")) return ExitCode.interrupted;
  if (records.some((r) => r.status === "failed" && r.errorKind === "input")) return ExitCode.badInput;
  if (records.some((r) => r.status === "failed")) return ExitCode.harnessError;
  const thresholdFailed = records.some((r) => r.results?.thresholds.some((t) => !t.ok));
  return thresholdFailed ? ExitCode.verificationFailed : ExitCode.ok;
}

/** Writes run.json atomically (temp file, then rename) so a reader never sees half a record. */
export function writeRunRecord(runDir: string, record: RunRecord): string {
  const path = join(runDir, "run.json");
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}
