// The schema of run.json's results (zod; part of the run record's schema, run/run-record-schema.ts):
// the types of the aggregation (aggregate.ts), the results (results.ts) and the thresholds'
// outcomes (thresholds.ts) are inferred from it, so the code and the record cannot drift apart.
import { z } from "zod";
import { FAILED_CLASSES } from "../../../scenarios/lib/classify.ts";
import { thresholdMetrics, thresholdOps } from "../plan/thresholds.ts";

export const WINDOW_NAMES = ["before", "during", "after"] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];
/** The windows and the whole run, as latency and store time are kept. */
const WINDOWS_AND_OVERALL = ["overall", ...WINDOW_NAMES] as const;

/** A shape with the same schema under each key (the windows, the failed classes). */
function keyed<K extends string, T extends z.ZodType>(keys: readonly K[], value: T): { [P in K]: T } {
  return Object.fromEntries(keys.map((k) => [k, value])) as { [P in K]: T };
}

const count = z.number().int().nonnegative();
/** Epoch ms (a record's time may carry a fraction of a millisecond). */
const epochMs = z.number();

/** Fault window boundaries in epoch ms. before: t < faultStart; during: faultStart ≤ t < faultEnd; after: t ≥ faultEnd. */
export const windowsSchema = z.strictObject({
  faultStartMs: epochMs.optional(),
  faultEndMs: epochMs.optional(),
  /** Watch for the first request an instance answers at or after a time (a restarted instance rejoining). */
  rejoin: z.strictObject({ instance: z.string(), afterMs: epochMs }).optional(),
});

