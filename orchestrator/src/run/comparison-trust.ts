// The chaos summary's last word on a comparison: whether every run in it can be trusted (pure).
import type { RunRecord } from "./run-record.ts";

/** The last word on the comparison: every run trustworthy, or which are not and why (pure). */
export function trustLine(records: readonly RunRecord[], rate: number): string {
  if (records.length === 0) return "[chaos] no run finished: nothing to compare";
  const untrusted = records.filter((r) => r.results?.trust.trustworthy !== true);
  if (untrusted.length === 0) return `[chaos] every run trustworthy at ${rate} iterations/s: the comparison holds`;
  const why = untrusted
    .map((r) => `${r.plan.strategy} (${r.results ? r.results.trust.warnings.join("; ") : "no results"})`)
    .join("; ");
  return `[chaos] NOT TRUSTWORTHY comparison at ${rate} iterations/s: ${why}`;
}
