// `npm run report -- <run-dir>... [--out FILE] [--recheck]`: writes a self-contained report.html for the runs.

import { join } from "node:path";
import { parseArgs } from "node:util";
import { ExitCode, exitCodeFor, InputError } from "../../orchestrator/src/errors.ts";
import { timestamp } from "../../orchestrator/src/plan/plan.ts";
import { writeReport } from "./write-report.ts";

const help = `Usage: npm run report -- <run-dir>... [--out FILE] [--recheck]

Writes a self-contained HTML report (no network needed to open it) of one run, or of several runs
side by side. Each run folder must hold run.json; the report shows its results.

Options:
  --out FILE   where to write (default: <run-dir>/report.html for one run,
               reports/out/report-<time>.html for several)
  --recheck    also work the results out again from each run's records file (as the run did)
               and say in the report whether they match run.json's, listing any difference
  -h, --help   this text

Exit codes: 0 written; 1 harness error; 2 bad input (missing folder, no or bad run.json).`;

/** The report file for these run folders when --out is not given. */
export function defaultOutFile(runDirs: readonly string[], now = new Date()): string {
  if (runDirs.length === 1) return join(runDirs[0]!, "report.html");
  return join("reports", "out", `report-${timestamp(now)}.html`);
}

async function run(argv: string[]): Promise<ExitCode> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new InputError(`${(err as Error).message}\n\n${help}`);
  }
  if (parsed.values.help) {
    console.log(help);
    return ExitCode.ok;
  }
  const dirs = parsed.positionals;
  if (dirs.length === 0) throw new InputError(`no run folder given\n\n${help}`);
  const out = parsed.values.out ?? defaultOutFile(dirs);
  const path = await writeReport(dirs, out, { recheck: parsed.values.recheck === true });
  console.log(`report: ${path}`);
  return ExitCode.ok;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { out: { type: "string" }, recheck: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    strict: true,
    allowPositionals: true,
  });
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`report: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = exitCodeFor(err);
  },
);
