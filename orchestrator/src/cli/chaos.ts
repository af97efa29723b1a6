// `npm run chaos`: one fault plan against every strategy, under the same seed and load, on one
// platform, then one comparison report.
import { join, resolve } from "node:path";
import { writeReport } from "../../../reports/src/write-report.ts";
import { ExitCode, exitCodeFor, InputError } from "../errors.ts";
import { formatDuration } from "../plan/duration.ts";
import { type Plan, planFromOptions, type Strategy, strategies, timestamp } from "../plan/plan.ts";
import { randomSeed } from "../plan/seed.ts";
import { createPlatform } from "../platforms/index.ts";
import { dryRun, formatDryRun } from "../run/dry-run.ts";
import { exitCodeOf, type RunRecord } from "../run/run-record.ts";
import { runScenario } from "../run/run-scenario.ts";
import { summaryTable } from "../run/summary.ts";
import { main, onInterrupt } from "./interrupt.ts";
import { parseCommandLine, planOptions, sharedHelp } from "./options.ts";

const help = `Usage: npm run chaos -- [--strategies ${strategies.join(",")}] [options]

Runs the same fault plan (default preset single-crash), seed and load against each strategy in
turn, then writes one comparison report. Prints progress while it runs and the report's path.

Options:
  --strategies LIST     comma-separated, from ${strategies.join(", ")} (default all, in that order)
${sharedHelp}
  --out DIR             experiment folder: DIR/<strategy>/run.json and DIR/report.html
                        (default reports/out/chaos-<time>)

Exit codes: 0 the experiment ran; 1 harness error (a run failed); 2 bad input;
99 a threshold failed in some run; 130 interrupted.`;

/** Per run, besides the load itself: fleet start, warm-up, tear-down and reading the samples. */
const overheadMs = 15_000;

function parseStrategies(text: string | undefined): Strategy[] {
  if (text === undefined) return [...strategies];
  const list = text.split(",").map((s) => s.trim());
  for (const s of list) {
    if (!(strategies as readonly string[]).includes(s)) {
      throw new InputError(
        `--strategies ${JSON.stringify(text)}: "${s}" is not a strategy; expected ${strategies.join(", ")}`,
      );
    }
  }
  if (new Set(list).size !== list.length)
    throw new InputError(`--strategies ${JSON.stringify(text)}: a strategy is named twice`);
  return list as Strategy[];
}

async function run(argv: string[]): Promise<ExitCode> {
  const values = parseCommandLine(argv, { strategies: { type: "string" } }, help);
  if (values.help) {
    console.log(help);
    return ExitCode.ok;
  }
  const chosen = parseStrategies(values.strategies as string | undefined);
  const options = planOptions(values);
  const seed = options.seed ?? String(randomSeed());
  const experimentId = `chaos-${timestamp(new Date())}`;
  const outDir = (values.out as string | undefined) ?? `reports/out/${experimentId}`;
  // Every plan is validated before anything starts.
  const plans: Plan[] = chosen.map((strategy) =>
    planFromOptions({ ...options, seed, strategy, runId: `${experimentId}-${strategy}`, out: join(outDir, strategy) }),
  );
  const first = plans[0]!;
  if (values["dry-run"]) {
    for (const plan of plans) {
      console.log(`${formatDryRun(plan, await dryRun(plan, createPlatform(plan, resolve(plan.outDir))))}\n`);
    }
    return ExitCode.ok;
  }
  const faults = first.faults.map((f) => `${f.action} ${f.target} at ${formatDuration(f.atMs)}`).join(", ") || "none";
  console.log(
    `[chaos] ${chosen.join(", ")} on ${first.platform}; seed ${first.seed}; faults (${first.faultSource}): ${faults}; ` +
      `${formatDuration(first.load.durationMs)} of load each, about ${formatDuration(Math.ceil((plans.length * (first.load.durationMs + overheadMs)) / 1000) * 1000)} in all`,
  );

  const controller = new AbortController();
  const release = onInterrupt(controller);
  const records: RunRecord[] = [];
  const started = Date.now();
  try {
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
  const dirs = records.map((r) => join(outDir, r.strategy));
  let report: string | null = null;
  if (dirs.length > 0) {
    report = await writeReport(dirs, join(outDir, "report.html")).catch((err: Error) => {
      console.error(`[report] could not write the report: ${err.message}`);
      return null;
    });
  }
  if (report) console.log(`[chaos] report: ${report}`);
  return controller.signal.aborted ? ExitCode.interrupted : exitCodeOf(records);
}

function secs(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

void main("chaos", run, exitCodeFor);
