// `npm run scenario -- --strategy <name>`: one failover experiment.
import { resolve } from "node:path";
import { writeReport } from "../../../reports/src/write-report.ts";
import { ExitCode, exitCodeFor } from "../errors.ts";
import { describeFault } from "../plan/fault-text.ts";
import { createPlatform } from "../platforms/index.ts";
import { dryRun, formatDryRun } from "../run/dry-run.ts";
import { planFromOptions } from "../run/plan-from-options.ts";
import { exitCodeOf } from "../run/run-record.ts";
import { runScenario } from "../run/run-scenario.ts";
import { strategyNames } from "../strategies/index.ts";
import { defaultTargetName, loadTarget } from "../targets/target-file.ts";
import { ensureTargetTools } from "../targets/target-tools.ts";
import { summaryTable } from "../verdict/summary.ts";
import { main, onInterrupt } from "./interrupt.ts";
import { parseCommandLine, planOptions, sharedHelp, strategyHelp } from "./options.ts";

const help = `Usage: npm run scenario -- --strategy <${strategyNames.join("|")}> [options]

Runs one failover experiment: the target's instances (--target, default target-app) behind HAProxy, the harness's own load engine, and a fault plan
(default: one instance crashed at 1/3 of the run and restarted at 2/3). Writes <out>/run.json
and <out>/report.html.

Options:
  --strategy NAME       the session strategy (required):
${strategyHelp}
${sharedHelp}
  --run-id ID           run id (default <time>-<strategy>-<seed>)
  --out DIR             run folder (default reports/out/<run-id>)

Exit codes: 0 the run completed; 1 harness error; 2 bad input; 99 a threshold failed;
130 interrupted (run.json says "interrupted").`;

async function run(argv: string[]): Promise<ExitCode> {
  const values = parseCommandLine(argv, { strategy: { type: "string" }, "run-id": { type: "string" } }, help);
  if (values.help) {
    console.log(help);
    return ExitCode.ok;
  }
  const plan = planFromOptions(
    {
      ...planOptions(values),
      strategy: values.strategy as string | undefined,
      runId: values["run-id"] as string | undefined,
      out: values.out as string | undefined,
    },
    values,
  );
  console.log(`[plan] run folder: ${resolve(plan.outDir)}`);
  if (values["dry-run"]) {
    console.log(formatDryRun(plan, await dryRun(plan, createPlatform(plan, resolve(plan.outDir)))));
    return ExitCode.ok;
  }
  ensureTargetTools(loadTarget(plan.target?.file ?? defaultTargetName), plan.platform);
  const faults = plan.faults.map(describeFault).join(", ");
  console.log(`[plan] seed ${plan.seed}; faults (${plan.faultSource}): ${faults || "none"}`);

  const controller = new AbortController();
  const release = onInterrupt(controller);
  try {
    const record = await runScenario(plan, { signal: controller.signal });
    const report = await writeReport([plan.outDir], `${plan.outDir}/report.html`).catch((err: Error) => {
      console.error(`[report] could not write the report: ${err.message}`);
      return null;
    });
    console.log(`\n${summaryTable(record)}\n\nrun record: ${plan.outDir}/run.json`);
    if (report) console.log(`report:     ${report}`);
    return exitCodeOf([record]);
  } finally {
    release();
  }
}

void main("scenario", run, exitCodeFor);
