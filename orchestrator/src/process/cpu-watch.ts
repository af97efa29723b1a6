// CPU use of one process (all its threads) and of the whole machine, sampled once a second from /proc.
import { readFileSync } from "node:fs";

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

  /**
   * Forgets the samples so far and measures from now, on a fresh one-second tick: a process's start-up
   * (the load engine compiling its TypeScript) is not the load it then generates.
   */
  restart(): void {
    this.processPercent.length = 0;
    this.machinePercent.length = 0;
    this.lastAt = 0;
    clearInterval(this.timer);
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
