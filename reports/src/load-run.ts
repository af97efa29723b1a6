// Reads one run folder for the report: run.json (its results are what the report shows) and, only
// when asked to re-check, the results worked out again from the load engine's records.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { InputError } from "../../orchestrator/src/errors.ts";
import { RECORDS_FILE_NAME } from "../../orchestrator/src/run/load-files.ts";
import type { RunRecord } from "../../orchestrator/src/run/run-record.ts";
import { verdictOf } from "../../orchestrator/src/verdict/verdict.ts";
import type { RunInput } from "./report-model.ts";

/**
 * The parts of run.json the report relies on; the rest is taken as written. Strategy, platform,
 * health and seed are read from the plan (older records also copied them to the top level).
 */
const recordShape = z.looseObject({
  runId: z.string(),
  status: z.enum(["completed", "failed", "interrupted"]),
  instances: z.array(z.string()),
  startedAt: z.string(),
  plan: z.looseObject({
    strategy: z.string(),
    platform: z.string(),
    health: z.string(),
    seed: z.number(),
    load: z.looseObject({
      durationMs: z.number(),
      rate: z.number(),
      sessions: z.number(),
      requestTimeoutMs: z.number(),
    }),
    faults: z.array(z.looseObject({ atMs: z.number(), action: z.string(), target: z.string() })),
  }),
  versions: z.record(z.string(), z.string()),
  machine: z.looseObject({ cpus: z.number(), memoryBytes: z.number(), node: z.string() }),
  files: z.record(z.string(), z.string()).optional(),
  events: z.array(z.looseObject({ t: z.number(), type: z.string() })),
  results: z.looseObject({ series: z.array(z.unknown()) }).nullable(),
});

/** Reads and checks run.json; throws InputError naming the path and what is wrong. */
export function readRunRecord(dir: string): RunRecord {
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
  const parsed = recordShape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${path}: not a run record: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  return json as RunRecord;
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
  const record = readRunRecord(dir);
  const recordsFile = recordsFileOf(dir, record);
  if (!options.recheck) return { dir, record, recordsFile, recheck: null };
  if (!recordsFile) {
    return { dir, record, recordsFile, recheck: { error: "no records file in the run folder" } };
  }
  try {
    const results = await verdictOf({
      recordsFile: join(dir, recordsFile),
      events: record.events,
      engineCpu: [],
      machineCpu: [],
      thresholds: record.plan.thresholds ?? [],
    });
    return { dir, record, recordsFile, recheck: { results } };
  } catch (err) {
    const error = `${recordsFile} could not be read (${(err as Error).message})`;
    return { dir, record, recordsFile, recheck: { error } };
  }
}
