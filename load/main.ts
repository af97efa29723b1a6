// The load engine's process: `node --import tsx load/main.ts --config FILE` (or the LoadConfig JSON as the argument).
// Talks to its parent over Node IPC when it has a channel (LoadMessage), else prints a progress line; stops at the end
// of the duration, on SIGINT/SIGTERM (a second one stops at once) and when its parent goes away.
import { accessSync, constants, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { LiveCounts, LoadConfig, LoadControl, LoadMessage } from "./api.ts";
import { MAX_RATE, validateLoadConfig } from "./config.ts";
import { type LoadRun, startLoad } from "./run.ts";
import { resolveScenario, ScenarioError, scenarioNames } from "./scenario.ts";

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_BAD_INPUT = 2;

const HELP = `Usage: node --import tsx load/main.ts --config FILE
       node --import tsx load/main.ts '{"scenario":"login-profile", ...}'

Runs one load: a scenario over a fixed pool of people at a constant arrival rate, records to a file.
The config is a LoadConfig (load/api.ts), as JSON:
  scenario          a scenario name (${scenarioNames().join(", ")}) or a module path
  baseUrl           http:// URL on loopback, e.g. http://127.0.0.1:8080
  rate              iterations started per second (> 0)
  sessions          people in the pool (≥ 1); one iteration at a time each
  durationMs        how long arrivals go on
  requestTimeoutMs  the whole answer's time limit per request
  runId             username prefix, 1-64 of [A-Za-z0-9._-]
  workers           worker threads, each owning a share of the people (default 1)
  recordsFile       where records go (gzip when it ends in .gz)
  logoutAtEnd       on a clean stop, log every logged-in person out (default false)
With an IPC channel (child_process.fork) it sends LoadMessage ("started", "progress" and "second" each second,
"done") and takes LoadControl ({"type":"set-rate","rate":N}, {"type":"stop"}); otherwise it prints progress on
stderr. Exit 0 when done, 2 on a bad config (nothing started), 1 on an engine error.
`;

/** The raw config from argv: `--config FILE`, or the JSON itself; a string is a usage error. */
export function configFromArgs(args: readonly string[]): { raw: unknown } | { error: string } | { help: true } {
  if (args.includes("--help") || args.includes("-h")) return { help: true };
  if (args[0] === "--config") {
    const file = args[1];
    if (!file || args.length > 2)
      return { error: `--config: expected one file path, got ${JSON.stringify(args.slice(1))}` };
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      return { error: `--config ${file}: cannot read it: ${(error as Error).message}` };
    }
    try {
      return { raw: JSON.parse(text) };
    } catch (error) {
      return { error: `--config ${file}: not JSON: ${(error as Error).message}` };
    }
  }
  if (args.length === 1 && args[0]?.trim().startsWith("{")) {
    try {
      return { raw: JSON.parse(args[0]) };
    } catch (error) {
      return { error: `config: not JSON: ${(error as Error).message}` };
    }
  }
  return {
    error: `arguments ${JSON.stringify(args)}: expected --config FILE or the config as one JSON argument (--help)`,
  };
}

function send(message: LoadMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

function progressLine(elapsedMs: number, c: LiveCounts): string {
  return (
    `[load] ${(elapsedMs / 1000).toFixed(0)} s: ${c.iterations} iterations, ${c.dropped} dropped, ` +
    `${c.requests} requests, ${c.failed} failed, ${c.sessionsLost} sessions lost`
  );
}

async function run(args: readonly string[]): Promise<number> {
  const parsed = configFromArgs(args);
  if ("help" in parsed) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if ("error" in parsed) {
    console.error(`load engine: ${parsed.error}`);
    return EXIT_BAD_INPUT;
  }
  const check = validateLoadConfig(parsed.raw);
  if (!check.ok) {
    for (const error of check.errors) console.error(`load engine: bad config: ${error}`);
    return EXIT_BAD_INPUT;
  }
  const config: LoadConfig = check.config;
  const folder = dirname(resolve(config.recordsFile));
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    console.error(
      `load engine: bad config: recordsFile: ${JSON.stringify(config.recordsFile)}: expected a file in an existing, writable folder (${folder})`,
    );
    return EXIT_BAD_INPUT;
  }
  let scenario: Awaited<ReturnType<typeof resolveScenario>>;
  try {
    scenario = await resolveScenario(config.scenario);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    console.error(`load engine: bad config: ${error.message}`);
    return EXIT_BAD_INPUT;
  }

  let stopRequested = 0;
  let loadRun: LoadRun | null = null;
  const requestStop = (why: string) => {
    stopRequested++;
    console.error(`[load] ${why}: ${stopRequested === 1 ? "stopping (in-flight requests finish)" : "stopping now"}`);
    if (!loadRun) return;
    if (stopRequested === 1) loadRun.stop();
    else loadRun.hardStop();
  };
  process.on("SIGINT", () => requestStop("SIGINT"));
  process.on("SIGTERM", () => requestStop("SIGTERM"));
  // The parent (the orchestrator) went away: stop as on a signal.
  process.on("disconnect", () => requestStop("parent gone"));
  process.on("message", (message: LoadControl) => {
    if (message?.type === "stop") requestStop("stop message");
    else if (message?.type === "set-rate") {
      const rate = message.rate;
      if (typeof rate === "number" && rate > 0 && rate <= MAX_RATE) loadRun?.setRate(rate);
      else
        console.error(
          `[load] set-rate: rate ${JSON.stringify(rate)}: expected more than 0 and at most ${MAX_RATE}; ignored`,
        );
    }
  });

  try {
    loadRun = await startLoad(config, scenario, {
      log: (message) => console.error(message),
      onSecond: (figures) => void send({ type: "second", ...figures }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`load engine: ${message}`);
    await send({ type: "error", message });
    return EXIT_ERROR;
  }
  if (stopRequested > 0) loadRun.stop();
  const current = loadRun;
  await send({ type: "started", t0: current.t0 });
  const ipc = Boolean(process.send);
  const progress = setInterval(() => {
    const counts = current.counts();
    if (ipc) void send({ type: "progress", ...counts });
    else console.error(progressLine(Date.now() - current.t0, counts));
  }, 1000);
  progress.unref();
  try {
    const counts = await current.finished;
    clearInterval(progress);
    if (!ipc) console.error(`${progressLine(Date.now() - current.t0, counts)} (done)`);
    await send({ type: "done", ...counts });
    return EXIT_OK;
  } catch (error) {
    clearInterval(progress);
    const message = error instanceof Error ? error.message : String(error);
    console.error(`load engine: ${message}`);
    await send({ type: "error", message });
    return EXIT_ERROR;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("load/main.ts")) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(EXIT_ERROR);
    },
  );
}
