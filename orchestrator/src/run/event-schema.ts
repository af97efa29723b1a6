// The schema of run.json's events (zod; part of the run record's schema, run-record-schema.ts): one
// shape per event type, each with its own detail, as a union on `type`. The types are inferred from it.
import { z } from "zod";

const count = z.number().int().nonnegative();
/** Epoch ms. */
const epochMs = z.number().int();

/** One second of a driven load (the warm-up, the rate check), as the engine reported it. */
export const loadSecondSchema = z.strictObject({
  /** Iterations per second asked for during this second. */
  rate: z.number(),
  requests: count,
  /**
   * Failed as the scenario counts failures: a transport error or a 5xx. A 4xx is an answer (a
   * session the `local` strategy's round robin misses is a 401, by design) and counts in latency.
   */
  failed: count,
  /** Iterations due that could not start because every person was still busy: the fleet fell behind. */
  dropped: count,
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  /** The machine's CPU use over about this second, in %, when /proc/stat is readable. */
  machineCpuPercent: z.number().nullable(),
  /** The load engine's own CPU over about this second, in % of one core (all its threads). */
  engineCpuPercent: z.number().nullable(),
});

/** The warm-up before the load (warm-up.ts): how long, at what rate, and where latency settled. */
export const warmUpResultSchema = z.strictObject({
  /** Iterations per second (the run's rate) and the pool of users. */
  rate: z.number(),
  users: count,
  requests: count,
  failed: count,
  dropped: count,
  ms: z.number().int().nonnegative(),
  /** True when latency was stable (latencySettled); false when the warm-up hit its bound first. */
  settled: z.boolean(),
  /** Median p50 and p95 of the last seconds judged (the window of the stability rule). */
  final: z.strictObject({
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    machineCpuPercent: z.number().nullable(),
  }),
  seconds: z.array(loadSecondSchema),
});

/** What the session store held for one instance at one moment (the store audit). */
export const sessionAuditSchema = z.strictObject({
  /** Users whose session lives only on this instance and was used recently. */
  activeSessions: count,
  /** All unexpired sessions stored by this instance. */
  storedSessions: count,
  /** True when the strategy keeps sessions off the instance (shared store): nothing can be lost. */
  shared: z.boolean(),
});

/** What the shared store held just before a store fault (the store audit), where it can be read. */
export const storeAuditSchema = z.strictObject({
  /** The live sessions this fault will lose: counted into sessions.lostExpected. */
  activeSessions: count,
  /** Logged-in users whose session was used recently, just before the fault. */
  liveSessions: count,
  /** Session keys in the store, live or idle. */
  storedSessions: count,
  shared: z.literal(true),
  /** The store's persistence, as the audit judged the loss by it. */
  persistence: z.string(),
});

/** How the audit was taken: the window a session counts as live in, and how long the audit took. */
const auditTaken = { activeWithinMs: count, auditMs: count };

/** The audit's detail: an instance's (with the balancer's in-flight count), the store's, or why the store's failed. */
export const auditDetailSchema = z.union([
  sessionAuditSchema.extend({
    /** Requests the balancer had in progress on the instance; null where it does not say. */
    inFlight: count.nullable(),
    ...auditTaken,
  }),
  storeAuditSchema.extend(auditTaken),
  z.strictObject({ error: z.string(), auditMs: count }),
]);

/** One call a platform made to a cloud API (EC2, ELBv2): never credentials. */
export const apiCallSchema = z.strictObject({
  service: z.string(),
  command: z.string(),
  input: z.record(z.string(), z.unknown()),
  ok: z.boolean(),
  ms: z.number().nonnegative(),
  error: z.string().optional(),
});

/** A server's state as the balancer reports it. */
export const lbStatusSchema = z.enum(["UP", "DOWN", "MAINT", "UNKNOWN"]);

const exit = { exitCode: z.number().int().nullable(), signal: z.string().nullable() };

/** The fault's first action landed (after its probes): when it was planned, began, and how long the probes took. */
const faultLanded = z.strictObject({ plannedAt: epochMs, beganAt: epochMs, probesMs: z.number().int() });
/** One step of a compound fault (a rolling restart's stop and replacement of each instance). */
const faultStep = z.strictObject({ step: z.literal(true) });

// The descriptions go into docs/run.schema.json.
export const runEventSchema = z.discriminatedUnion("type", [
  z
    .strictObject({ t: epochMs, type: z.literal("warm-up"), detail: warmUpResultSchema })
    .describe("The warm-up before the load, at the run's rate (absent with --no-load)."),
  z.strictObject({ t: epochMs, type: z.literal("load-start") }).describe("The load engine started."),
  z
    .strictObject({
      t: epochMs,
      type: z.literal("load-end"),
      detail: z.strictObject({ stoppedBy: z.literal("harness").optional(), ...exit }),
    })
    .describe('How the load engine ended; stoppedBy "harness" when the run stopped it (a failure or an interruption).'),
  z
    .strictObject({
      t: epochMs,
      type: z.literal("fault"),
      action: z.string().min(1),
      target: z.string().min(1),
      phase: z.enum(["start", "end"]),
      detail: z.union([faultLanded, faultStep]).optional(),
    })
    .describe(
      'A fault starting (when its first action landed, after its probes) or ending; detail.step: one step of a compound fault, its action "deregister", "stop" or "replace".',
    ),
  z
    .strictObject({ t: epochMs, type: z.literal("lb-state"), target: z.string(), state: lbStatusSchema })
    .describe("A server's state as the balancer reported it, when it changed."),
  z
    .strictObject({ t: epochMs, type: z.literal("audit"), target: z.string(), detail: auditDetailSchema })
    .describe(
      "The store audit (with the balancer's in-flight count) just before a fault takes an instance away, or before a store fault (target store; error when it failed).",
    ),
  z
    .strictObject({
      t: epochMs,
      type: z.literal("probe"),
      target: z.string(),
      detail: z.strictObject({ abortedInFlight: z.number().int() }),
    })
    .describe(
      "Requests the victim took and never answered: the balancer's count one second after the fault minus just before.",
    ),
  z
    .strictObject({
      t: epochMs,
      type: z.literal("lb-counters"),
      detail: z.strictObject({
        phase: z.enum(["start", "end"]),
        retries: z.number().int(),
        redispatches: z.number().int(),
      }),
    })
    .describe(
      "The balancer's retry counters over the fleet (HAProxy's wretr, wredis) when the load starts and ends: results.requests.retriedByBalancer is the difference.",
    ),
  z
    .strictObject({ t: epochMs, type: z.literal("api-call"), detail: apiCallSchema })
    .describe("One cloud API call the platform made (ec2), never credentials; t is when it ended."),
]);

export type RunEvent = z.infer<typeof runEventSchema>;
export type RunEventType = RunEvent["type"];
export type FaultEvent = Extract<RunEvent, { type: "fault" }>;
export type AuditEvent = Extract<RunEvent, { type: "audit" }>;
export type LbStatus = z.infer<typeof lbStatusSchema>;
export type LoadSecond = z.infer<typeof loadSecondSchema>;
export type WarmUpResult = z.infer<typeof warmUpResultSchema>;
export type SessionAudit = z.infer<typeof sessionAuditSchema>;
export type StoreAudit = z.infer<typeof storeAuditSchema>;
export type ApiCallDetail = z.infer<typeof apiCallSchema>;

/** True for a step of a compound fault (not the plan's fault itself). */
export function isFaultStep(event: FaultEvent): boolean {
  return event.detail !== undefined && "step" in event.detail;
}
