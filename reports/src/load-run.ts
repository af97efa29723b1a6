// Reads one run folder for the report: run.json (its results are what the report shows), k6's
// thresholds from k6-summary.json and, only when asked to re-check, the samples worked out again.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { InputError } from "../../orchestrator/src/errors.ts";
import type { RunRecord } from "../../orchestrator/src/run/run-record.ts";
import { verdictOf } from "../../orchestrator/src/verdict/verdict.ts";
import type { RunInput, ThresholdRow } from "./report-model.ts";

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

function samplesFileOf(dir: string, record: RunRecord): string | null {
  const candidates = [record.files?.samples, "samples.json", "samples.json.gz"].filter((c): c is string => !!c);
  return candidates.find((name) => existsSync(join(dir, name))) ?? null;
}

function readK6Thresholds(dir: string): ThresholdRow[] {
  const path = join(dir, "k6-summary.json");
  if (!existsSync(path)) return [];
  try {
    const summary = JSON.parse(readFileSync(path, "utf8")) as {
      metrics?: Record<string, { thresholds?: Record<string, { ok?: boolean }> }>;
    };
    const out: ThresholdRow[] = [];
    for (const [metric, data] of Object.entries(summary.metrics ?? {})) {
      for (const [expression, outcome] of Object.entries(data.thresholds ?? {})) {
        out.push({ by: "k6", expression: `${metric}: ${expression}`, actual: null, ok: outcome.ok === true });
      }
    }
    return out;
  } catch {
    return [];
  }
}

export interface LoadOptions {
  /** Work the results out again from the samples file, to compare with run.json's (`--recheck`). */
  recheck?: boolean;
}

/** Reads one run folder: run.json (checked), its thresholds and, when asked, its samples once. */
export async function loadRun(dir: string, options: LoadOptions = {}): Promise<RunInput> {
  const record = readRunRecord(dir);
  const samplesFile = samplesFileOf(dir, record);
  const k6Thresholds = readK6Thresholds(dir);
  if (!options.recheck) return { dir, record, samplesFile, recheck: null, k6Thresholds };
  if (!samplesFile) {
    return { dir, record, samplesFile, recheck: { error: "no samples file in the run folder" }, k6Thresholds };
  }
  try {
    const results = await verdictOf({
      samplesFile: join(dir, samplesFile),
      events: record.events,
      k6Cpu: [],
      machineCpu: [],
      thresholds: record.plan.thresholds ?? [],
    });
    return { dir, record, samplesFile, recheck: { results }, k6Thresholds };
  } catch (err) {
    const error = `${samplesFile} could not be read (${(err as Error).message})`;
    return { dir, record, samplesFile, recheck: { error }, k6Thresholds };
  }
}
