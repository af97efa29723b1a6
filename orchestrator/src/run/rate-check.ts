// Checks, before a comparison, that each strategy's fleet carries a load rate on this machine, or
// finds the highest rate of a ladder that every strategy carries (`npm run chaos -- --rate auto`).
import type { Plan } from "../plan/plan.ts";
import { createPlatform } from "../platforms/index.ts";
import type { ExitInfo } from "../process/child.ts";
import { DrivenLoad } from "./driven-load.ts";
import { type LoadSecond, latencySettled, recentMedian, stabilityRule, warmUpLoad } from "./warm-up.ts";

/** What "carries" means, judged on the seconds measured at one rate (after a settling step). */
export interface CarryRule {
  /**
   * The measured machine CPU must stay below this: run trust is lost at a mean of 80% (results.ts
   * `saturation`), and the line keeps a margin under it. The check drives the fleet with the run's
   * own load engine and scenario, so the machine CPU it measures already holds the engine's cost:
   * nothing is projected.
   */
  machineCpuPercent: number;
  /** The median p50 may grow to at most this factor of the lowest rate's (+ slackMs): no queueing. */
  latencyGrowth: number;
  slackMs: number;
}

export const carryRule: CarryRule = {
  machineCpuPercent: 75,
  latencyGrowth: 2,
  slackMs: 5,
};

/** Rates tried by `--rate auto`, in iterations per second. */
export const RATE_LADDER = [10, 15, 20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300] as const;

export interface RateVerdict {
  rate: number;
  carried: boolean;
  /** Medians over the measured seconds: the machine (the engine included) and the engine's own process. */
  machineCpuPercent: number | null;
  /** % of one core. */
  engineCpuPercent: number | null;
  /** The engine's CPU per iteration (its median CPU / the rate), in ms: what a bigger rate would cost it. */
  engineCpuMsPerIteration: number | null;
  p50: number | null;
  p95: number | null;
  dropped: number;
  failed: number;
  /** Why it was not carried (empty when it was). */
  reasons: string[];
}

/**
 * Judges one rate (pure) on the seconds measured at it: no dropped iteration, no failed request,
 * the median machine CPU (the load engine's own included: it is the run's engine and scenario)
 * below the rule's line, and a median p50 no more than `latencyGrowth` × `baselineP50` + slackMs
 * (when a baseline, the lowest rate's p50, is given).
 */
export function judgeRate(
  rate: number,
  seconds: readonly LoadSecond[],
  baselineP50: number | null = null,
  rule: CarryRule = carryRule,
): RateVerdict {
  const dropped = seconds.reduce((n, s) => n + s.dropped, 0);
  const failed = seconds.reduce((n, s) => n + s.failed, 0);
  const cpu = recentMedian(seconds, "machineCpuPercent", seconds.length);
  const engine = recentMedian(seconds, "engineCpuPercent", seconds.length);
  // % of a core = ms of CPU per 100 ms: per second, engine × 10 ms of CPU over `rate` iterations.
  const perIteration = engine === null || rate <= 0 ? null : Math.round(((engine * 10) / rate) * 1000) / 1000;
  const p50 = recentMedian(seconds, "p50", seconds.length);
  const p95 = recentMedian(seconds, "p95", seconds.length);
  const reasons: string[] = [];
  if (seconds.length === 0) reasons.push("nothing was measured");
  if (dropped > 0) reasons.push(`${dropped} iterations dropped (every user busy: the fleet fell behind)`);
  if (failed > 0) reasons.push(`${failed} requests failed`);
  if (cpu !== null && cpu >= rule.machineCpuPercent) {
    reasons.push(
      `machine CPU ${cpu}%, the load engine's ${engine ?? "-"}% of a core included (carried below ${rule.machineCpuPercent}%)`,
    );
  }
  if (p50 !== null && baselineP50 !== null && p50 > rule.latencyGrowth * baselineP50 + rule.slackMs) {
    reasons.push(`p50 ${p50} ms against ${baselineP50} ms at the lowest rate: requests queue`);
  }
  return {
    rate,
    carried: reasons.length === 0,
    machineCpuPercent: cpu,
    engineCpuPercent: engine,
    engineCpuMsPerIteration: perIteration,
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

function waitSeconds(load: DrivenLoad, count: number, signal: AbortSignal, until?: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const target = load.seconds.length + count;
    const timer = setInterval(() => {
      // An engine that ended (a crash, its bound) sends no more seconds: stop waiting.
      if (signal.aborted || load.seconds.length >= target || until?.() || !load.run.child.running) {
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
    const maxMs = options.warmUpMaxMs ?? 30_000;
    // The run's engine and scenario, at the ladder's first rate; bounded by the warm-up and every step.
    const bound = maxMs + rates.length * (settle + measure + 2) * 1000;
    const load = warmUpLoad(
      { ...plan, load: { ...plan.load, rate: rates[0]! } },
      platform.lbUrl(),
      dir,
      bound,
      "rate-check",
    );
    let exit: ExitInfo | undefined;
    try {
      const warmStart = Date.now();
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
        const verdict = judgeRate(rate, load.seconds.slice(-measure), baseline);
        baseline ??= verdict.p50;
        verdicts.push(verdict);
        progress(`[rate] ${plan.strategy} at ${rate} iterations/s: ${describeVerdict(verdict)}`);
        if (!verdict.carried) break;
      }
    } finally {
      exit = await load.stop();
    }
    if (!signal.aborted && exit) DrivenLoad.check(exit, load, `rate check of ${plan.strategy}`);
  } finally {
    await platform.down().catch(() => {});
  }
  return { strategy: plan.strategy, verdicts, settled };
}

export function describeVerdict(v: RateVerdict): string {
  const figures = `machine CPU ${v.machineCpuPercent ?? "-"}% (the load engine ${v.engineCpuPercent ?? "-"}% of a core, ${v.engineCpuMsPerIteration ?? "-"} ms per iteration), p50 ${v.p50 ?? "-"} ms, p95 ${v.p95 ?? "-"} ms`;
  return v.carried ? `carried (${figures})` : `NOT carried: ${v.reasons.join("; ")} (${figures})`;
}

/** The ladder's rates from `from` up to `to` (both included when on it). */
export function ladder(from: number, to: number): number[] {
  return RATE_LADDER.filter((r) => r >= from && r <= to);
}
