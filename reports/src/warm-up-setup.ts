// The report's set-up line for the warm-up (pure): how long, at what rate, and where latency settled.
import type { RunEvent } from "../../orchestrator/src/run/events.ts";
import { formatCount, formatMs } from "./html.ts";

const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** The warm-up event's detail in words; "none" when the run had no warm-up (--no-load). */
export function describeWarmUp(events: readonly RunEvent[]): string {
  const event = events.find((e) => e.type === "warm-up");
  const d = event && "detail" in event ? ((event.detail as Record<string, unknown> | undefined) ?? null) : null;
  if (!d) return "none";
  const ms = num(d.ms);
  const seconds = ms === null ? "?" : (ms / 1000).toFixed(1);
  const counts = `${formatCount(num(d.requests))} requests, ${formatCount(num(d.failed))} failed`;
  const rate = num(d.rate);
  // Runs before the warm-up ran at the run's own rate recorded only counts and p95s.
  if (rate === null) return `${seconds} s, ${counts} (recorded before the warm-up ran at the run's rate)`;
  const final = (d.final ?? {}) as Record<string, unknown>;
  const dropped = num(d.dropped) ?? 0;
  const head = `${seconds} s at ${rate} iterations/s over ${formatCount(num(d.users))} people: ${counts}${dropped > 0 ? `, ${formatCount(dropped)} iterations dropped` : ""}`;
  const where = `p50 ${formatMs(num(final.p50))}, p95 ${formatMs(num(final.p95))}`;
  const cpu = num(final.machineCpuPercent);
  const machine = cpu === null ? "" : `, machine CPU ${cpu}%`;
  return d.settled === true
    ? `${head}; latency stable at ${where}${machine}`
    : `${head}; latency not stable within the bound (last: ${where}${machine}): the before window may be slow`;
}
