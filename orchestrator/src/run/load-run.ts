// Runs the harness's load engine (load/main.ts) on one LoadConfig as its own process: a ManagedChild with
// a Node IPC channel for its messages (live counts, per-second figures), its CPU watched from /proc.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { LiveCounts, LoadConfig, LoadMessage } from "../../../load/api.ts";
import { engineVersion } from "../../../load/version.ts";

export { loadConfigOf } from "../plan/load-config.ts";

import { type ExitInfo, ManagedChild } from "../process/child.ts";
import { childEnv } from "../process/child-env.ts";
import { CpuWatch } from "../process/cpu-watch.ts";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../..");
const ENGINE = join(repoRoot, "load", "main.ts");

/** The engine's version for run.json (`versions["load-engine"]`): its package version and undici's. */
export function loadEngineVersion(): string {
  return engineVersion();
}

export interface LoadRunOptions {
  /** The output prefix and process name (default "load"). */
  name?: string;
  /** The engine's output goes here (and, with echo, to the console prefixed with the name). */
  logFile: string;
  /** Where the config is written for the engine to read (default: beside the log, `<name>-config.json`). */
  configFile?: string;
  echo?: boolean;
  /** Each message the engine sends (after LoadRun has taken its counts from it). */
  onMessage?: (message: LoadMessage) => void;
}

/** One engine process: started on construction, stopped by stop() or at the end of its duration. */
export class LoadRun {
  readonly child: ManagedChild;
  readonly cpu: CpuWatch;
  readonly config: LoadConfig;
  /** Epoch ms the engine's schedule started (its `started` message); null until then. */
  startedAt: number | null = null;
  /** The latest counts it sent (progress or done); null before the first. */
  counts: LiveCounts | null = null;
  /** True once it sent `done`: its records file is complete. */
  done = false;
  /** Error messages it sent. */
  readonly errors: string[] = [];

  constructor(config: LoadConfig, options: LoadRunOptions) {
    this.config = config;
    const name = options.name ?? "load";
    mkdirSync(dirname(options.logFile), { recursive: true });
    const configFile = options.configFile ?? join(dirname(options.logFile), `${name}-config.json`);
    writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
    this.child = new ManagedChild({
      name,
      command: process.execPath,
      args: ["--import", "tsx", ENGINE, "--config", configFile],
      cwd: repoRoot,
      // Allow-listed: the engine never sees the user's AWS credentials or tokens.
      env: childEnv(),
      logFile: options.logFile,
      echo: options.echo ?? true,
      onMessage: (raw) => {
        const message = raw as LoadMessage;
        if (message.type === "started") {
          this.startedAt = message.t0;
          // The CPU of the load, not of the engine's start-up (tsx compiling it, its client warm-up).
          this.cpu.restart();
        } else if (message.type === "progress" || message.type === "done") {
          const { type: _, ...counts } = message;
          this.counts = counts;
          if (message.type === "done") this.done = true;
        } else if (message.type === "error") this.errors.push(message.message);
        options.onMessage?.(message);
      },
    });
    this.cpu = new CpuWatch(this.child.pid);
  }

  get exited(): Promise<ExitInfo> {
    return this.child.exited;
  }

  /** Sends a message to the engine (set-rate, stop); false when it is gone. */
  send(message: object): boolean {
    return this.child.send(message);
  }

  /**
   * Stops the engine cleanly (SIGTERM: no new iteration, those in flight finish within the request
   * timeout, the records file is closed), SIGKILL after the request timeout and 5 s more.
   */
  async stop(): Promise<ExitInfo> {
    try {
      return await this.child.stop(this.config.requestTimeoutMs + 5000, "SIGTERM");
    } finally {
      this.cpu.stop();
    }
  }
}
