// Warms the fleet before measuring, at the run's own rate with the run's own scenario (the load
// engine, driven live) until latency is stable: JIT compilers (Node, a store's JVM) make the first
// seconds slow, which would otherwise show up as the "before" window's latency.
import { join } from "node:path";
import type { Plan } from "../plan/plan.ts";
import { DrivenLoad } from "./driven-load.ts";
import type { LoadSecond, WarmUpResult } from "./event-schema.ts";
import { loadConfigOf } from "./load-run.ts";

export type { LoadSecond, WarmUpResult };

/** When latency counts as stable (see latencySettled). */
export interface StabilityRule {
  /** Never settled before this many seconds. */
  minSeconds: number;
  /** Seconds judged together: the last `window` against the `window` before them. */
  window: number;
  /** Allowed relative spread of the window's p50 (max − min ≤ spread × median). */
  spread: number;
  /** Absolute slack in ms, so that 4 ms against 5 ms is not called unstable. */
  slackMs: number;
}

export const stabilityRule: StabilityRule = { minSeconds: 10, window: 5, spread: 0.25, slackMs: 2 };

/** The longest a warm-up runs when latency never settles (a noisy machine): then the run goes on, warm-up unsettled. */
export const warmUpMaxMs = 45_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Latency is stable (pure) when at least `minSeconds` (and two windows) have passed and, over the
 * last `window` seconds: every second had answers, no failed request and no dropped iteration
 * (the fleet kept the rate); the p50s lie within max(spread × their median, slackMs) of each
 * other; no p95 exceeds 1.5 × their median p95 + slackMs (no spike); and the median p50 is no more
 * than max(10 %, slackMs) better than the window before (it stopped improving).
 */
export function latencySettled(
  seconds: readonly Pick<LoadSecond, "p50" | "p95" | "failed" | "dropped">[],
  rule: StabilityRule = stabilityRule,
): boolean {
  if (seconds.length < Math.max(rule.minSeconds, 2 * rule.window)) return false;
  const last = seconds.slice(-rule.window);
  const previous = seconds.slice(-2 * rule.window, -rule.window);
  if (last.some((s) => s.p50 === null || s.p95 === null || s.failed > 0 || s.dropped > 0)) return false;
  const p50s = last.map((s) => s.p50!);
  const p95s = last.map((s) => s.p95!);
  const m50 = median(p50s);
  if (Math.max(...p50s) - Math.min(...p50s) > Math.max(rule.spread * m50, rule.slackMs)) return false;
  const m95 = median(p95s);
  if (p95s.some((p) => p > 1.5 * m95 + rule.slackMs)) return false;
  const before = previous.map((s) => s.p50).filter((p): p is number => p !== null);
  if (before.length === 0) return true;
  const m50Before = median(before);
  return m50 >= m50Before - Math.max(0.1 * m50Before, rule.slackMs);
}

/** Median of the last `n` seconds' values of a field, ignoring nulls; null when none. */
export function recentMedian(
  seconds: readonly LoadSecond[],
  field: "p50" | "p95" | "machineCpuPercent" | "engineCpuPercent",
  n: number,
): number | null {
  const values = seconds
    .slice(-n)
    .map((s) => s[field])
    .filter((v): v is number => v !== null);
  return values.length === 0 ? null : Math.round(median(values) * 10) / 10;
}

/** The warm-up's load: the plan's scenario, rate, people and workers, under its own usernames, bounded by `maxMs`. */
export function warmUpLoad(
  plan: Plan,
  baseUrl: string,
  dir: string,
  maxMs: number,
  name = "warm-up",
  allowRemote = false,
): DrivenLoad {
  const config = loadConfigOf(plan, baseUrl, join(dir, "logs", `${name}-records.tsv.gz`), allowRemote);
  return new DrivenLoad(
    {
      ...config,
      runId: `${config.runId.slice(-34)}-${name === "warm-up" ? "warm" : name}`,
      durationMs: maxMs + 10_000,
      // Its people log out at the end (the scenario's end()): no warm-up session is left for the store audit.
      logoutAtEnd: true,
    },
    { logFile: join(dir, "logs", `${name}.log`), name },
  );
}

/**
 * Drives the run's own load (the plan's scenario at its rate over its people, as the run will)
 * until latency is stable by `rule` or `maxMs` passed. Its records and log stay in the run
 * folder's logs/ (warm-up-records.tsv.gz, warm-up.log).
 */
export async function warmUp(
  baseUrl: string,
  plan: Plan,
  dir: string,
  options: { maxMs?: number; rule?: StabilityRule; signal?: AbortSignal; allowRemote?: boolean } = {},
): Promise<WarmUpResult> {
  const rule = options.rule ?? stabilityRule;
  const maxMs = options.maxMs ?? warmUpMaxMs;
  const started = Date.now();
  const load = warmUpLoad(plan, baseUrl, dir, maxMs, "warm-up", options.allowRemote);
  let settled = false;
  await new Promise<void>((done) => {
    const finish = () => {
      options.signal?.removeEventListener("abort", finish);
      done();
    };
    options.signal?.addEventListener("abort", finish, { once: true });
    void load.run.exited.then(finish);
    if (options.signal?.aborted) return finish();
    load.onSecond(() => {
      settled = latencySettled(load.seconds, rule);
      if (settled || Date.now() - started >= maxMs) finish();
    });
  });
  DrivenLoad.check(await load.stop(), load, "warm-up");
  const totals = load.totals;
  return {
    rate: plan.load.rate,
    users: plan.load.sessions,
    requests: totals.requests,
    failed: totals.failed,
    dropped: totals.dropped,
    ms: Date.now() - started,
    settled,
    final: {
      p50: recentMedian(load.seconds, "p50", rule.window),
      p95: recentMedian(load.seconds, "p95", rule.window),
      machineCpuPercent: recentMedian(load.seconds, "machineCpuPercent", rule.window),
    },
    seconds: load.seconds,
  };
}

/** The progress line for a finished warm-up (pure). */
export function warmUpLine(warm: WarmUpResult): string {
  const perSecond = warm.seconds.map((s) => `${s.p50 ?? "-"}/${s.p95 ?? "-"}`).join(", ");
  const end = warm.settled
    ? `stable at p50 ${warm.final.p50} ms, p95 ${warm.final.p95} ms`
    : "did not settle within its bound: the before window may be slow";
  return (
    `[run] warmed up the fleet at ${warm.rate} iterations/s: ${warm.requests} requests in ${(warm.ms / 1000).toFixed(1)} s ` +
    `(${warm.failed} failed, ${warm.dropped} iterations dropped), p50/p95 per second ${perSecond} ms; ${end}`
  );
}
