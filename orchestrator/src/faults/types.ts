// A fault is a small named unit that changes one explicit target; probes that observe live elsewhere.
import type { Platform } from "../platforms/types.ts";

/** What a fault acts on: one instance ("app-2"), the whole fleet ("fleet"), or the session store ("store"). */
export type TargetKind = "instance" | "fleet" | "store";

export interface FaultContext {
  platform: Platform;
  signal?: AbortSignal;
  /**
   * Call just before taking an instance away: the runner audits the store and reads the
   * balancer's in-flight count for it (probes, kept out of the fault itself).
   */
  beforeTakingAway(instance: string): Promise<void>;
  /** Records one step of a compound fault (a rolling restart's per-instance actions). */
  step(action: string, target: string, phase: "start" | "end"): void;
}

export interface FaultUnit {
  action: string;
  targetKind: TargetKind;
  /** True when the fleet is whole again once the action has ended (a restart, a replacement, ...). */
  restores: boolean;
  /** Applies the fault to its explicit target; resolves when the action is complete. */
  apply(ctx: FaultContext, target: string): Promise<void>;
}

/** Every destructive action refuses to run without an explicit target. */
export function requireTarget(action: string, target: string | undefined): string {
  if (!target) throw new Error(`fault ${action}: refusing to run without an explicit target`);
  return target;
}
