// CPU time from Linux's /proc: per process (utime + stime of /proc/<pid>/stat) and for the whole machine (/proc/stat).
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's counters (USER_HZ); 100 on every mainstream Linux build. */
export const TICKS_PER_SECOND = 100;

/** utime + stime in clock ticks from the text of /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parseProcessTicks(stat: string): number {
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields after the name start at field 3 (state); utime is field 14 and stime field 15.
  const utime = Number(afterName[11]);
  const stime = Number(afterName[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`/proc/<pid>/stat: no utime/stime in ${JSON.stringify(stat.slice(0, 80))}`);
  }
  return utime + stime;
}

export interface MachineTicks {
  /** Every tick of every CPU (user, nice, system, idle, iowait, irq, softirq, steal). */
  total: number;
  /** idle + iowait. */
  idle: number;
}

/** The aggregate "cpu" line of /proc/stat. */
export function parseMachineTicks(procStat: string): MachineTicks {
  const line = procStat.split("\n").find((l) => l.startsWith("cpu "));
  const fields = line?.trim().split(/\s+/).slice(1, 9).map(Number);
  if (!fields || fields.length < 5 || fields.some((n) => !Number.isFinite(n))) {
    throw new Error(`/proc/stat: no aggregate "cpu" line in ${JSON.stringify(procStat.slice(0, 80))}`);
  }
  const total = fields.reduce((sum, n) => sum + n, 0);
  return { total, idle: (fields[3] ?? 0) + (fields[4] ?? 0) };
}

/** CPU ticks used so far by one process; 0 when it has exited (its last ticks are then lost, so stop processes after reading). */
export function processTicks(pid: number): number {
  try {
    return parseProcessTicks(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return 0;
  }
}

export function machineTicks(): MachineTicks {
  return parseMachineTicks(readFileSync("/proc/stat", "utf8"));
}

/** Busy share of the machine between two readings, in % of all its CPUs. */
export function machineBusyPercent(before: MachineTicks, after: MachineTicks): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  return (100 * (total - (after.idle - before.idle))) / total;
}
