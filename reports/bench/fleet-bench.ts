// `npm run bench:fleet`: for each strategy, a local fleet (3 instances, HAProxy, dynalite, redis-server or disk) under
// fixed-rate load from an in-process client; prints CPU ms per answered request (app, balancer, store, from
// /proc/<pid>/stat of the processes the platform started) and the request rate at which the machine's CPU
// reaches 80 %. Bounded in time, loopback only, every process stopped by PID. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { main, onInterrupt } from "../../orchestrator/src/cli/interrupt.ts";
import { ExitCode, exitCodeFor, InputError } from "../../orchestrator/src/errors.ts";
import { parseDuration } from "../../orchestrator/src/plan/duration.ts";
import type { Strategy } from "../../orchestrator/src/plan/plan.ts";
import { createPlatform } from "../../orchestrator/src/platforms/index.ts";
import { startedChildren } from "../../orchestrator/src/process/child.ts";
import { planFromOptions } from "../../orchestrator/src/run/plan-from-options.ts";
import { strategyNames } from "../../orchestrator/src/strategies/index.ts";
import { lineFit, rateAtMachinePercent, rateFromOwnCpu, type StepMeasurement, stepFigures } from "./fleet-figures.ts";
import { FleetLoad } from "./fleet-load.ts";
import { machineBusyPercent, machineTicks, processTicks, TICKS_PER_SECOND } from "./proc-cpu.ts";

const TARGET_PERCENT = 80;
const MAX_CHECK_RATE = 400;

interface BenchOptions {
  strategies: Strategy[];
  /** Iterations per second of the measured steps (each iteration is two requests). */
  rates: number[];
  stepMs: number;
  warmMs: number;
  sessions: number;
  /** Also run a step at the predicted 80 % rate and use it in the estimate. */
  check: boolean;
  keep: boolean;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      strategies: { type: "string", default: strategyNames.join(",") },
      rates: { type: "string", default: "25,50" },
      step: { type: "string", default: "15s" },
      warm: { type: "string", default: "10s" },
      sessions: { type: "string", default: "50" },
      "no-check": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
    },
  });
  const chosen = values.strategies.split(",").map((s) => s.trim());
  for (const s of chosen) {
    if (!strategyNames.includes(s)) {
      throw new InputError(
        `--strategies ${JSON.stringify(values.strategies)}: expected a list of ${strategyNames.join(", ")}`,
      );
    }
  }
  const rates = values.rates.split(",").map((r) => Number(r.trim()));
  if (rates.length < 1 || rates.some((r) => !Number.isInteger(r) || r < 1 || r > MAX_CHECK_RATE)) {
    throw new InputError(
      `--rates ${JSON.stringify(values.rates)}: expected iterations/s from 1 to ${MAX_CHECK_RATE}, e.g. 20,40`,
    );
  }
  const duration = (flag: string, text: string, min: number, max: number) => {
    const ms = parseDuration(text);
    if (ms === null || ms < min || ms > max) {
      throw new InputError(
        `--${flag} ${JSON.stringify(text)}: expected a duration from ${min / 1000}s to ${max / 1000}s`,
      );
    }
    return ms;
  };
  const sessions = Number(values.sessions);
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 500) {
    throw new InputError(`--sessions ${JSON.stringify(values.sessions)}: expected a whole number from 1 to 500`);
  }
  return {
    strategies: chosen as Strategy[],
    rates,
    stepMs: duration("step", values.step, 3000, 60_000),
    warmMs: duration("warm", values.warm, 0, 60_000),
    sessions,
    check: !values["no-check"],
    keep: values.keep,
  };
}

/** Which part of the fleet a child belongs to, by the name the local platform gave it. */
const partOf = (name: string) => (name.startsWith("app-") ? "app" : name === "lb" ? "lb" : "store");

interface StrategyResult {
  strategy: Strategy;
  steps: { iterationsPerSecond: number; check: boolean; m: StepMeasurement }[];
  rate80: number | null;
}

async function measureStep(
  load: FleetLoad,
  pids: { name: string; pid: number }[],
  iterationsPerSecond: number,
  stepMs: number,
): Promise<StepMeasurement> {
  const ticksBefore = pids.map((p) => processTicks(p.pid));
  const machineBefore = machineTicks();
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  const r = await load.run({ iterationsPerSecond, durationMs: stepMs, requestTimeoutMs: 5000 });
  const seconds = (performance.now() - start) / 1000;
  const client = process.cpuUsage(clientBefore);
  const machinePercent = machineBusyPercent(machineBefore, machineTicks());
  const cpuMs: Record<string, number> = { app: 0, lb: 0, store: 0, client: (client.user + client.system) / 1000 };
  pids.forEach((p, i) => {
    const part = partOf(p.name);
    cpuMs[part] = (cpuMs[part] ?? 0) + ((processTicks(p.pid) - ticksBefore[i]!) * 1000) / TICKS_PER_SECOND;
  });
  return {
    offeredPerSecond: iterationsPerSecond * 2,
    seconds,
    answered: r.answered,
    failed: r.failed,
    dropped: r.dropped,
    cpuMs,
    machinePercent,
    serverTiming: r.serverTiming.count > 0 ? r.serverTiming : undefined,
  };
}

