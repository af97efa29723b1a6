// Checks, before a comparison, that each strategy's fleet carries a load rate on this machine, or
// finds the highest rate of a ladder that every strategy carries (`npm run chaos -- --rate auto`).
import { cpus } from "node:os";
import type { Plan } from "../plan/plan.ts";
import { createPlatform } from "../platforms/index.ts";
import { type LoadSecond, latencySettled, OpenLoad, recentMedian, stabilityRule } from "./warm-up.ts";

/** What "carries" means, judged on the seconds measured at one rate (after a settling step). */
export interface CarryRule {
  /**
   * The projected machine CPU must stay below this: run trust is lost at a mean of 80% (results.ts
   * `saturation`), and the line keeps a margin under it.
   */
  machineCpuPercent: number;
  /**
   * The check's own load generator (Node fetch) costs less CPU than k6 running the scenario: the
   * projection adds k6's cost, in % of one core per iteration/s, to the measured machine CPU.
   * Measured here: k6 v1.8.1 used 30.2% of a core at 200 iterations/s (0.15), 9.4% at 50 (0.19);
   * at 200 iterations/s the check measured 67% and the k6 run 83%.
   */
  k6CorePercentPerIteration: number;
  /** The median p50 may grow to at most this factor of the lowest rate's (+ slackMs): no queueing. */
  latencyGrowth: number;
  slackMs: number;
}

export const carryRule: CarryRule = {
  machineCpuPercent: 75,
  k6CorePercentPerIteration: 0.2,
  latencyGrowth: 2,
  slackMs: 5,
};

/** Rates tried by `--rate auto`, in iterations per second. */
export const RATE_LADDER = [10, 15, 20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300] as const;

export interface RateVerdict {
  rate: number;
  carried: boolean;
  /** Medians over the measured seconds. */
  machineCpuPercent: number | null;
  /** The measured machine CPU plus k6's projected cost at this rate: what the run would see. */
  projectedCpuPercent: number | null;
  p50: number | null;
  p95: number | null;
  dropped: number;
  failed: number;
  /** Why it was not carried (empty when it was). */
  reasons: string[];
}

/**
 * Judges one rate (pure) on the seconds measured at it: no dropped iteration, no failed
 * request, projected machine CPU (median measured + rate × k6's cost per iteration / cores)
 * below the rule's line, and a median p50 no more than `latencyGrowth` × `baselineP50` + slackMs
 * (when a baseline, the lowest rate's p50, is given).
 */
export function judgeRate(
  rate: number,
  seconds: readonly LoadSecond[],
  baselineP50: number | null = null,
  cores = 2,
  rule: CarryRule = carryRule,
): RateVerdict {
  const dropped = seconds.reduce((n, s) => n + s.dropped, 0);
  const failed = seconds.reduce((n, s) => n + s.failed, 0);
  const cpu = recentMedian(seconds, "machineCpuPercent", seconds.length);
  const projected = cpu === null ? null : Math.round((cpu + (rate * rule.k6CorePercentPerIteration) / cores) * 10) / 10;
  const p50 = recentMedian(seconds, "p50", seconds.length);
  const p95 = recentMedian(seconds, "p95", seconds.length);
  const reasons: string[] = [];
  if (seconds.length === 0) reasons.push("nothing was measured");
  if (dropped > 0) reasons.push(`${dropped} iterations dropped (every user busy: the fleet fell behind)`);
  if (failed > 0) reasons.push(`${failed} requests failed`);
  if (projected !== null && projected >= rule.machineCpuPercent) {
    reasons.push(`machine CPU ${cpu}%, about ${projected}% with k6 (carried below ${rule.machineCpuPercent}%)`);
  }
  if (p50 !== null && baselineP50 !== null && p50 > rule.latencyGrowth * baselineP50 + rule.slackMs) {
    reasons.push(`p50 ${p50} ms against ${baselineP50} ms at the lowest rate: requests queue`);
  }
  return {
    rate,
    carried: reasons.length === 0,
    machineCpuPercent: cpu,
    projectedCpuPercent: projected,
    p50,
    p95,
    dropped,
    failed,
    reasons,
  };
}

/** The highest rate of the ladder below the first one not carried; null when the first was not (pure). */
export function highestCarried(verdicts: readonly RateVerdict[]): number | null {
  let best: number | null = null;
  for (const v of verdicts) {
    if (!v.carried) break;
    best = v.rate;
  }
  return best;
}

export interface StrategyCheck {
  strategy: string;
  verdicts: RateVerdict[];
  /** Whether the fleet's latency settled in the warm-up at the first rate. */
  settled: boolean;
}

export interface CheckOptions {
  /** The rates to try in order; stops at the first one not carried. */
  rates: readonly number[];
  signal: AbortSignal;
  progress: (line: string) => void;
  /** Seconds at each rate before measuring, and measured. */
  settleSeconds?: number;
  measureSeconds?: number;
  /** Bound of the warm-up at the first rate. */
  warmUpMaxMs?: number;
}

function waitSeconds(load: OpenLoad, count: number, signal: AbortSignal, until?: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const target = load.seconds.length + count;
    const timer = setInterval(() => {
      if (signal.aborted || load.seconds.length >= target || until?.()) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
  });
}

/**
 * Brings up `plan`'s fleet in `dir`, warms it at the first rate until latency is stable, then
 * measures each rate in turn until one is not carried; always tears the fleet down.
 */
export async function checkStrategy(plan: Plan, dir: string, options: CheckOptions): Promise<StrategyCheck> {
  const { rates, signal, progress } = options;
  const settle = options.settleSeconds ?? 2;
  const measure = options.measureSeconds ?? 4;
  const platform = createPlatform(plan, dir);
  const verdicts: RateVerdict[] = [];
  let settled = false;
  try {
    await platform.up(signal);
    const load = new OpenLoad(platform.lbUrl(), { rate: rates[0]!, users: plan.load.sessions, name: "ratecheck" });
    load.start();
    try {
      const warmStart = Date.now();
      const maxMs = options.warmUpMaxMs ?? 30_000;
      await waitSeconds(load, Math.ceil(maxMs / 1000), signal, () => {
        settled = latencySettled(load.seconds, stabilityRule);
        return settled || Date.now() - warmStart >= maxMs;
      });
      let baseline: number | null = null;
      for (const [i, rate] of rates.entries()) {
        if (signal.aborted) break;
        if (i > 0) {
          load.setRate(rate);
          await waitSeconds(load, settle, signal);
        }
        await waitSeconds(load, measure, signal);
        const verdict = judgeRate(rate, load.seconds.slice(-measure), baseline, cpus().length);
        baseline ??= verdict.p50;
        verdicts.push(verdict);
        progress(`[rate] ${plan.strategy} at ${rate} iterations/s: ${describeVerdict(verdict)}`);
        if (!verdict.carried) break;
      }
    } finally {
      await load.stop();
    }
  } finally {
    await platform.down().catch(() => {});
  }
  return { strategy: plan.strategy, verdicts, settled };
}

export function describeVerdict(v: RateVerdict): string {
  const figures = `machine CPU ${v.machineCpuPercent ?? "-"}% (with k6 about ${v.projectedCpuPercent ?? "-"}%), p50 ${v.p50 ?? "-"} ms, p95 ${v.p95 ?? "-"} ms`;
  return v.carried ? `carried (${figures})` : `NOT carried: ${v.reasons.join("; ")} (${figures})`;
}

/** The ladder's rates from `from` up to `to` (both included when on it). */
export function ladder(from: number, to: number): number[] {
  return RATE_LADDER.filter((r) => r >= from && r <= to);
}
