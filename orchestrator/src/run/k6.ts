// Runs k6 on a scenario against the balancer, watches its CPU use and reads live counts.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { k6Path } from "../../../tools/tool-paths.mjs";
import { HarnessError } from "../errors.ts";
import { formatDuration } from "../plan/duration.ts";
import type { Plan } from "../plan/plan.ts";
import { ManagedChild } from "../process/child.ts";
import { childEnv } from "../process/child-env.ts";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../..");

export interface K6Files {
  samples: string;
  summary: string;
  log: string;
}

export function k6Files(runDir: string): K6Files {
  return {
    samples: join(runDir, "samples.json"),
    summary: join(runDir, "k6-summary.json"),
    log: join(runDir, "logs", "k6.log"),
  };
}

export function k6Version(): string {
  const out = spawnSync(k6Path(), ["version"], { encoding: "utf8" });
  if (out.error || out.status !== 0) throw new HarnessError(`k6 is not usable at ${k6Path()}: run \`npm run setup\``);
  return out.stdout.split("\n")[0]?.trim() ?? "unknown";
}

export interface K6Run {
  child: ManagedChild;
  cpu: CpuWatch;
  /** Live value of a counter or trend count from k6's REST API, or null when unavailable. */
  liveCount(metric: string): Promise<number | null>;
}

export function startK6(plan: Plan, runDir: string, baseUrl: string, apiPort: number): K6Run {
  const files = k6Files(runDir);
  // Allow-listed: k6 never sees the user's AWS credentials or tokens (K6_CLOUD_TOKEN included).
  const env = childEnv({
    BASE_URL: baseUrl,
    RATE: String(plan.load.rate),
    SESSIONS: String(plan.load.sessions),
    DURATION: formatDuration(plan.load.durationMs),
    REQUEST_TIMEOUT: formatDuration(plan.load.requestTimeoutMs),
    SUMMARY_PATH: files.summary,
    RUN_ID: plan.runId.replace(/[^A-Za-z0-9_.-]/g, "").slice(-40),
    K6_NO_USAGE_REPORT: "true",
  });
  const child = new ManagedChild({
    name: "k6",
    command: k6Path(),
    args: [
      "run",
      "--quiet",
      "--no-color",
      "--no-usage-report",
      "--address",
      `127.0.0.1:${apiPort}`,
      "--out",
      `json=${files.samples}`,
      join(repoRoot, plan.load.scenario),
    ],
    env,
    logFile: files.log,
    echo: false,
  });
  const cpu = new CpuWatch(child.pid);
  return {
    child,
    cpu,
    async liveCount(metric) {
      try {
        const res = await fetch(`http://127.0.0.1:${apiPort}/v1/metrics/${metric}`, {
          signal: AbortSignal.timeout(500),
        });
        if (!res.ok) return null;
        const body = (await res.json()) as { data?: { attributes?: { sample?: Record<string, number> } } };
        const sample = body.data?.attributes?.sample;
        return sample?.count ?? null;
      } catch {
        return null;
      }
    },
  };
}

/** CPU use of one process (from /proc/<pid>/stat) and of the whole machine (/proc/stat), per second. */
export class CpuWatch {
  readonly processPercent: number[] = [];
  readonly machinePercent: number[] = [];
  private timer?: NodeJS.Timeout;
  private lastProc?: number;
  private lastMachine?: { busy: number; total: number };
  private lastAt = 0;
  private readonly ticksPerSecond = 100;

  constructor(private readonly pid: number | undefined) {
    this.read();
    this.timer = setInterval(() => this.read(), 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private read(): void {
    const now = Date.now();
    const proc = this.procTicks();
    const machine = machineTicks();
    if (this.lastAt && proc !== null && this.lastProc !== undefined) {
      const seconds = (now - this.lastAt) / 1000;
      this.processPercent.push(round1(((proc - this.lastProc) / this.ticksPerSecond / seconds) * 100));
    }
    if (this.lastMachine && machine) {
      const total = machine.total - this.lastMachine.total;
      if (total > 0) this.machinePercent.push(round1(((machine.busy - this.lastMachine.busy) / total) * 100));
    }
    this.lastAt = now;
    this.lastProc = proc ?? undefined;
    this.lastMachine = machine ?? undefined;
  }

  private procTicks(): number | null {
    if (!this.pid) return null;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      return null;
    }
  }
}

function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
