// The fault windows of a run (before, during, after its faults), derived from its events in this
// one place: the aggregation splits the records by them and the results and the report read them back.
import { faultUnit } from "../faults/registry.ts";
import { type FaultEvent, isFaultStep } from "../run/event-schema.ts";
import type { RunEvent } from "../run/events.ts";
import type { Windows } from "./aggregate.ts";

export type { FaultEvent };

export type FaultWindows = Windows;

/**
 * The windows around the plan's faults: `during` runs from the first fault's start until the
 * fleet is whole again: the end of the last fault when that fault restores the fleet (a restart,
 * a replacement, a thaw, the store back), or later, when the balancer sees the restored instance
 * UP again only after that. When the last fault leaves the fleet short, `during` lasts to the
 * end. With no fault, everything is `before`. `rejoin` watches the restored instance's traffic.
 */
export function faultWindows(events: readonly RunEvent[]): FaultWindows {
  const faults = events.filter((e): e is FaultEvent => e.type === "fault" && !isFaultStep(e));
  const first = faults.find((e) => e.phase === "start");
  if (!first) return {};
  const last = faults.at(-1)!;
  if (last.phase !== "end" || !faultUnit(last.action).restores) return { faultStartMs: first.t };
  const isInstance = faultUnit(last.action).targetKind === "instance";
  const up = isInstance
    ? events.find((e) => e.type === "lb-state" && e.target === last.target && e.state === "UP" && e.t >= last.t)
    : undefined;
  const restoreStart = faults.findLast(
    (e) => e.phase === "start" && e.action === last.action && e.target === last.target,
  );
  return {
    faultStartMs: first.t,
    faultEndMs: up?.t ?? last.t,
    ...(isInstance ? { rejoin: { instance: last.target, afterMs: restoreStart?.t ?? last.t } } : {}),
  };
}

/** The first fault of the plan (its start event; steps of a compound fault excluded), if any. */
export function firstFault(events: readonly RunEvent[]): FaultEvent | undefined {
  return events.find((e): e is FaultEvent => e.type === "fault" && e.phase === "start" && !isFaultStep(e));
}

/** When the first fault's unit began (its probes, then the action): the start event's `beganAt`. */
export function faultBeganAt(events: readonly RunEvent[]): number | undefined {
  const first = firstFault(events);
  // Runs recorded before the start event carried its detail: the event's own time.
  return first?.detail && "beganAt" in first.detail ? first.detail.beganAt : first?.t;
}
