// A fault is a small named unit that changes one explicit target; probes that observe live elsewhere.
import type { FaultAction, FaultShape } from "../plan/faults.ts";
import type { Platform, StoreFaultKind } from "../platforms/types.ts";

export interface FaultContext {
  platform: Platform;
  signal?: AbortSignal;
  /**
   * Call just before taking an instance away: the runner audits the store and reads the
   * balancer's in-flight count for it (probes, kept out of the fault itself).
   */
  beforeTakingAway(instance: string): Promise<void>;
  /**
   * Call just before a store fault: the runner audits the shared store (the live sessions, and
   * how many this fault will lose), where the platform's store can be audited.
   */
  beforeStoreFault(fault: StoreFaultKind): Promise<void>;
  /** Records one step of a compound fault (a rolling restart's per-instance actions). */
  step(action: string, target: string, phase: "start" | "end"): void;
}

/** One fault's code; what it acts on and whether it restores the fleet are its shape in plan/faults.ts. */
export interface FaultUnit {
  action: FaultAction;
  /** Applies the fault to its explicit target; resolves when the action is complete. */
  apply(ctx: FaultContext, target: string): Promise<void>;
}

/** A unit with its shape, as the registry gives it. */
export type RegisteredFault = FaultUnit & FaultShape;

/** Every destructive action refuses to run without an explicit target. */
export function requireTarget(action: string, target: string | undefined): string {
  if (!target) throw new Error(`fault ${action}: refusing to run without an explicit target`);
  return target;
}
