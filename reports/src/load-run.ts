// Reads one run folder for the report: run.json (its results are what the report shows) and, only
// when asked to re-check, the results worked out again from the load engine's records.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../orchestrator/src/errors.ts";
import { RECORDS_FILE_NAME } from "../../orchestrator/src/run/load-files.ts";
import type { RunRecord } from "../../orchestrator/src/run/run-record.ts";
import { parseRunRecord, type ReadRecord } from "../../orchestrator/src/run/run-record-schema.ts";
import { verdictOf } from "../../orchestrator/src/verdict/verdict.ts";
import type { RunInput } from "./report-model.ts";

/**
 * Reads and checks run.json through the run record's schema (run-record-schema.ts): schema 2 in
 * full, an older record (no schemaVersion) in the parts the report relies on, with the fields it
 * lacks. Throws InputError naming the path, the field and what is wrong.
 */
export function readRunRecord(dir: string): ReadRecord {
  if (!existsSync(dir)) throw new InputError(`${dir}: no such run folder`);
  if (!statSync(dir).isDirectory())
    throw new InputError(`${dir}: not a folder (expected a run folder holding run.json)`);
  const path = join(dir, "run.json");
  if (!existsSync(path)) throw new InputError(`${path}: missing; is ${dir} a run folder?`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new InputError(`${path}: unreadable (${(err as Error).message})`);
  }
  try {
    return parseRunRecord(json, path);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}

/** The run's records file: run.json's files.records, else the engine's default name, when it exists. */
function recordsFileOf(dir: string, record: RunRecord): string | null {
  const candidates = [record.files?.records, RECORDS_FILE_NAME].filter((c): c is string => !!c);
  return candidates.find((name) => existsSync(join(dir, name))) ?? null;
}

export interface LoadOptions {
  /** Work the results out again from the records file, to compare with run.json's (`--recheck`). */
  recheck?: boolean;
}

/** Reads one run folder: run.json (checked) and, when asked, its records once. */
export async function loadRun(dir: string, options: LoadOptions = {}): Promise<RunInput> {
  const { record, schemaVersion, lacks } = readRunRecord(dir);
  const recordsFile = recordsFileOf(dir, record);
  const read = { dir, record, schemaVersion, lacks, recordsFile };
  if (!options.recheck) return { ...read, recheck: null };
  if (!recordsFile) return { ...read, recheck: { error: "no records file in the run folder" } };
  try {
    const results = await verdictOf({
      recordsFile: join(dir, recordsFile),
      events: record.events,
      engineCpu: [],
      machineCpu: [],
      thresholds: record.plan.thresholds ?? [],
    });
    return { ...read, recheck: { results } };
  } catch (err) {
    const error = `${recordsFile} could not be read (${(err as Error).message})`;
    return { ...read, recheck: { error } };
  }
}
