// Walks a plan's faults with the real fault units against a recorder that does nothing, so that
// what --dry-run prints and what the ec2 guard checks are exactly the steps a run would take.
// Every instance reads as UP to the recorder, so compound faults walk through all their steps.
import type { Fault } from "../plan/faults.ts";
import type { Plan } from "../plan/plan.ts";
import type { InstanceInfo, LbServerState, Platform, PlatformStep } from "../platforms/types.ts";
import { faultUnit } from "./registry.ts";
import type { FaultContext } from "./types.ts";

/** One fault of the plan and the platform steps it takes, in order. */
export interface WalkedFault {
  index: number;
  fault: Fault;
  steps: PlatformStep[];
}

export async function walkPlan(
  plan: Plan,
  instances: readonly InstanceInfo[],
  signal?: AbortSignal,
): Promise<WalkedFault[]> {
  const walked: WalkedFault[] = [];
  const record = (step: PlatformStep) => {
    walked.at(-1)?.steps.push(step);
  };
  const recorder: Platform = {
    name: "plan-walk",
    up: async () => {},
    down: async () => {},
    instances: () => [...instances],
    lbUrl: () => "",
    instanceOp: async (id, op) => record({ kind: "instance", id, op }),
    storeOp: async (op) => {
      record({ kind: "store", op });
      return true;
    },
    lbStates: async () => new Map<string, LbServerState>(instances.map((i) => [i.id, { status: "UP", inFlight: 0 }])),
    auditSessions: async () => ({ activeSessions: 0, storedSessions: 0, shared: false }),
    versions: async () => ({}),
    describe: () => [],
  };
  const ctx: FaultContext = {
    platform: recorder,
    signal,
    beforeTakingAway: async () => {},
    beforeStoreFault: async () => {},
    step: () => {},
  };
  for (const [index, fault] of plan.faults.entries()) {
    walked.push({ index, fault, steps: [] });
    await faultUnit(fault.action).apply(ctx, fault.target);
  }
  return walked;
}

/** True when, after `before`, the instance's disk was wiped and it has not been started since (a start creates it anew). */
export function wipedSinceStart(before: readonly PlatformStep[], id: string): boolean {
  for (let i = before.length - 1; i >= 0; i--) {
    const step = before[i]!;
    if (step.kind !== "instance" || step.id !== id) continue;
    if (step.op === "wipe") return true;
    if (step.op === "start") return false;
  }
  return false;
}
