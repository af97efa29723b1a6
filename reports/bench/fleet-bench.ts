// `npm run bench:fleet`: for each strategy, a local fleet (3 instances, HAProxy, dynalite, redis-server or disk) under
// fixed-rate load from the harness's load engine (login-profile, the rate stepped while it runs); prints CPU ms
// per answered request (app, balancer, store and the engine, from /proc/<pid>/stat of the processes started;
// counts from the engine's records) and the request rate at which the machine's CPU reaches 80 %. Bounded in
// time, loopback only, every process stopped by PID. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { forEachRecord } from "../../load/records.ts";
import { main, onInterrupt } from "../../orchestrator/src/cli/interrupt.ts";
import { ExitCode, exitCodeFor, InputError } from "../../orchestrator/src/errors.ts";
import { parseDuration } from "../../orchestrator/src/plan/duration.ts";
import type { Strategy } from "../../orchestrator/src/plan/plan.ts";
import { createPlatform } from "../../orchestrator/src/platforms/index.ts";
import { startedChildren } from "../../orchestrator/src/process/child.ts";
import { sleep } from "../../orchestrator/src/process/poll.ts";
import { DrivenLoad } from "../../orchestrator/src/run/driven-load.ts";
import { loadConfigOf } from "../../orchestrator/src/run/load-run.ts";
import { planFromOptions } from "../../orchestrator/src/run/plan-from-options.ts";
import { strategyNames } from "../../orchestrator/src/strategies/index.ts";
import {
  lineFit,
  rateAtMachinePercent,
  rateFromOwnCpu,
  type StepMeasurement,
  StepTally,
  stepFigures,
} from "./fleet-figures.ts";
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

interface Step {
  iterationsPerSecond: number;
  check: boolean;
  m: StepMeasurement;
  tally: StepTally;
}

interface StrategyResult {
  strategy: Strategy;
  steps: Step[];
  rate80: number | null;
}

/** One step at `iterationsPerSecond`: CPU from /proc over its window; its counts come from the records (tallySteps). */
async function measureStep(
  load: DrivenLoad,
  pids: { name: string; pid: number }[],
  iterationsPerSecond: number,
  stepMs: number,
  check: boolean,
  signal: AbortSignal,
): Promise<Step> {
  if (load.rate !== iterationsPerSecond) load.setRate(iterationsPerSecond);
  const measured = [...pids, { name: "client", pid: load.run.child.pid ?? 0 }];
  const ticksBefore = measured.map((p) => processTicks(p.pid));
  const machineBefore = machineTicks();
  const fromMs = Date.now();
  const start = performance.now();
  await sleep(stepMs, signal);
  const seconds = (performance.now() - start) / 1000;
  const toMs = Date.now();
  const machinePercent = machineBusyPercent(machineBefore, machineTicks());
  const cpuMs: Record<string, number> = { app: 0, lb: 0, store: 0, client: 0 };
  measured.forEach((p, i) => {
    const part = p.name === "client" ? "client" : partOf(p.name);
    cpuMs[part] = (cpuMs[part] ?? 0) + ((processTicks(p.pid) - ticksBefore[i]!) * 1000) / TICKS_PER_SECOND;
  });
  const m: StepMeasurement = {
    offeredPerSecond: iterationsPerSecond * 2,
    seconds,
    answered: 0,
    failed: 0,
    dropped: 0,
    cpuMs,
    machinePercent,
  };
  return { iterationsPerSecond, check, m, tally: new StepTally(fromMs, toMs) };
}

/** Counts every step from the records written so far (the engine flushes them every second). */
async function tallySteps(recordsFile: string, steps: Step[]): Promise<void> {
  const tallies = steps.map((s) => new StepTally(s.tally.fromMs, s.tally.toMs));
  await forEachRecord(recordsFile, (record) => {
    for (const tally of tallies) tally.add(record);
  });
  steps.forEach((s, i) => {
    const t = tallies[i]!;
    s.tally = t;
    Object.assign(s.m, { answered: t.answered, failed: t.failed, dropped: t.dropped });
    s.m.serverTiming = t.serverTiming.count > 0 ? { ...t.serverTiming } : undefined;
  });
}

async function benchStrategy(strategy: Strategy, options: BenchOptions, signal: AbortSignal): Promise<StrategyResult> {
  const dir = mkdtempSync(join(tmpdir(), `fh-bench-fleet-${strategy}-`));
  const plan = planFromOptions({
    strategy,
    faults: false,
    runId: `bench-${strategy}`,
    out: dir,
    seed: "1",
    sessions: String(options.sessions),
    rate: String(options.rates[0]),
  });
  const platform = createPlatform(plan, dir);
  const before = startedChildren().length;
  const result: StrategyResult = { strategy, steps: [], rate80: null };
  let load: DrivenLoad | undefined;
  const recordsFile = join(dir, "bench-records.tsv.gz");
  try {
    await platform.up(signal);
    const pids = startedChildren().slice(before);
    console.log(`[bench] ${strategy}: measuring ${pids.map((p) => `${p.name}=${p.pid}`).join(" ")}`);
    // The run's engine and scenario; bounded by the warm-up, every step and the check step.
    const boundMs = options.warmMs + (options.rates.length + 1) * options.stepMs + 30_000;
    const config = { ...loadConfigOf(plan, platform.lbUrl(), recordsFile), runId: `bench-${strategy}-${Date.now()}` };
    load = new DrivenLoad({ ...config, durationMs: boundMs }, { logFile: join(dir, "load.log") });
    if (options.warmMs > 0) {
      console.log(`[bench] ${strategy}: warm-up ${options.warmMs / 1000} s at ${options.rates[0]} iterations/s`);
      await sleep(options.warmMs, signal);
    }
    for (const rate of options.rates) {
      signal.throwIfAborted();
      console.log(`[bench] ${strategy}: ${options.stepMs / 1000} s at ${rate} iterations/s`);
      result.steps.push(await measureStep(load, pids, rate, options.stepMs, false, signal));
    }
    // The last second's records reach the file within a second (the engine's flush).
    await sleep(1200, signal);
    await tallySteps(recordsFile, result.steps);
    const predicted = estimate(result) ?? estimateFromOwnCpu(result);
    result.rate80 = predicted;
    if (options.check && predicted !== null) {
      signal.throwIfAborted();
      const rate = Math.min(MAX_CHECK_RATE, Math.max(1, Math.round(predicted / 2)));
      console.log(
        `[bench] ${strategy}: check step, ${options.stepMs / 1000} s at ${rate} iterations/s (the predicted 80 %)`,
      );
      result.steps.push(await measureStep(load, pids, rate, options.stepMs, true, signal));
    }
    DrivenLoad.check(await load.stop(), load, `bench:fleet ${strategy}`);
    await tallySteps(recordsFile, result.steps);
    if (result.steps.some((s) => s.check)) result.rate80 = estimate(result);
  } finally {
    if (load?.run.child.running) await load.stop();
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
    "ST store/latency",
  ];
  const widths = [9, 6, 8, 7, 8, 8, 7, 7, 7, 7, 7, 16];
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" ");
  console.log("\nCPU ms per answered request, by part (fleet = app + lb + store; client = the load engine's process)");
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
  console.log(
    "(* = check step at the predicted 80 % rate; ST = mean Server-Timing store time and mean latency of the answers with one)",
  );
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
