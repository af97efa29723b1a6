// The schema of run.json, the run record (zod): the one definition the writer validates against
// and the report and --recheck read through; docs/run.schema.json is generated from it
// (`npm run schema`). Its parts: the plan (plan/plan.ts), the events (event-schema.ts), the
// results (verdict/run-results.ts).
import { z } from "zod";
import { type BalancerProfile, type HealthProfileName, healthProfileNames } from "../plan/health-profiles.ts";
import { planSchema } from "../plan/plan.ts";
import { type RunResults, runResultsSchema } from "../verdict/run-results.ts";
import { runEventSchema, warmUpResultSchema } from "./event-schema.ts";

/**
 * The version of the record's shape. 1: every record written before run.json had a schema (no
 * `schemaVersion` field; their shapes vary, and the report reads the parts it relies on). 2: this schema.
 */
export const SCHEMA_VERSION = 2;

const balancerStatus = z.union([z.literal(502), z.literal(503), z.literal(504)]);

/** What the balancer did: the profile's timing and behaviour (plan/health-profiles.ts), or as the platform read them. */
export const balancerRecordSchema = z.strictObject({
  /** The profile the plan named (--health). */
  profile: z.enum(healthProfileNames as [HealthProfileName, ...HealthProfileName[]]),
  /** "profile" where the harness configured the balancer from it, else where the settings were read. */
  source: z.string(),
  /** Which balancer this profile reproduces, in words for the report. */
  emulates: z.string(),
  /** Time between checks of one server. */
  intervalMs: z.number().int().positive(),
  /** A check that takes longer than this fails. */
  timeoutMs: z.number().int().positive(),
  /** Consecutive failed checks before a server is marked DOWN. */
  fall: z.number().int().positive(),
  /** Consecutive passed checks before a DOWN server is marked UP again. */
  rise: z.number().int().positive(),
  /** Retries of a refused connection (HAProxy `retries`); 0: the request fails at once. */
  retries: z.number().int().nonnegative(),
  /** The last retry goes to another server (HAProxy `option redispatch`). */
  redispatch: z.boolean(),
  /** What the balancer answers when the chosen target refused the connection, reset it, or did not answer in time. */
  answers: z.strictObject({ refused: balancerStatus, reset: balancerStatus, timeout: balancerStatus }),
  /** The cookie that pins a user to a target (sticky strategy only); maxAgeS: a duration-based cookie. */
  stickyCookie: z.strictObject({ name: z.string(), maxAgeS: z.number().int().positive().optional() }),
  /** A planned stop waits until the target has no request in flight, at most this long. */
  drainTimeoutMs: z.number().int().nonnegative(),
  /** The profile's behaviour in one line (describeBehaviour). */
  behaviour: z.string(),
});

