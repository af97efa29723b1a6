// The narrow platform interface: everything the orchestrator may do to a fleet, and nothing more.
import type { z } from "zod";
import type { Plan } from "../plan/plan.ts";
import type { ApiCallDetail, LbStatus, SessionAudit, StoreAudit } from "../run/event-schema.ts";

// The audits and the API calls are recorded as events: their shapes are run.json's (run/event-schema.ts).
export type { LbStatus, SessionAudit, StoreAudit };

export interface InstanceInfo {
  /** "app-1", "app-2", ... */
  id: string;
  /** Where the instance itself answers, bypassing the balancer (for readiness checks). */
  url: string;
}

/** Primitive operations on one instance; faults are built from these. */
export type InstanceOp =
  | "kill" // SIGKILL: gone at once, disk kept
  | "stop" // SIGTERM: graceful drain
  | "start" // start again (same disk) and wait until it answers
  | "pause" // SIGSTOP
  | "resume" // SIGCONT
  | "wipe" // delete the instance's local session disk (only while it is not running)
  | "deregister" // take it out of the balancer and wait until it has no request in flight (bounded)
  | "register"; // put it back into the balancer's rotation

/**
 * Operations on the shared session store, where the strategy has one: `stop` (store-down: gone,
 * its data kept), `start` (store-up), `restart` (killed and started again at once: it keeps what
 * its persistence kept).
 */
export type StoreOp = "stop" | "start" | "restart";

/** What a store fault does to the data: `down` keeps it; `restart` keeps what persistence kept. */
export type StoreFaultKind = "down" | "restart";

export interface LbServerState {
  status: LbStatus;
  /** Requests the balancer has in progress on this server right now. */
  inFlight: number;
  /**
   * Requests this server took and never answered in full, since the balancer started (HAProxy's
   * eresp, which includes srv_abrt). Rises when a server dies with requests in flight; absent where
   * the balancer does not count it. HAProxy leaves out one case: a request that was not the first
   * on its client connection is closed silently, so that the client retries it (no answer, no
   * count, no log line); the load engine records it as `reset`.
   */
  abortedTotal?: number;
  /**
   * Connection attempts to this server the balancer retried (HAProxy's wretr) and requests it
   * redispatched from it to another server (wredis), since the balancer started: failures the
   * client never saw. Absent where the balancer does not count them.
   */
  retried?: { retries: number; redispatches: number };
}

/** One thing a platform does, as --dry-run describes it. */
export type PlatformStep =
  | { kind: "up" }
  | { kind: "down" }
  | { kind: "instance"; id: string; op: InstanceOp }
  | { kind: "store"; op: StoreOp };

/** One call a platform made to a cloud API (EC2, ELBv2): recorded as an event (its shape there), never credentials. */
export type ApiCall = ApiCallDetail & {
  /** Wall-clock ms when the call ended. */
  t: number;
};

/**
 * The balancer's settings as the platform read them from the balancer itself (an ELBv2 target
 * group), where the plan's profile cannot set them: these, not the profile, are what was true.
 */
export interface BalancerSettings {
  /** Where they were read: "target group arn:...". */
  source: string;
  intervalMs: number;
  timeoutMs: number;
  fall: number;
  rise: number;
  drainTimeoutMs: number;
  /** The sticky cookie when stickiness is on, else null. */
  stickyCookie: { name: string; maxAgeS?: number } | null;
}

export interface Platform {
  readonly name: string;
  /** Brings up the store, the instances and the balancer; resolves once all answer. */
  up(signal?: AbortSignal): Promise<void>;
  /** Stops everything it started. Safe to call more than once, and after a failed up(). */
  down(): Promise<void>;
  instances(): InstanceInfo[];
  lbUrl(): string;
  instanceOp(id: string, op: InstanceOp, signal?: AbortSignal): Promise<void>;
  lbStates(): Promise<Map<string, LbServerState>>;
  /**
   * Stops or starts the shared session store, keeping its data. Resolves to false when the
   * strategy has no shared store (sessions on each instance's disk): nothing to stop.
   */
  storeOp(op: StoreOp, signal?: AbortSignal): Promise<boolean>;
  /** Sessions held by one instance; activeWithinMs picks the ones used recently. */
  auditSessions(id: string, activeWithinMs: number): Promise<SessionAudit>;
  /**
   * The shared store's audit just before a store fault; absent or null where the store cannot be
   * audited (no shared store, or one out of reach).
   */
  auditStore?(activeWithinMs: number, fault: StoreFaultKind): Promise<StoreAudit | null>;
  /** Versions of the parts (HAProxy, store, ...) for the run record. */
  versions(): Promise<Record<string, string>>;
  /**
   * The exact commands or API calls one step would make, for --dry-run. Does nothing and changes
   * no state: `before` is the steps a run would have taken until then (after a wipe, a start
   * creates the instance anew).
   */
  describe(step: PlatformStep, before: readonly PlatformStep[]): string[];
  /** Read-only work a dry run needs first (finding the fleet); changes nothing. */
  prepareDryRun?(signal?: AbortSignal): Promise<void>;
  /** Platforms whose balancer is not configured from the profile read its real settings (after up). */
  balancerSettings?(signal?: AbortSignal): Promise<BalancerSettings>;
  /** Platforms that call cloud APIs report every call to this listener (the run's event log). */
  onApiCall?(listener: (call: ApiCall) => void): void;
}

/** A command-line flag's value as node:util parseArgs gives it. */
export type FlagValue = string | boolean | string[] | undefined;

/**
 * A platform, described once in platforms/<name>/index.ts: its name, its own flags and their
 * help, the plan section those flags resolve to (validated here, at the edge: plan/ does not know
 * it), and its factory. Listed once in platforms/index.ts.
 */
export interface PlatformDescriptor {
  name: string;
  /** For --help: what the platform is, in a few words. */
  summary: string;
  /** Flags only this platform takes (node:util parseArgs options); others refuse them. */
  flags: Record<string, { type: "string" | "boolean"; multiple?: boolean }>;
  /** The help block for those flags ("" when it has none). */
  help: string;
  /** The schema of the plan's `platformOptions`; absent: the platform takes none. */
  optionsSchema?: z.ZodType;
  /**
   * The plan's `platformOptions` from the platform's flags (undefined: the platform has none);
   * throws InputError naming the flag. `env`: where defaults such as AWS_REGION come from.
   */
  optionsFromFlags(values: Record<string, FlagValue>, env: NodeJS.ProcessEnv): Record<string, unknown> | undefined;
  /** Plan options this platform cannot apply: each a line the run and --dry-run print (empty: none). */
  unappliedOptions?(plan: Plan): string[];
  /**
   * True when its balancer is not on this machine's loopback (ec2: a real load balancer), so that the load
   * engine may send to it (LoadConfig.allowRemote); the load engine refuses a remote URL otherwise.
   */
  remoteLoad?: boolean;
  /** Makes the platform; `options`: `plan.platformOptions` as `optionsSchema` parsed it. */
  create(plan: Plan, runDir: string, options: unknown): Platform;
}
