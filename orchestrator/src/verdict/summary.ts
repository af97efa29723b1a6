// The short summary table printed at the end of a run (pure: returns the text).
import { describeFault } from "../plan/fault-text.ts";
import type { Plan } from "../plan/plan.ts";
import type { RunResults } from "./results.ts";

/** The parts of a run record (run/run-record.ts) the summary shows. */
export interface SummaryInput {
  runId: string;
  status: string;
  error?: string;
  instances: readonly string[];
  balancer?: { behaviour: string };
  plan: Pick<Plan, "strategy" | "platform" | "health" | "faults">;
  results: RunResults | null;
}

function ms(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? "-" : `${Math.round(v)} ms`;
}

/** Start lag is usually below a millisecond: one decimal. */
function ms1(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? "-" : `${Math.round(v * 10) / 10} ms`;
}

export function summaryTable(record: SummaryInput): string {
  const r = record.results;
  const rows: [string, string][] = [
    ["run", `${record.runId} (${record.status})`],
    [
      "strategy",
      `${record.plan.strategy} on ${record.plan.platform}, ${record.instances.length} instances, health ${record.plan.health}`,
    ],
    ["balancer", record.balancer?.behaviour ?? "-"],
    ["faults", record.plan.faults.map(describeFault).join(", ") || "none"],
  ];
  if (record.error) rows.push(["error", record.error.split("\n")[0] ?? ""]);
  if (r) {
    const failed = r.requests.failed;
    const classes = Object.entries(failed)
      .filter(([k, v]) => k !== "total" && v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    rows.push(
      [
        "sessions",
        `started ${r.sessions.started}, lost ${r.sessions.lost} (audit expected ${r.sessions.lostExpected})`,
      ],
      [
        "requests",
        `${r.requests.total}, failed ${failed.total}${classes ? ` (${classes})` : ""}, in flight at fault ${r.requests.inFlightAtFault ?? "-"}`,
      ],
      [
        "retries/undetected",
        [
          r.requests.retriedByBalancer
            ? `retried ${r.requests.retriedByBalancer.retries} connections, redispatched ${r.requests.retriedByBalancer.redispatches}`
            : "retries not counted",
          r.undetected
            ? `while the victim was dead but UP: ${r.undetected.failed} of ${r.undetected.requests} requests failed (its share before: ${r.undetected.victimSharePercent ?? "-"}%)`
            : "",
        ]
          .filter(Boolean)
          .join("; "),
      ],
      ["writes/reads", `indeterminate writes ${r.writes.indeterminate}, stale reads ${r.reads.stale}`],
      ...(r.updates
        ? [
            [
              "lost updates",
              `${r.updates.lost} of ${r.updates.acknowledged} acknowledged writes (before ${r.updates.lostByWindow.before}, during ${r.updates.lostByWindow.during}, after ${r.updates.lostByWindow.after}); ${r.updates.unchecked} unchecked`,
            ] as [string, string],
          ]
        : []),
      [
        "latency p50/p95/p99",
        (["before", "during", "after"] as const)
          .map((w) => `${w} ${ms(r.latency[w].p50)}/${ms(r.latency[w].p95)}/${ms(r.latency[w].p99)}`)
          .join("; "),
      ],
      [
        "start lag",
        r.startLag
          ? `p50/p95/p99/max ${[r.startLag.p50, r.startLag.p95, r.startLag.p99, r.startLag.max].map(ms1).join("/")}`
          : "- (not recorded)",
      ],
      [
        "detection/recovery",
        `${ms(r.detectionMs)} / ${ms(r.recoveryMs)}; restored instance took traffic after ${ms(r.rejoinMs)}`,
      ],
      [
        "load generator",
        `load engine CPU mean ${r.loadGenerator.engineCpuPercent.mean ?? "-"}%, machine ${r.loadGenerator.machineCpuPercent.mean ?? "-"}%, dropped iterations ${r.droppedIterations}`,
      ],
      ...(r.thresholds.length
        ? [
            [
              "thresholds",
              r.thresholds.map((t) => `${t.expr} ${t.ok ? "ok" : `FAILED (${t.actual ?? "no value"})`}`).join(", "),
            ] as [string, string],
          ]
        : []),
      ["trust", r.trust.trustworthy ? "ok" : `NOT TRUSTWORTHY: ${r.trust.warnings.join("; ")}`],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}