/** run.json as this harness writes it (schema 2): strict, so a field the schema does not know fails. */
export const runRecordSchema = z.strictObject({
  // The descriptions go into docs/run.schema.json, for those who script against run.json.
  schemaVersion: z
    .literal(SCHEMA_VERSION)
    .describe("The version of this schema; absent in records written before it (version 1)."),
  runId: z.string().describe("The run's id (--run-id), also its folder's name."),
  status: z
    .enum(["completed", "failed", "interrupted"])
    .describe("How the run ended; run.json is written in every case."),
  error: z.string().optional().describe("Why the run failed or was interrupted."),
  errorKind: z
    .literal("input")
    .optional()
    .describe('"input" when the run failed because its input was refused (exit code 2, not 1).'),
  startedAt: z.iso.datetime().describe("When the run started (ISO 8601, UTC)."),
  endedAt: z.iso.datetime().describe("When the record was written (ISO 8601, UTC)."),
  instances: z
    .array(z.string())
    .describe("The instances the platform had when the record was written (the plan says how many)."),
  balancer: balancerRecordSchema.describe(
    "What the balancer did: the profile's timing and behaviour (local, compose), or as the platform read them from the real balancer (ec2).",
  ),
  plan: planSchema.describe(
    "The validated plan: strategy, platform, health (the profile asked for), seed, load, faults, thresholds.",
  ),
  versions: z
    .record(z.string(), z.string())
    .describe("Versions of what ran: node, load-engine, haproxy, store, and more per platform."),
  machine: z
    .strictObject({
      cpus: z.number().int().positive(),
      memoryBytes: z.number().int().positive(),
      node: z.string(),
    })
    .describe("The machine the harness ran on."),
  load: z
    .strictObject({ exitCode: z.number().int().nullable(), signal: z.string().nullable() })
    .nullable()
    .describe("How the load engine's process ended; null when it never ran (--no-load, or a failure before it)."),
  files: z
    .strictObject({ records: z.string(), haproxyConfig: z.string(), logs: z.string() })
    .describe(
      "The raw data in the run folder, relative to it: the load engine's records file, the balancer's config, the logs.",
    ),
  events: z.array(runEventSchema).describe("The run's timeline in wall-clock ms (t), each event's detail by its type."),
  processes: z
    .array(z.strictObject({ name: z.string(), pid: z.number().int().positive() }))
    .describe("Every process the harness started for this run, all stopped by the time the record was written."),
  results: runResultsSchema
    .nullable()
    .describe(
      "The verdict, worked out once from the records file and the events (orchestrator/src/verdict/); null without records.",
    ),
});

export type RunRecord = z.infer<typeof runRecordSchema>;
export type BalancerRecord = z.infer<typeof balancerRecordSchema>;
export type { RunResults };

/** True when A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The balancer record holds a profile's fields (plan/health-profiles.ts) as they are: one changed there and not here does not compile.
const balancerRecordsProfile: Same<Omit<BalancerRecord, "profile" | "source" | "behaviour">, BalancerProfile> = true;
void balancerRecordsProfile;

/**
 * A record written before schema 2 (no `schemaVersion`): the parts the report relies on, each
 * as schema 2 has it, and the rest taken as written (its fields and events changed over time).
 * Strategy, platform, health and seed are read from the plan (some also copied them to the top).
 */
export const runRecordV1Schema = z.looseObject({
  runId: z.string(),
  status: runRecordSchema.shape.status,
  error: z.string().optional(),
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
  files: z.looseObject({ records: z.string().optional() }).optional(),
  events: z.array(z.looseObject({ t: z.number(), type: z.string() })),
  results: z.looseObject({ series: z.array(z.unknown()) }).nullable(),
});

/** The warm-up's detail in records before the warm-up ran at the run's own rate: counts only. */
export const warmUpResultV1Schema = warmUpResultSchema.pick({ requests: true, failed: true, ms: true });
export type WarmUpResultV1 = z.infer<typeof warmUpResultV1Schema>;

/** A run record as read, with the version it was written in and, before schema 2, the fields it lacks. */
export interface ReadRecord {
  /**
   * The record. Schema 2: checked in full. Version 1: its checked parts as above, the rest as
   * written, typed as schema 2: the report guards the parts older records are known to lack (the
   * balancer, newer results fields, the warm-up's detail) and `lacks` names them.
   */
  record: RunRecord;
  schemaVersion: number;
  /** Fields of schema 2 the record lacks ("balancer", "results.storeTime", "events[warm-up].detail.rate"); empty for 2. */
  lacks: string[];
}

/** "plan.faults[0].target": an issue's path as a reader writes it (`[]` for any index when `anyIndex`). */
export function fieldPath(path: readonly PropertyKey[], anyIndex = false): string {
  return path
    .map((p, i) => (typeof p === "number" ? (anyIndex ? "[]" : `[${p}]`) : `${i === 0 ? "" : "."}${String(p)}`))
    .join("");
}

