// --dry-run: walks the plan with the real fault units against a recorder that describes each
// platform step instead of doing it, so the printed sequence is exactly what a run would do.
import { faultUnit } from "../faults/registry.ts";
import type { FaultContext } from "../faults/types.ts";
import { formatDuration } from "../plan/duration.ts";
import { faultLabel } from "../plan/fault-text.ts";
import type { Plan } from "../plan/plan.ts";
import type { LbServerState, Platform, PlatformStep } from "../platforms/types.ts";

export interface DryRunLine {
  /** "bring-up", "at 20s" (from the load's start) or "tear-down". */
  when: string;
  text: string;
}

export async function dryRun(plan: Plan, platform: Platform, signal?: AbortSignal): Promise<DryRunLine[]> {
  await platform.prepareDryRun?.(signal);
  const lines: DryRunLine[] = [];
  let when = "bring-up";
  const record = (step: PlatformStep) => {
    for (const text of platform.describe(step)) lines.push({ when, text });
  };
  record({ kind: "up" });
  if (plan.load.k6) {
    lines.push({
      when: "at 0s",
      text: `k6 run ${plan.load.scenario}   # ${formatDuration(plan.load.durationMs)} at ${plan.load.rate}/s over ${plan.load.sessions} sessions, against the balancer`,
    });
  }
  // Every instance reads as UP to the recorder, so compound faults walk through all their steps.
  const recorder: Platform = {
    ...platform,
    name: platform.name,
    instances: () => platform.instances(),
    lbUrl: () => platform.lbUrl(),
    up: async () => {},
    down: async () => {},
    versions: async () => ({}),
    describe: (step) => platform.describe(step),
    instanceOp: async (id, op) => record({ kind: "instance", id, op }),
    storeOp: async (op) => {
      record({ kind: "store", op });
      return true;
    },
    lbStates: async () =>
      new Map<string, LbServerState>(platform.instances().map((i) => [i.id, { status: "UP", inFlight: 0 }])),
    auditSessions: async () => ({ activeSessions: 0, storedSessions: 0, shared: false }),
  };
  const ctx: FaultContext = { platform: recorder, signal, beforeTakingAway: async () => {}, step: () => {} };
  for (const fault of plan.faults) {
    when = `at ${formatDuration(fault.atMs)}`;
    lines.push({ when, text: `# ${faultLabel(fault)}` });
    await faultUnit(fault.action).apply(ctx, fault.target);
  }
  when = "tear-down";
  record({ kind: "down" });
  return lines;
}

export function formatDryRun(plan: Plan, lines: readonly DryRunLine[]): string {
  const head = `dry run: ${plan.strategy} on ${plan.platform}, ${plan.instances} instances, seed ${plan.seed}, faults from ${plan.faultSource}; nothing was started`;
  const body = lines.map((l) => `${l.when.padEnd(10)} ${l.text}`);
  return [head, ...body].join("\n");
}
