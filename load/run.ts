// Starts a whole load run in this process: the records file, then one share in this thread (workers = 1) or one per
// worker thread, all due from one t0; sums their counts; closes the file when every share has finished.
import { Worker } from "node:worker_threads";
import type { LiveCounts, LoadConfig, SecondFigures } from "./api.ts";
import { EngineShare, emptyCounts } from "./engine.ts";
import { clock, warmUpClient } from "./http-client.ts";
import { RecordsWriter } from "./records.ts";
import type { ScenarioDefinition } from "./scenario-api.ts";
import { SecondStats } from "./seconds.ts";
import { engineVersion } from "./version.ts";
import type { MainMessage, WorkerInput, WorkerMessage } from "./worker.ts";

export interface LoadRun {
  /** Epoch ms of arrival 0 (the records file's t0). */
  readonly t0: number;
  /** The counts so far (workers report theirs about every 200 ms). */
  counts(): LiveCounts;
  /** No new iterations; those in flight get the request timeout to finish. */
  stop(): void;
  /** Ends now; what is in flight is not recorded. */
  hardStop(): void;
  /** Arrivals at `rate` per second from now on (the run still ends at t0 + durationMs). */
  setRate(rate: number): void;
  /** Resolves once every share has finished and the records file is closed. */
  readonly finished: Promise<LiveCounts>;
}

export interface StartOptions {
  log(message: string): void;
  /** Lead time between the shares being ready and arrival 0 (ms). Default 10. */
  leadMs?: number;
  /** Called for each whole second once it is over (and, at the end, for the seconds not yet reported). */
  onSecond?(figures: SecondFigures): void;
}

function sum(all: LiveCounts[]): LiveCounts {
  const total = emptyCounts();
  for (const c of all) {
    total.iterations += c.iterations;
    total.dropped += c.dropped;
    total.requests += c.requests;
    total.failed += c.failed;
    total.sessionsLost += c.sessionsLost;
  }
  return total;
}

function header(config: LoadConfig, scenario: ScenarioDefinition<unknown>, t0: number) {
  const { baseUrl, rate, sessions, durationMs, requestTimeoutMs, runId, workers } = config;
  return {
    t0,
    engine: engineVersion(),
    scenario: scenario.name,
    baseUrl,
    rate,
    sessions,
    durationMs,
    requestTimeoutMs,
    runId,
    workers,
  };
}

/** Starts the run of a validated config whose scenario resolved to `scenario`. */
export async function startLoad(
  config: LoadConfig,
  scenario: ScenarioDefinition<unknown>,
  options: StartOptions,
): Promise<LoadRun> {
  const lead = options.leadMs ?? 10;
  if (config.workers === 1) {
    await warmUpClient();
    const t0 = clock() + lead;
    const writer = new RecordsWriter(config.recordsFile, header(config, scenario, t0));
    const share = new EngineShare({ config, scenario, t0, worker: 0, workers: 1, sink: writer, log: options.log });
    const report = (until: number) => {
      for (const figures of share.seconds.take(until)) options.onSecond?.(figures);
    };
    const secondsTimer = setInterval(() => report(clock() - 20), 250);
    share.begin();
    return {
      t0,
      counts: () => ({ ...share.counts }),
      stop: () => share.stop(),
      hardStop: () => share.hardStop(),
      setRate: (rate) => share.setRate(rate, clock()),
      finished: share.finished.then(async (counts) => {
        clearInterval(secondsTimer);
        report(clock());
        await writer.close();
        return { ...counts };
      }),
    };
  }
  // Workers log their scenario warnings on this process's stderr themselves (console.warn).
  return startWorkers(config, scenario, lead, options);
}

async function startWorkers(
  config: LoadConfig,
  scenario: ScenarioDefinition<unknown>,
  lead: number,
  options: StartOptions,
): Promise<LoadRun> {
  const counts: LiveCounts[] = [];
  const workers: Worker[] = [];
  let writer: RecordsWriter | null = null;
  let seconds: SecondStats | null = null;
  const reportedUntil: number[] = [];
  const done: Promise<void>[] = [];
  const ready: Promise<void>[] = [];
  for (let w = 0; w < config.workers; w++) {
    counts.push(emptyCounts());
    const input: WorkerInput = { config, worker: w, workers: config.workers };
    const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: input });
    workers.push(worker);
    let onReady: () => void = () => {};
    ready.push(
      new Promise<void>((resolve) => {
        onReady = resolve;
      }),
    );
    done.push(
      new Promise<void>((resolve, reject) => {
        worker.on("message", (message: WorkerMessage) => {
          if (message.type === "ready") onReady();
          else if (message.type === "error") reject(new Error(`worker ${w}: ${message.message}`));
          else {
            writer?.writeEncoded(message.lines, message.n);
            counts[w] = message.counts;
            if (seconds) {
              for (const bucket of message.seconds) seconds.add(bucket);
              reportedUntil[w] = message.until;
              const until = Math.min(clock(), ...reportedUntil);
              for (const figures of seconds.take(until)) options.onSecond?.(figures);
            }
            if (message.type === "done") resolve();
          }
        });
        worker.on("error", (error) => reject(new Error(`worker ${w}: ${error.message}`)));
        worker.on("exit", (code) => {
          if (code !== 0) reject(new Error(`worker ${w} exited with code ${code}`));
        });
      }),
    );
  }
  const post = (message: MainMessage) => {
    for (const worker of workers) worker.postMessage(message);
  };
  const failed = Promise.race(done.map((d) => d.then(() => new Promise<never>(() => {}))));
  try {
    await Promise.race([Promise.all(ready), failed]);
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  }
  const t0 = clock() + lead;
  writer = new RecordsWriter(config.recordsFile, header(config, scenario, t0));
  seconds = new SecondStats(t0);
  for (let w = 0; w < config.workers; w++) reportedUntil.push(t0);
  post({ type: "start", t0 });
  const allSeconds = seconds;
  const finalWriter = writer;
  return {
    t0,
    counts: () => sum(counts),
    stop: () => post({ type: "stop" }),
    hardStop: () => post({ type: "hard-stop" }),
    // A little ahead, so that every worker switches at the same time.
    setRate: (rate) => post({ type: "set-rate", rate, at: clock() + 20 }),
    finished: Promise.all(done).then(
      async () => {
        for (const figures of allSeconds.take(clock())) options.onSecond?.(figures);
        await finalWriter.close();
        return sum(counts);
      },
      async (error: unknown) => {
        await Promise.all(workers.map((worker) => worker.terminate()));
        await finalWriter.close();
        throw error;
      },
    ),
  };
}