/** Each issue as "field: problem", the field as a path from the record's top. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${fieldPath(issue.path) || "(top level)"}: ${issue.message}`);
}

/** Checks a record the harness is about to write; the issues ("results.sessions.lost: ...") when it does not fit. */
export function checkRunRecord(record: unknown): { ok: true } | { ok: false; issues: string[] } {
  const parsed = runRecordSchema.safeParse(record);
  return parsed.success ? { ok: true } : { ok: false, issues: issueLines(parsed.error) };
}

function eventTypeAt(json: unknown, index: number): string | undefined {
  const events = (json as { events?: unknown }).events;
  const type = Array.isArray(events) ? (events[index] as { type?: unknown } | undefined)?.type : undefined;
  return typeof type === "string" ? type : undefined;
}

/** The fields of schema 2 a record lacks altogether, once each ("events[warm-up].detail.rate"). */
export function fieldsLacking(json: unknown): string[] {
  const parsed = runRecordSchema.safeParse(json, { reportInput: true });
  if (parsed.success) return [];
  const lacking = parsed.error.issues
    .filter((issue) => issue.code === "invalid_type" && issue.input === undefined && issue.path.length > 0)
    .filter((issue) => issue.path[0] !== "schemaVersion")
    .map((issue) => {
      // An event's field is named with its type: "events[warm-up].detail.rate".
      const [top, index, ...rest] = issue.path;
      const type = top === "events" && typeof index === "number" ? eventTypeAt(json, index) : undefined;
      return type ? `events[${type}]${fieldPath(["", ...rest], true)}` : fieldPath(issue.path, true);
    });
  return [...new Set(lacking)];
}

/**
 * Reads a parsed run.json: schema 2 in full, a record without `schemaVersion` as version 1.
 * Throws an Error whose message names the field and the problem; `where` (the file) heads it.
 */
export function parseRunRecord(json: unknown, where: string): ReadRecord {
  const version =
    json !== null && typeof json === "object" ? (json as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version === undefined) {
    const parsed = runRecordV1Schema.safeParse(json);
    if (!parsed.success) throw new Error(`${where}: not a run record: ${issueLines(parsed.error)[0]}`);
    // Checked in the parts above; the rest as written (see ReadRecord).
    return { record: json as RunRecord, schemaVersion: 1, lacks: fieldsLacking(json) };
  }
  if (version !== SCHEMA_VERSION) {
    throw new Error(
      `${where}: schemaVersion ${JSON.stringify(version)}: this harness reads run records of schema 1 (no schemaVersion) and ${SCHEMA_VERSION}`,
    );
  }
  const parsed = runRecordSchema.safeParse(json);
  if (!parsed.success) {
    const lines = issueLines(parsed.error);
    const more = lines.length > 3 ? `; and ${lines.length - 3} more` : "";
    throw new Error(`${where}: not a run record of schema ${SCHEMA_VERSION}: ${lines.slice(0, 3).join("; ")}${more}`);
  }
  return { record: parsed.data, schemaVersion: SCHEMA_VERSION, lacks: [] };
}

/**
 * "recorded before schema 2: no balancer; plan.load: enabled, workers; results: storeTime, undetected":
 * what the report says of an older record, the fields it lacks grouped by where they belong.
 */
export function lacksLine(read: Pick<ReadRecord, "schemaVersion" | "lacks">): string | null {
  if (read.schemaVersion >= SCHEMA_VERSION || read.lacks.length === 0) return null;
  const groups = new Map<string, string[]>();
  for (const path of read.lacks) {
    const cut = path.lastIndexOf(".");
    const [parent, field] = cut < 0 ? ["", path] : [path.slice(0, cut), path.slice(cut + 1)];
    groups.set(parent, [...(groups.get(parent) ?? []), field]);
  }
  const parts = [...groups].map(([parent, fields]) => (parent ? `${parent}: ${fields.join(", ")}` : fields.join(", ")));
  return `recorded before schema ${SCHEMA_VERSION}: no ${parts.join("; ")}`;
}
