// --dry-run: walks the plan with the real fault units (faults/walk.ts) and prints how the platform
// would carry out each step, so the printed sequence is exactly what a run would do.
import { walkPlan } from "../faults/walk.ts";
import { formatDuration } from "../plan/duration.ts";
import { faultLabel } from "../plan/fault-text.ts";
import type { Plan } from "../plan/plan.ts";
import { platformDescriptor } from "../platforms/index.ts";
import type { Platform, PlatformStep } from "../platforms/types.ts";
import { unappliedStoreOptions } from "../strategies/index.ts";

export interface DryRunLine {
  /** "bring-up", "at 20s" (from the load's start) or "tear-down". */
  when: string;
  text: string;
}

export async function dryRun(plan: Plan, platform: Platform, signal?: AbortSignal): Promise<DryRunLine[]> {
  await platform.prepareDryRun?.(signal);
  const lines: DryRunLine[] = [];
  const before: PlatformStep[] = [];
  const describe = (when: string, step: PlatformStep) => {
    for (const text of platform.describe(step, before)) lines.push({ when, text });
    before.push(step);
  };
  describe("bring-up", { kind: "up" });
  if (plan.load.enabled) {
    lines.push({
      when: "at 0s",
      text: `node --import tsx load/main.ts --config logs/load-config.json   # ${plan.load.scenario}, ${formatDuration(plan.load.durationMs)} at ${plan.load.rate}/s over ${plan.load.sessions} sessions${plan.load.workers > 1 ? ` in ${plan.load.workers} worker threads` : ""}, against the balancer`,
    });
  }
  for (const { fault, steps } of await walkPlan(plan, platform.instances(), signal)) {
    const when = `at ${formatDuration(fault.atMs)}`;
    lines.push({ when, text: `# ${faultLabel(fault)}` });
    for (const step of steps) describe(when, step);
  }
  describe("tear-down", { kind: "down" });
  return lines;
}
export function formatDryRun(plan: Plan, lines: readonly DryRunLine[]): string {
  const head = `dry run: ${plan.strategy} on ${plan.platform}, ${plan.instances} instances, seed ${plan.seed}, faults from ${plan.faultSource}; nothing was started`;
  const warnings = [
    ...(platformDescriptor(plan.platform).unappliedOptions?.(plan) ?? []),
    ...unappliedStoreOptions(plan),
  ].map((w) => `warning: ${w}`);
  const body = lines.map((l) => `${l.when.padEnd(10)} ${l.text}`);
  return [head, ...warnings, ...body].join("\n");
}
