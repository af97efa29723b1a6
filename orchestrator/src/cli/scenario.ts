// `npm run scenario -- --strategy <name>`: one failover experiment on the local platform.
import { parseArgs } from "node:util";
import { ExitCode, exitCodeFor, InputError, InterruptedError } from "../errors.ts";
import { healthProfileNames } from "../plan/health-profiles.ts";
import { defaults, planFromOptions, strategies } from "../plan/plan.ts";
import { killAllChildrenNow } from "../process/child.ts";
import { runScenario } from "../run/run-scenario.ts";
import { summaryTable } from "../run/summary.ts";

const help = `Usage: npm run scenario -- --strategy <${strategies.join("|")}> [options]

Runs one failover experiment on this machine: target-app instances behind HAProxy, k6 load,
one instance crashed at 1/3 of the run and restarted at 2/3. Writes <out>/run.json.

Options:
  --strategy NAME       ${strategies.join(", ")} (required)
  --instances N         target-app instances (default ${defaults.instances})
  --duration D          load duration, e.g. 60s, 2m (default ${defaults.durationMs / 1000}s)
  --rate N              iterations per second, open model (default ${defaults.rate})
  --sessions N          people (k6 VUs), each with one session (default ${defaults.sessions})
  --health NAME         health-check profile: ${healthProfileNames.join(", ")} (default ${defaults.health})
  --seed N              seed for the victim choice (default: random, printed and recorded)
  --no-faults           run the load without any fault
  --request-timeout D   k6 request timeout (default ${defaults.requestTimeoutMs / 1000}s)
  --run-id ID           run id (default <time>-<strategy>-<seed>)
  --out DIR             run folder (default reports/out/<run-id>)
  -h, --help            this text

Exit codes: 0 the run completed; 1 harness error; 2 bad input; 99 a k6 threshold failed;
130 interrupted (run.json says "interrupted").`;

async function run(argv: string[]): Promise<ExitCode> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        strategy: { type: "string" },
        instances: { type: "string" },
        duration: { type: "string" },
        rate: { type: "string" },
        sessions: { type: "string" },
        health: { type: "string" },
        seed: { type: "string" },
        "no-faults": { type: "boolean" },
        "request-timeout": { type: "string" },
        "run-id": { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new InputError(`${(err as Error).message}\n\n${help}`);
  }
  if (values.help) {
    console.log(help);
    return ExitCode.ok;
  }
  const str = (k: string) => values[k] as string | undefined;
  const plan = planFromOptions({
    strategy: str("strategy"),
    instances: str("instances"),
    duration: str("duration"),
    rate: str("rate"),
    sessions: str("sessions"),
    health: str("health"),
    seed: str("seed"),
    faults: values["no-faults"] ? false : undefined,
    requestTimeout: str("request-timeout"),
    runId: str("run-id"),
    out: str("out"),
  });
  console.log(
    `[plan] seed ${plan.seed}; faults: ${plan.faults.map((f) => `${f.action} ${f.target} at ${f.atMs / 1000}s`).join(", ") || "none"}`,
  );

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      console.error(`\n[run] ${sig}: stopping the load and restoring the fleet (again to force)`);
      controller.abort(new InterruptedError(sig));
    } else {
      killAllChildrenNow();
      process.exit(ExitCode.interrupted);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const record = await runScenario(plan, { signal: controller.signal });
    console.log(`\n${summaryTable(record)}\n\nrun record: ${plan.outDir}/run.json`);
    if (record.status === "interrupted") return ExitCode.interrupted;
    if (record.status === "failed") return ExitCode.harnessError;
    if (record.k6?.exitCode === 99) return ExitCode.verificationFailed;
    return ExitCode.ok;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function main() {
  let code: ExitCode;
  try {
    code = await run(process.argv.slice(2));
  } catch (err) {
    code = exitCodeFor(err);
    console.error(`scenario: ${err instanceof Error ? err.message : String(err)}`);
  }
  killAllChildrenNow();
  process.exit(code);
}

void main();
