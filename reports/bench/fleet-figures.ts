// Pure figures of the fleet bench: CPU milliseconds per answered request and the request rate at a target machine CPU.
import type { LoadRecord } from "../../load/api.ts";
import { FAILED_CLASSES } from "../../scenarios/lib/classify.ts";

/** One fixed-rate load step as measured. */
export interface StepMeasurement {
  /** Requests per second offered (an iteration of login-profile is two requests: a read and a write). */
  offeredPerSecond: number;
  seconds: number;
  /** Requests that got an HTTP answer (any status). */
  answered: number;
  /** Transport errors, timeouts and 5xx. */
  failed: number;
  /** Iterations not started because every simulated person was still busy (open-model drops). */
  dropped: number;
  /** CPU ms of each part during the step: "app" (all instances), "lb", "store", "client" (the load engine). */
  cpuMs: Record<string, number>;
  /** The machine's CPUs busy during the step, in % of all CPUs. */
  machinePercent: number;
  /** Σ Server-Timing `store` durations and Σ latency of the answers that had one, and their count. */
  serverTiming?: { storeMs: number; totalMs: number; count: number };
}

export interface StepFigures {
  answeredPerSecond: number;
  /** CPU ms per answered request, per part, and `fleet` = app + lb + store (the client excluded). */
  cpuMsPerRequest: Record<string, number>;
  machinePercent: number;
}

export function stepFigures(step: StepMeasurement): StepFigures {
  const per = (ms: number) => (step.answered > 0 ? ms / step.answered : Number.NaN);
  const cpuMsPerRequest: Record<string, number> = {};
  for (const [part, ms] of Object.entries(step.cpuMs)) cpuMsPerRequest[part] = per(ms);
  const fleet = (step.cpuMs.app ?? 0) + (step.cpuMs.lb ?? 0) + (step.cpuMs.store ?? 0);
  cpuMsPerRequest.fleet = per(fleet);
  return { answeredPerSecond: step.answered / step.seconds, cpuMsPerRequest, machinePercent: step.machinePercent };
}

/**
 * The answered-request rate at which the machine's CPU reaches `targetPercent`, by a straight line through
 * the two measured points that bracket the target (else the two nearest it). Null with fewer than two
 * points of different rates, or when the CPU does not rise with the rate.
 */
export function rateAtMachinePercent(
  points: readonly { rate: number; percent: number }[],
  targetPercent: number,
): number | null {
  const sorted = [...points].filter((p) => Number.isFinite(p.rate) && p.rate > 0).sort((a, b) => a.rate - b.rate);
  if (sorted.length < 2) return null;
  const above = sorted.findIndex((p) => p.percent >= targetPercent);
  let pair: [{ rate: number; percent: number }, { rate: number; percent: number }];
  if (above > 0) pair = [sorted[above - 1]!, sorted[above]!];
  else if (above === 0) pair = [sorted[0]!, sorted[1]!];
  else pair = [sorted[sorted.length - 2]!, sorted[sorted.length - 1]!];
  const [a, b] = pair;
  if (b.rate === a.rate || b.percent <= a.percent) return null;
  const slope = (b.percent - a.percent) / (b.rate - a.rate);
  const rate = a.rate + (targetPercent - a.percent) / slope;
  return rate > 0 ? rate : null;
}

const FAILED: ReadonlySet<string> = new Set(FAILED_CLASSES);

/** A step's counts from the load engine's records: those whose time falls in [fromMs, toMs). */
export class StepTally {
  answered = 0;
  failed = 0;
  dropped = 0;
  readonly serverTiming = { storeMs: 0, totalMs: 0, count: 0 };

  constructor(
    readonly fromMs: number,
    readonly toMs: number,
  ) {}

  add(record: LoadRecord): void {
    if (record.kind === "dropped") {
      if (record.t >= this.fromMs && record.t < this.toMs) this.dropped++;
      return;
    }
    if (record.kind !== "request" || record.t < this.fromMs || record.t >= this.toMs) return;
    if (FAILED.has(record.cls)) {
      this.failed++;
      return;
    }
    this.answered++;
    if (record.storeMs !== null) {
      this.serverTiming.storeMs += record.storeMs;
      this.serverTiming.totalMs += record.ms;
      this.serverTiming.count++;
    }
  }
}

/** Least-squares line y = intercept + slope * x; null with fewer than two distinct x. */
export function lineFit(points: readonly { x: number; y: number }[]): { intercept: number; slope: number } | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const slope = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
  return { intercept: my - slope * mx, slope };
}

/**
 * The rate at which the machine would reach `targetPercent` from the measured processes' own CPU (a line
 * through their CPU ms per second against the answered rate) plus the mean CPU of everything else on the
 * machine: a fallback when the machine's figures are too noisy for rateAtMachinePercent.
 */
export function rateFromOwnCpu(
  points: readonly { rate: number; ownMsPerSecond: number; machinePercent: number }[],
  cpuCount: number,
  targetPercent: number,
): number | null {
  const fit = lineFit(points.map((p) => ({ x: p.rate, y: p.ownMsPerSecond })));
  if (!fit || fit.slope <= 0) return null;
  const capacityMsPerSecond = cpuCount * 1000;
  const othersMsPerSecond =
    points.reduce((s, p) => s + Math.max(0, (p.machinePercent / 100) * capacityMsPerSecond - p.ownMsPerSecond), 0) /
    points.length;
  const rate = ((targetPercent / 100) * capacityMsPerSecond - othersMsPerSecond - fit.intercept) / fit.slope;
  return rate > 0 ? rate : null;
}
