// How a fault is written for people, in every place that shows one: "crash app-2 at 20s".
import { formatDuration } from "./duration.ts";

/** "crash app-2": the action and its target (a timeline marker, a dry-run line). */
export function faultLabel(fault: { action: string; target: string }): string {
  return `${fault.action} ${fault.target}`;
}

/** "crash app-2 at 20s": the label and when the plan applies it, from the load's start. */
export function describeFault(fault: { action: string; target: string; atMs: number }): string {
  return `${faultLabel(fault)} at ${formatDuration(fault.atMs)}`;
}
