// A fault is a small named unit that changes one instance; probes that observe live elsewhere.
import type { Platform } from "../platforms/types.ts";

export interface FaultUnit {
  action: string;
  /** True when the fault takes the instance's sessions and requests away (the runner audits first). */
  takesInstanceAway: boolean;
  /** Applies the fault to one explicit target; resolves when the action is complete. */
  apply(platform: Platform, target: string, signal?: AbortSignal): Promise<void>;
}

/** Every destructive action refuses to run without an explicit target. */
export function requireTarget(action: string, target: string | undefined): string {
  if (!target) throw new Error(`fault ${action}: refusing to run without an explicit target`);
  return target;
}
