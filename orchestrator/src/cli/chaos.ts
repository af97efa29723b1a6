// `npm run chaos`: one fault plan against every strategy, under the same seed and load, on one
// platform, then one comparison report.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeReport } from "../../../reports/src/write-report.ts";
import { ExitCode, exitCodeFor, InputError } from "../errors.ts";
import { formatDuration } from "../plan/duration.ts";
import { describeFault } from "../plan/fault-text.ts";
import { checkOutDir } from "../plan/out-dir.ts";
import { type Plan, type Strategy, timestamp } from "../plan/plan.ts";
import { randomSeed } from "../plan/seed.ts";
import { createPlatform } from "../platforms/index.ts";
import { trustLine } from "../run/comparison-trust.ts";
import { dryRun, formatDryRun } from "../run/dry-run.ts";
import { planFromOptions, targetStrategies } from "../run/plan-from-options.ts";
import {
  carryRule,
  checkStrategy,
  describeVerdict,
  highestCarried,
  ladder,
  RATE_LADDER,
  type StrategyCheck,
} from "../run/rate-check.ts";
import { exitCodeOf, type RunRecord } from "../run/run-record.ts";
import { runScenario } from "../run/run-scenario.ts";
import { defaultStrategyNames, strategyNames } from "../strategies/index.ts";
import { defaultTargetName, loadTarget } from "../targets/target-file.ts";
import { ensureTargetTools } from "../targets/target-tools.ts";
import { summaryTable } from "../verdict/summary.ts";
import { main, onInterrupt } from "./interrupt.ts";
import { parseCommandLine, planOptions, sharedHelp, strategyHelp } from "./options.ts";

const help = `Usage: npm run chaos -- [--target NAME|PATH] [--strategies ${defaultStrategyNames.join(",")}] [options]

Runs the same fault plan (default preset single-crash), seed and load against each strategy in
turn, then writes one comparison report. Prints progress while it runs and the report's path.
Before the runs it checks that every strategy's fleet carries the rate on this machine (each
fleet brought up and driven by the run's own load engine and scenario, warmed at the rate,
measured: no dropped iteration, no failure, machine CPU, the engine's own included, below
${carryRule.machineCpuPercent}%), and says so; a rate that is not carried is used
all the same, with a warning.

Options:
  --strategies LIST     comma-separated session strategies, run in the order given (default
                        ${defaultStrategyNames.join(",")}, those the target supports; e.g. ${[...defaultStrategyNames, "dynamodb-locking", "redis"].join(",")} adds the other two):
${strategyHelp}
  --rate auto           find the rate instead: the highest of ${RATE_LADDER[0]}, ${RATE_LADDER[1]}, ${RATE_LADDER[2]}, ... ${RATE_LADDER.at(-1)} iterations/s
                        that every strategy carries, then run them all at it
  --no-rate-check       skip the check (and its minute or two)
${sharedHelp}
  --out DIR             experiment folder: DIR/<strategy>/run.json and DIR/report.html
                        (default reports/out/chaos-<time>)

Exit codes: 0 the experiment ran; 1 harness error (a run failed); 2 bad input;
99 a threshold failed in some run; 130 interrupted.`;

/** Per run, besides the load itself: fleet start, warm-up (10-45 s), tear-down and reading the samples. */
const overheadMs = 30_000;

/** --strategies; without it the default ones the target supports (its own list is checked with each plan). */
function parseStrategies(text: string | undefined, supported: readonly string[]): Strategy[] {
  if (text === undefined) return defaultStrategyNames.filter((s) => supported.includes(s));
  const list = text.split(",").map((s) => s.trim());
  for (const s of list) {
    if (!strategyNames.includes(s)) {
      throw new InputError(
        `--strategies ${JSON.stringify(text)}: "${s}" is not a strategy; expected ${strategyNames.join(", ")}`,
      );
    }
  }
  if (new Set(list).size !== list.length)
    throw new InputError(`--strategies ${JSON.stringify(text)}: a strategy is named twice`);
  return list as Strategy[];
}

