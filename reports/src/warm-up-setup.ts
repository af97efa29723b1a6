// The report's set-up line for the warm-up (pure): how long, at what rate, and where latency settled.
import type { WarmUpResult } from "../../orchestrator/src/run/event-schema.ts";
import type { RunEvent } from "../../orchestrator/src/run/events.ts";
import type { WarmUpResultV1 } from "../../orchestrator/src/run/run-record-schema.ts";
import { formatCount, formatMs } from "./html.ts";

/** The warm-up event's detail in words; "none" when the run had no warm-up (--no-load). */
export function describeWarmUp(events: readonly RunEvent[]): string {
  const event = events.find((e) => e.type === "warm-up");
  if (!event) return "none";
  // Records before schema 2 may hold the older detail (counts only): see run-record-schema.ts.
  const d: WarmUpResult | WarmUpResultV1 = event.detail;
  const seconds = (d.ms / 1000).toFixed(1);
  const counts = `${formatCount(d.requests)} requests, ${formatCount(d.failed)} failed`;
  // Runs before the warm-up ran at the run's own rate recorded only counts and p95s.
  if (!("rate" in d)) return `${seconds} s, ${counts} (recorded before the warm-up ran at the run's rate)`;
  const { final, rate } = d;
  const head = `${seconds} s at ${rate} iterations/s over ${formatCount(d.users)} people: ${counts}${d.dropped > 0 ? `, ${formatCount(d.dropped)} iterations dropped` : ""}`;
  const where = `p50 ${formatMs(final.p50)}, p95 ${formatMs(final.p95)}`;
  const machine = final.machineCpuPercent === null ? "" : `, machine CPU ${final.machineCpuPercent}%`;
  return d.settled
    ? `${head}; latency stable at ${where}${machine}`
    : `${head}; latency not stable within the bound (last: ${where}${machine}): the before window may be slow`;
}
