// The run record, run.json: written for every run, also when it failed or was interrupted, and
// checked against its schema (run-record-schema.ts) before it is written.
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode } from "../errors.ts";
import { type BalancerRecord, checkRunRecord, type RunRecord, SCHEMA_VERSION } from "./run-record-schema.ts";

export type { BalancerRecord, RunRecord };

/** Where the record goes when it does not fit its schema, beside run.json. */
export const INVALID_RECORD_FILE = "run.invalid.json";

/** The exit code a finished run stands for (several runs: the worst, interruption first). */
export function exitCodeOf(records: readonly RunRecord[]): ExitCode {
  if (records.some((r) => r.status === "interrupted")) return ExitCode.interrupted;
  if (records.some((r) => r.status === "failed" && r.errorKind === "input")) return ExitCode.badInput;
  if (records.some((r) => r.status === "failed")) return ExitCode.harnessError;
  const thresholdFailed = records.some((r) => r.results?.thresholds.some((t) => !t.ok));
  return thresholdFailed ? ExitCode.verificationFailed : ExitCode.ok;
}

/** Writes JSON atomically (temp file, then rename) so a reader never sees half a file. */
function writeJson(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

/**
 * Writes run.json once the record fits its schema, and returns the record written. One that does
 * not is a harness error: the record as built goes to run.invalid.json, and run.json is the same
 * record marked failed, its error naming each field and problem, with the parts at fault (events,
 * results) left out when that makes it fit. Returns the record as run.json holds it.
 */
export function writeRunRecord(runDir: string, record: RunRecord): RunRecord {
  const path = join(runDir, "run.json");
  const invalidPath = join(runDir, INVALID_RECORD_FILE);
  const check = checkRunRecord(record);
  if (check.ok) {
    writeJson(path, record);
    // A record of this run that failed its schema earlier (the forced-stop record) is stale now.
    if (existsSync(invalidPath)) rmSync(invalidPath, { force: true });
    return record;
  }
  writeJson(invalidPath, record);
  const problem = `harness error: run.json did not fit its schema (schema ${SCHEMA_VERSION}, orchestrator/src/run/run-record-schema.ts): ${check.issues.join("; ")}; the record as built is in ${INVALID_RECORD_FILE}`;
  const { errorKind: _input, ...rest } = record;
  const failed: RunRecord = {
    ...rest,
    status: "failed",
    error: record.error ? `${record.error}; ${problem}` : problem,
  };
  const atFault = new Set(check.issues.map((line) => line.split(/[.[:]/, 1)[0]));
  const trimmed: RunRecord = {
    ...failed,
    ...(atFault.has("events") ? { events: [] } : {}),
    ...(atFault.has("results") ? { results: null } : {}),
    ...(atFault.has("processes") ? { processes: [] } : {}),
  };
  // Anything else at fault (the plan, the balancer) cannot be left out: run.invalid.json is then the only record.
  if (checkRunRecord(trimmed).ok) writeJson(path, trimmed);
  else if (existsSync(path)) rmSync(path, { force: true });
  return trimmed;
}

export { SCHEMA_VERSION };