async function run(argv: string[]): Promise<ExitCode> {
  const values = parseCommandLine(argv, { strategies: { type: "string" }, "no-rate-check": { type: "boolean" } }, help);
  if (values.help) {
    console.log(help);
    return ExitCode.ok;
  }
  const target = loadTarget((values.target as string | undefined) ?? defaultTargetName);
  const chosen = parseStrategies(values.strategies as string | undefined, targetStrategies(target));
  const autoRate = values.rate === "auto";
  // With --rate auto the plans are validated with the default rate, then rebuilt with the one found.
  const options = planOptions(autoRate ? { ...values, rate: undefined } : values);
  const seed = options.seed ?? String(randomSeed());
  const experimentId = `chaos-${timestamp(new Date())}`;
  const outDir = (values.out as string | undefined) ?? `reports/out/${experimentId}`;
  checkOutDir(outDir, options.force);
  // Every plan is validated before anything starts.
  const plansAt = (rate: string | undefined): Plan[] =>
    chosen.map((strategy) =>
      planFromOptions(
        {
          ...options,
          rate,
          seed,
          strategy,
          runId: `${experimentId}-${strategy}`,
          out: join(outDir, strategy),
        },
        values,
      ),
    );
  let plans = plansAt(options.rate);
  let first = plans[0]!;
  console.log(`[chaos] experiment folder: ${resolve(outDir)}`);
  if (values["dry-run"]) {
    if (autoRate) {
      console.log(
        `[chaos] --rate auto: the rate is found before the runs, by bringing up each fleet; the plans below show ${first.load.rate} iterations/s`,
      );
    }
    for (const plan of plans) {
      console.log(`${formatDryRun(plan, await dryRun(plan, createPlatform(plan, resolve(plan.outDir))))}\n`);
    }
    return ExitCode.ok;
  }
  ensureTargetTools(target, first.platform);
  const faults = first.faults.map(describeFault).join(", ") || "none";
  console.log(
    `[chaos] target ${target.name}: ${chosen.join(", ")} on ${first.platform}; seed ${first.seed}; faults (${first.faultSource}): ${faults}; ` +
      `${formatDuration(first.load.durationMs)} of load each, about ${formatDuration(Math.ceil((plans.length * (first.load.durationMs + overheadMs)) / 1000) * 1000)} in all`,
  );

  const controller = new AbortController();
  const release = onInterrupt(controller);
  const records: RunRecord[] = [];
  const started = Date.now();
  try {
    if (first.load.enabled && (autoRate || !values["no-rate-check"])) {
      const rate = await chooseRate(plans, autoRate, join(outDir, "rate-check"), controller.signal);
      if (rate === null) return controller.signal.aborted ? ExitCode.interrupted : ExitCode.harnessError;
      if (rate !== first.load.rate) {
        plans = plansAt(String(rate));
        first = plans[0]!;
      }
    }
    for (const [i, plan] of plans.entries()) {
      if (controller.signal.aborted) break;
      const runStart = Date.now();
      const tag = `[chaos ${i + 1}/${plans.length} ${plan.strategy}]`;
      const progress = (line: string) => {
        const elapsed = Date.now() - started;
        const thisRun = plan.load.durationMs + overheadMs;
        const left = Math.max(0, thisRun - (Date.now() - runStart)) + (plans.length - i - 1) * thisRun;
        console.log(`${tag} ${line.replace(/^\[run\] /, "")} | elapsed ${secs(elapsed)}, about ${secs(left)} left`);
      };
      const record = await runScenario(plan, { signal: controller.signal, progress });
      records.push(record);
      console.log(`\n${summaryTable(record)}\n`);
    }
  } finally {
    release();
  }
  const dirs = records.map((r) => join(outDir, r.plan.strategy));
  let report: string | null = null;
  if (dirs.length > 0) {
    report = await writeReport(dirs, join(outDir, "report.html")).catch((err: Error) => {
      console.error(`[report] could not write the report: ${err.message}`);
      return null;
    });
  }
  console.log(trustLine(records, first.load.rate));
  if (report) console.log(`[chaos] report: ${report}`);
  return controller.signal.aborted ? ExitCode.interrupted : exitCodeOf(records);
}

/**
 * The rate phase: checks `plans[0].load.rate` on every strategy's fleet, or (auto) finds the
 * highest rate of the ladder every one carries. Writes DIR/rate-check.json and prints the outcome.
 * Returns the rate to run at, or null when auto found none (or the check was interrupted).
 */
async function chooseRate(plans: Plan[], auto: boolean, dir: string, signal: AbortSignal): Promise<number | null> {
  const asked = plans[0]!.load.rate;
  console.log(
    auto
      ? `[chaos] --rate auto: finding the highest rate every strategy carries on this machine (${RATE_LADDER[0]}-${RATE_LADDER.at(-1)} iterations/s)`
      : `[chaos] checking that every strategy carries ${asked} iterations/s on this machine (--no-rate-check skips this)`,
  );
  const checks: StrategyCheck[] = [];
  let cap: number = RATE_LADDER.at(-1)!;
  for (const plan of plans) {
    if (signal.aborted) return null;
    const rates = auto ? ladder(RATE_LADDER[0], cap) : [asked];
    const check = await checkStrategy(plan, join(dir, plan.strategy), {
      rates,
      signal,
      progress: (line) => console.log(line),
    });
    checks.push(check);
    if (auto) cap = highestCarried(check.verdicts) ?? 0;
    if (auto && cap === 0) break;
  }
  if (signal.aborted) return null;
  const best = auto ? (cap > 0 ? cap : null) : asked;
  const carried = checks.map((c) => ({ strategy: c.strategy, verdict: c.verdicts.find((v) => v.rate === best) }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "rate-check.json"),
    `${JSON.stringify({ mode: auto ? "auto" : "check", asked: auto ? "auto" : asked, chosen: best, rule: carryRule, strategies: checks }, null, 2)}\n`,
  );
  if (best === null) {
    const failing = checks.at(-1)!;
    console.error(
      `[chaos] --rate auto: ${failing.strategy} does not carry even ${RATE_LADDER[0]} iterations/s on this machine: ` +
        `${failing.verdicts[0] ? describeVerdict(failing.verdicts[0]) : "nothing measured"}; see ${join(dir, "rate-check.json")}`,
    );
    return null;
  }
  const notCarried = carried.filter((c) => !c.verdict?.carried);
  const figures = carried.map((c) => `${c.strategy} ${c.verdict?.machineCpuPercent ?? "-"}%`).join(", ");
  if (notCarried.length === 0) {
    console.log(
      `[chaos] rate: ${best} iterations/s${auto ? " (found by --rate auto)" : ""}, carried by every strategy on this machine (machine CPU, the load engine included: ${figures})`,
    );
  } else {
    console.log(
      `[chaos] WARNING: ${notCarried.map((c) => `${c.strategy} does not carry ${best} iterations/s here (${c.verdict ? c.verdict.reasons.join("; ") : "not measured"})`).join("; ")}: ` +
        "its run will probably not be trustworthy; --rate auto finds a rate every strategy carries. Running at it all the same.",
    );
  }
  return best;
}

function secs(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

void main("chaos", run, exitCodeFor);