export const percentilesSchema = z.strictObject({
  count,
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/** Start lag of the iterations that ran: actual start minus scheduled start (ms), coordinated omission made visible. */
export const startLagSchema = percentilesSchema.extend({ max: z.number().nullable() });

/** The app's time in the session store of answered requests, next to their latency. */
export const storeTimeSchema = percentilesSchema.extend({
  /** Σ store ms / Σ latency ms of the answered requests (0-1): the share of their time spent in the store. */
  share: z.number().min(0).max(1).nullable(),
});

export const secondPointSchema = z.strictObject({
  /** Epoch ms of the start of the second. */
  t: epochMs,
  requests: count,
  failed: count,
  /** Sessions lost (session-lost records) in this second. */
  lost: count,
  /** Lost updates whose write was answered in this second; absent when the scenario records no operations. */
  lostUpdates: count.optional(),
  /** p95 of answered requests in this second (ms), null when none was answered. */
  p95: z.number().nullable(),
  byInstance: z.record(z.string(), count),
});

export const windowCountsSchema = z.strictObject({ requests: count, failed: count, lost: count });

export const lostUpdateSchema = z.strictObject({
  person: z.string(),
  session: z.number().int(),
  key: z.string(),
  value: z.string(),
  /** Epoch ms the write was answered (when the update was lost, as far as anyone can tell). */
  writtenAtMs: epochMs,
  /** Epoch ms the read that did not show it was sent. */
  readAtMs: epochMs,
  /** What that read showed for the field (null: absent). */
  shown: z.string().nullable(),
});

export const lostUpdateCountsSchema = z.strictObject({
  /** Writes answered 200. */
  acknowledged: count,
  /** Writes whose answer was lost (transport error or 5xx). */
  indeterminate: count,
  /** Acknowledged writes that a later read showed (or a later write or delete of the field superseded). */
  confirmed: count,
  lost: count,
  /** Acknowledged writes no later read of the same session checked (the run ended, or the session was lost). */
  unchecked: count,
  /** Reads answered 200 that were checked against the writes before them. */
  reads: count,
});

export const lostUpdateResultSchema = lostUpdateCountsSchema.extend({
  /** The first lost updates, for the report and for explaining the count from the records. */
  examples: z.array(lostUpdateSchema),
});

const percentOfCpu = z.strictObject({ mean: z.number().nullable(), max: z.number().nullable() });

/**
 * What the records file alone gives (aggregate.ts): the results less what needs the events or the CPU.
 * The descriptions go into docs/run.schema.json.
 */
export const aggregateResultSchema = z.strictObject({
  windows: windowsSchema.describe("The fault windows the records were split by, in epoch ms."),
  sessions: z
    .strictObject({ started: count, lost: count, lostByHome: z.record(z.string(), count) })
    .describe("Sessions started and lost; lostByHome by the instance that made the session."),
  requests: z.strictObject({
    total: count,
    failed: z
      .strictObject({ total: count, ...keyed(FAILED_CLASSES, count) })
      .describe("Failed requests (a transport error or a 5xx), in all and by class."),
    lost: count.describe(
      "Answers that carried a session and showed it lost (401 or another user); also in sessions.lost.",
    ),
    clientErrors: count.describe("4xx other than a lost session: a harness or app bug, never expected."),
    byInstance: z.record(z.string(), count),
    byEndpoint: z
      .record(z.string(), percentilesSchema)
      .describe("count: every request to the endpoint; percentiles (ms) over its answered requests."),
    byWindow: z.strictObject(keyed(WINDOW_NAMES, windowCountsSchema)),
  }),
  writes: z.strictObject({ indeterminate: count }).describe("Writes whose answer was lost (transport error or 5xx)."),
  reads: z
    .strictObject({ stale: count })
    .describe("Answers whose profile did not hold what the person last wrote successfully (stale-read records)."),
  updates: lostUpdateResultSchema
    .extend({ lostByWindow: z.strictObject(keyed(WINDOW_NAMES, count)) })
    .nullable()
    .describe(
      "The lost-update model over the op records (concurrent-tabs), overall and by the window of the write's answer; null when the scenario records none (login-profile).",
    ),
  lockWait: percentilesSchema
    .nullable()
    .describe(
      "Time (ms) answered requests waited for their session's lock (Server-Timing lock;dur=); null without a locking store.",
    ),
  latency: z
    .strictObject(keyed(WINDOWS_AND_OVERALL, percentilesSchema))
    .describe(
      "Latency in ms of answered requests (class ok or lost), overall and per window; failed requests have none.",
    ),
  startLag: startLagSchema
    .nullable()
    .describe(
      "How late (ms) each iteration started against its schedule (iteration records); null when none was recorded.",
    ),
  storeTime: z
    .strictObject(keyed(WINDOWS_AND_OVERALL, storeTimeSchema))
    .nullable()
    .describe(
      "The app's time in the session store (Server-Timing store;dur=) of answered requests, per window as latency; null when no request carried one.",
    ),
  droppedIterations: count.describe("Iterations due with no free person: the load was lighter than planned."),
  droppedByWindow: z
    .strictObject(keyed(WINDOW_NAMES, count))
    .describe("droppedIterations by the window of the dropped iteration's scheduled time."),
  rejoinedAtMs: epochMs
    .nullable()
    .describe("Time of the first answered request from windows.rejoin.instance at or after its afterMs; null if none."),
  firstSampleMs: epochMs.nullable(),
  lastSampleMs: epochMs.nullable(),
  series: z.array(secondPointSchema).describe("One point per second from the first record to the last."),
});

/** A threshold with its outcome, as run.json's results.thresholds holds it. */
export const thresholdResultSchema = z.strictObject({
  expr: z.string(),
  metric: z.enum(thresholdMetrics),
  op: z.enum(thresholdOps),
  value: z.number(),
  actual: z.number().nullable(),
  ok: z.boolean(),
});

export const runResultsSchema = aggregateResultSchema.extend({
  sessions: aggregateResultSchema.shape.sessions.extend({
    lostExpected: count.describe(
      "From the store audit: active sessions held by each instance (or the store) at the moment it was taken away.",
    ),
  }),
  requests: aggregateResultSchema.shape.requests.extend({
    inFlightAtFault: count
      .nullable()
      .describe(
        "Requests the balancer had in progress on each victim just before it was taken away (or never answered).",
      ),
    retriedByBalancer: z
      .strictObject({ retries: z.number().int(), redispatches: z.number().int() })
      .nullable()
      .describe(
        "Connection attempts the balancer retried and requests it redispatched while the load ran (HAProxy's wretr, wredis): failures it hid. Null where the balancer does not count them.",
      ),
  }),
  detectionMs: z.number().nullable().describe("Fault to the balancer marking the victim DOWN (ms)."),
  undetected: z
    .strictObject({
      fromMs: epochMs,
      toMs: epochMs,
      requests: count,
      failed: count,
      victimSharePercent: z.number().nullable(),
    })
    .nullable()
    .describe(
      "The whole seconds between the fault landing and the balancer marking the victim DOWN: requests sent, failed, and the victim's share (%) of the answered traffic before the fault. Null without an instance fault detected within the run.",
    ),
  recoveryMs: z
    .number()
    .nullable()
    .describe("Fault to the error rate ((failed + lost) / requests per second) being back at its baseline (ms)."),
  rejoinMs: z
    .number()
    .nullable()
    .describe(
      "From the start of the action that brought an instance back (restart, replacement, thaw) to the first request it answered; null when it never did.",
    ),
  thresholds: z.array(thresholdResultSchema).describe("The plan's thresholds with their outcome."),
  baselineErrorRate: z.number().nullable(),
  loadGenerator: z
    .strictObject({ engineCpuPercent: percentOfCpu, machineCpuPercent: percentOfCpu })
    .describe("CPU of the load engine process (all its threads, % of one core) and of the machine (%): mean and max."),
  trust: z
    .strictObject({ trustworthy: z.boolean(), warnings: z.array(z.string()) })
    .describe("Whether the numbers can be trusted (no dropped iterations, no saturated CPU), and why not."),
});

export type Windows = z.infer<typeof windowsSchema>;
export type Percentiles = z.infer<typeof percentilesSchema>;
export type StartLag = z.infer<typeof startLagSchema>;
export type StoreTime = z.infer<typeof storeTimeSchema>;
export type SecondPoint = z.infer<typeof secondPointSchema>;
export type WindowCounts = z.infer<typeof windowCountsSchema>;
export type LostUpdate = z.infer<typeof lostUpdateSchema>;
export type LostUpdateCounts = z.infer<typeof lostUpdateCountsSchema>;
export type LostUpdateResult = z.infer<typeof lostUpdateResultSchema>;
export type AggregateResult = z.infer<typeof aggregateResultSchema>;
export type ThresholdResult = z.infer<typeof thresholdResultSchema>;
export type RunResults = z.infer<typeof runResultsSchema>;