async function benchStrategy(strategy: Strategy, options: BenchOptions, signal: AbortSignal): Promise<StrategyResult> {
  const dir = mkdtempSync(join(tmpdir(), `fh-bench-fleet-${strategy}-`));
  const plan = planFromOptions({ strategy, faults: false, runId: `bench-${strategy}`, out: dir, seed: "1" });
  const platform = createPlatform(plan, dir);
  const before = startedChildren().length;
  const result: StrategyResult = { strategy, steps: [], rate80: null };
  let load: FleetLoad | undefined;
  try {
    await platform.up(signal);
    const pids = startedChildren().slice(before);
    console.log(`[bench] ${strategy}: measuring ${pids.map((p) => `${p.name}=${p.pid}`).join(" ")}`);
    load = new FleetLoad(platform.lbUrl(), options.sessions, `bench-${strategy}-${Date.now()}`);
    if (options.warmMs > 0) {
      console.log(`[bench] ${strategy}: warm-up ${options.warmMs / 1000} s at ${options.rates[0]} iterations/s`);
      await load.run({ iterationsPerSecond: options.rates[0]!, durationMs: options.warmMs, requestTimeoutMs: 5000 });
    }
    for (const rate of options.rates) {
      signal.throwIfAborted();
      console.log(`[bench] ${strategy}: ${options.stepMs / 1000} s at ${rate} iterations/s`);
      result.steps.push({
        iterationsPerSecond: rate,
        check: false,
        m: await measureStep(load, pids, rate, options.stepMs),
      });
    }
    const predicted = estimate(result) ?? estimateFromOwnCpu(result);
    result.rate80 = predicted;
    if (options.check && predicted !== null) {
      signal.throwIfAborted();
      const rate = Math.min(MAX_CHECK_RATE, Math.max(1, Math.round(predicted / 2)));
      console.log(
        `[bench] ${strategy}: check step, ${options.stepMs / 1000} s at ${rate} iterations/s (the predicted 80 %)`,
      );
      result.steps.push({
        iterationsPerSecond: rate,
        check: true,
        m: await measureStep(load, pids, rate, options.stepMs),
      });
      result.rate80 = estimate(result);
    }
  } finally {
    load?.close();
    await platform.down();
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`[bench] kept ${dir}`);
  }
  return result;
}

const estimate = (r: StrategyResult) =>
  rateAtMachinePercent(
    r.steps.map((s) => ({ rate: s.m.answered / s.m.seconds, percent: s.m.machinePercent })),
    TARGET_PERCENT,
  );

const fleetMs = (m: StepMeasurement) => (m.cpuMs.app ?? 0) + (m.cpuMs.lb ?? 0) + (m.cpuMs.store ?? 0);

const estimateFromOwnCpu = (r: StrategyResult) =>
  rateFromOwnCpu(
    r.steps.map((s) => ({
      rate: s.m.answered / s.m.seconds,
      ownMsPerSecond: (fleetMs(s.m) + (s.m.cpuMs.client ?? 0)) / s.m.seconds,
      machinePercent: s.m.machinePercent,
    })),
    cpus().length,
    TARGET_PERCENT,
  );

const f1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "-" : n.toFixed(2));

function printResults(results: StrategyResult[]): void {
  const head = [
    "strategy",
    "it/s",
    "req/s",
    "failed",
    "dropped",
    "machine",
    "app",
    "lb",
    "store",
    "fleet",
    "client",
    "ST store/total",
  ];
  const widths = [9, 6, 8, 7, 8, 8, 7, 7, 7, 7, 7, 16];
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" ");
  console.log(
    "\nCPU ms per answered request, by part (fleet = app + lb + store; client = this bench's load generator)",
  );
  console.log(row(head));
  for (const r of results) {
    for (const s of r.steps) {
      const fig = stepFigures(s.m);
      const st = s.m.serverTiming;
      console.log(
        row([
          r.strategy,
          `${s.iterationsPerSecond}${s.check ? "*" : ""}`,
          fig.answeredPerSecond.toFixed(1),
          String(s.m.failed),
          String(s.m.dropped),
          `${fig.machinePercent.toFixed(0)} %`,
          f1(fig.cpuMsPerRequest.app),
          f1(fig.cpuMsPerRequest.lb),
          f1(fig.cpuMsPerRequest.store),
          f1(fig.cpuMsPerRequest.fleet),
          f1(fig.cpuMsPerRequest.client),
          st ? `${(st.storeMs / st.count).toFixed(1)}/${(st.totalMs / st.count).toFixed(1)} ms` : "-",
        ]),
      );
    }
  }
  console.log("(* = check step at the predicted 80 % rate; ST = mean Server-Timing store and total per answer)");
  console.log(
    `\nsummary (${cpus().length} CPUs): fleet CPU ms per request at the scenario's default load (--rate 50 = 100 req/s),` +
      ` the marginal ms per extra request (slope over all steps), and the request rate at which the machine reaches ${TARGET_PERCENT} %`,
  );
  for (const r of results) {
    const atDefault = r.steps.find((s) => !s.check && s.iterationsPerSecond === 50);
    const fit = lineFit(r.steps.map((s) => ({ x: s.m.answered / s.m.seconds, y: fleetMs(s.m) / s.m.seconds })));
    const rate =
      r.rate80 === null ? "not estimated" : `${r.rate80.toFixed(0)} req/s (--rate ${(r.rate80 / 2).toFixed(0)})`;
    const base = atDefault ? `${f1(stepFigures(atDefault.m).cpuMsPerRequest.fleet)} ms/request at 100 req/s` : "-";
    console.log(`  ${r.strategy.padEnd(9)} ${base}   marginal ${f1(fit?.slope)} ms/request   80 % at ${rate}`);
  }
}

async function run(argv: string[]): Promise<ExitCode> {
  const options = parseOptions(argv);
  const controller = new AbortController();
  const release = onInterrupt(controller);
  try {
    const results: StrategyResult[] = [];
    for (const strategy of options.strategies) results.push(await benchStrategy(strategy, options, controller.signal));
    printResults(results);
    return ExitCode.ok;
  } finally {
    release();
  }
}

await main("bench:fleet", run, exitCodeFor);
