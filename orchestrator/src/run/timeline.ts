// Applies the plan's faults at their times, with the store audit and balancer probes around them.
import { faultUnit } from "../faults/registry.ts";
import type { FaultContext } from "../faults/types.ts";
import { describeFault } from "../plan/fault-text.ts";
import type { Plan } from "../plan/plan.ts";
import type { LbServerState, Platform } from "../platforms/types.ts";
import { sleep } from "../process/poll.ts";
import type { EventLog } from "./events.ts";

export interface TimelineInput {
  plan: Plan;
  platform: Platform;
  log: EventLog;
  /** Wall-clock ms the fault times are relative to (the load's start). */
  t0: number;
  signal: AbortSignal;
  /** A session counts as live in the audit when it was used this recently. */
  activeWithinMs: number;
  /** Called when a fault starts and ends (progress display). */
  onFault?: (line: string) => void;
}

export async function runTimeline(input: TimelineInput): Promise<void> {
  const { plan, platform, log, signal } = input;
  const followUps: Promise<void>[] = [];
  const say = input.onFault ?? ((line: string) => console.log(line));
  /** The fault being applied: its start is recorded when its first action lands (after the probes). */
  let current: { fault: Plan["faults"][number]; beganAt: number; landed: boolean } | undefined;
  const land = () => {
    if (!current || current.landed) return;
    current.landed = true;
    const { fault, beganAt } = current;
    const t = Date.now();
    log.add(
      {
        type: "fault",
        action: fault.action,
        target: fault.target,
        phase: "start",
        detail: { plannedAt: input.t0 + fault.atMs, beganAt, probesMs: t - beganAt },
      },
      t,
    );
  };
  const ctx: FaultContext = {
    platform: landingPlatform(platform, land),
    signal,
    async beforeTakingAway(instance) {
      // Probes: what the balancer has in flight there and what the store holds, then (later)
      // how many requests the instance took and never answered.
      const started = Date.now();
      const before = (await platform.lbStates().catch(() => new Map<string, LbServerState>())).get(instance);
      const audit = await platform.auditSessions(instance, input.activeWithinMs);
      log.add({
        type: "audit",
        target: instance,
        detail: {
          inFlight: before?.inFlight ?? null,
          ...audit,
          activeWithinMs: input.activeWithinMs,
          auditMs: Date.now() - started,
        },
      });
      if (before?.abortedTotal !== undefined)
        followUps.push(countAborted(platform, log, instance, before.abortedTotal));
    },
    async beforeStoreFault(fault) {
      const started = Date.now();
      let audit: Awaited<ReturnType<NonNullable<Platform["auditStore"]>>>;
      try {
        audit = (await platform.auditStore?.(input.activeWithinMs, fault)) ?? null;
      } catch (err) {
        // The fault goes on; the record says the prediction is missing and why.
        const error = (err as Error).message;
        say(`[fault] warning: the store audit failed (${error}): sessions.lostExpected does not count this fault`);
        log.add({ type: "audit", target: "store", detail: { error, auditMs: Date.now() - started } });
        return;
      }
      if (!audit) return;
      log.add({
        type: "audit",
        target: "store",
        detail: { ...audit, activeWithinMs: input.activeWithinMs, auditMs: Date.now() - started },
      });
    },
    step(action, target, phase) {
      if (phase === "start") land();
      log.add({ type: "fault", action, target, phase, detail: { step: true } });
    },
  };
  try {
    for (const fault of plan.faults) {
      const wait = input.t0 + fault.atMs - Date.now();
      if (wait > 0) await sleep(wait, signal);
      signal.throwIfAborted();
      say(`[fault] ${describeFault(fault)}`);
      current = { fault, beganAt: Date.now(), landed: false };
      await faultUnit(fault.action).apply(ctx, fault.target);
      land(); // a fault that changed nothing through the platform (no shared store to stop) ends here
      log.add({ type: "fault", action: fault.action, target: fault.target, phase: "end" });
      current = undefined;
    }
  } finally {
    await Promise.all(followUps);
  }
}

/**
 * The platform as a fault unit sees it: the first instance or store operation marks the moment
 * the fault lands (the `fault` start event), so that the probes before it (the store audit, the
 * balancer's in-flight count) do not count towards detection times.
 */
function landingPlatform(platform: Platform, land: () => void): Platform {
  return new Proxy(platform, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop === "instanceOp" || prop === "storeOp") {
        return (...args: unknown[]) => {
          land();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
}

/**
 * The requests an instance took and never answered: the balancer's abort counter for it one
 * second after it was taken away, minus just before. This catches requests that arrived while
 * the kill was under way, which the in-flight probe before it cannot see.
 */
async function countAborted(platform: Platform, log: EventLog, target: string, before: number): Promise<void> {
  await sleep(1000);
  const after = (await platform.lbStates().catch(() => new Map<string, LbServerState>())).get(target);
  if (after?.abortedTotal === undefined) return;
  log.add({ type: "probe", target, detail: { abortedInFlight: after.abortedTotal - before } });
}
