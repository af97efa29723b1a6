// A worker thread of the engine: runs one share (its people, its arrivals) and sends its records to the main thread
// as encoded lines in batches, with its counts and finished seconds.
import { parentPort, workerData } from "node:worker_threads";
import type { LiveCounts, LoadConfig, LoadRecord } from "./api.ts";
import { EngineShare, type RecordSink } from "./engine.ts";
import { clock, warmUpClient } from "./http-client.ts";
import { encodeRecord } from "./records.ts";
import { resolveScenario } from "./scenario.ts";
import type { SecondBucket } from "./seconds.ts";

export interface WorkerInput {
  config: LoadConfig;
  worker: number;
  workers: number;
}

/** Records and counts so far; `seconds` holds every second that ended before `until` (epoch ms) not sent before. */
export interface Batch {
  lines: string;
  n: number;
  counts: LiveCounts;
  seconds: SecondBucket[];
  until: number;
}

/** Worker → main. */
export type WorkerMessage =
  | { type: "ready" }
  | ({ type: "records" } & Batch)
  | ({ type: "done" } & Batch)
  | { type: "error"; message: string };

/** Main → worker. */
export type MainMessage =
  /** Arrival 0 is due at t0, the records file's base (lines are encoded against it). */
  | { type: "start"; t0: number }
  | { type: "set-rate"; rate: number; at: number }
  | { type: "stop" }
  | { type: "hard-stop" };

const BATCH_CHARS = 65_536;
const BATCH_EVERY_MS = 200;

class BatchSink implements RecordSink {
  lines = "";
  n = 0;
  t0 = 0;
  share: EngineShare | null = null;

  write(record: LoadRecord): void {
    this.lines += encodeRecord(record, this.t0);
    this.n++;
    if (this.lines.length >= BATCH_CHARS) this.send("records");
  }

  send(type: "records" | "done"): void {
    const share = this.share as EngineShare;
    const until = type === "done" ? Number.POSITIVE_INFINITY : clock() - 20;
    const seconds = type === "done" ? share.seconds.takeRest() : share.seconds.takeBuckets(until);
    const message: WorkerMessage = { type, lines: this.lines, n: this.n, counts: { ...share.counts }, seconds, until };
    this.lines = "";
    this.n = 0;
    parentPort?.postMessage(message);
  }
}

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  const port = parentPort;
  if (!port) throw new Error("load/worker.ts runs as a worker thread of load/main.ts");
  const scenario = await resolveScenario(input.config.scenario);
  const sink = new BatchSink();
  let share: EngineShare | null = null;
  const started = new Promise<EngineShare>((resolve) => {
    port.on("message", (message: MainMessage) => {
      if (message.type === "start") {
        sink.t0 = message.t0;
        share = new EngineShare({
          config: input.config,
          scenario,
          t0: message.t0,
          worker: input.worker,
          workers: input.workers,
          sink,
          log: (line) => console.warn(line),
        });
        sink.share = share;
        share.begin();
        resolve(share);
      } else if (message.type === "set-rate") share?.setRate(message.rate, message.at);
      else if (message.type === "stop") share?.stop();
      else share?.hardStop();
    });
  });
  await warmUpClient();
  port.postMessage({ type: "ready" } satisfies WorkerMessage);
  const running = await started;
  const timer = setInterval(() => sink.send("records"), BATCH_EVERY_MS);
  await running.finished;
  clearInterval(timer);
  sink.send("done");
  port.close();
}

main().catch((error: unknown) => {
  parentPort?.postMessage({
    type: "error",
    message: error instanceof Error ? error.message : String(error),
  } satisfies WorkerMessage);
});
