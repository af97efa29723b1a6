// The shape of run.json's results (types only), apart from the code that builds them (results.ts)
// and judges them (thresholds.ts), so that neither imports the other's module for its types.
import type { Threshold } from "../plan/thresholds.ts";
import type { AggregateResult } from "./aggregate.ts";

/** A threshold with its outcome, as run.json's results.thresholds holds it. */
export interface ThresholdResult extends Threshold {
  actual: number | null;
  ok: boolean;
}

export interface RunResults extends AggregateResult {
  sessions: AggregateResult["sessions"] & {
    /** From the store audit: active sessions held by each instance at the moment it was taken away. */
    lostExpected: number;
  };
  requests: AggregateResult["requests"] & {
    /** Requests the balancer had in progress on each victim just before it was taken away. */
    inFlightAtFault: number | null;
    /**
     * Connection attempts the balancer retried and requests it redispatched to another server
     * while the load ran (HAProxy's wretr, wredis): failures it hid from the clients. Null where
     * the balancer does not count them.
     */
    retriedByBalancer: { retries: number; redispatches: number } | null;
  };
  /** Fault to the balancer marking the victim DOWN. */
  detectionMs: number | null;
  /**
   * The whole seconds between the fault landing and the balancer marking the victim DOWN: the
   * requests sent, the failed ones, and the victim's share of the answered traffic before the
   * fault. A balancer that does not retry fails about share × requests of them; one that retries
   * on another server hides them. Null without an instance fault detected within the run.
   */
  undetected: {
    fromMs: number;
    toMs: number;
    requests: number;
    failed: number;
    /** The victim's share of the answered requests before the fault, in percent. */
    victimSharePercent: number | null;
  } | null;
  /** Fault to the error rate ((failed + lost) / requests per second) being back at its baseline. */
  recoveryMs: number | null;
  /**
   * From the start of the action that brought an instance back (restart, terminate's
   * replacement, thaw) to the first request it answered again; null when it never did.
   */
  rejoinMs: number | null;
  thresholds: ThresholdResult[];
  baselineErrorRate: number | null;
  loadGenerator: {
    /** The load engine process (all its worker threads), in % of one core. */
    engineCpuPercent: { mean: number | null; max: number | null };
    machineCpuPercent: { mean: number | null; max: number | null };
  };
  trust: { trustworthy: boolean; warnings: string[] };
}
