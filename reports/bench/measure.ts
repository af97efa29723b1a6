// One bench measurement in its own process, so that its peak memory is its own:
//   parse <records-file>   read and decode every record (the floor for any reader)
//   report <run-dir>       build the report re-checked (--recheck): aggregate the records once, render, write
// Prints one JSON line: {"mode", "ms", "records", "peakRssBytes"}.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { forEachRecord } from "../../load/records.ts";
import { writeReport } from "../src/write-report.ts";

/** The resident-set high-water mark: VmHWM from /proc, else the largest RSS sampled every 20 ms. */
function peakTracker(): () => number {
  let sampled = process.memoryUsage.rss();
  const timer = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage.rss());
  }, 20);
  timer.unref();
  return () => {
    clearInterval(timer);
    try {
      const kb = readFileSync("/proc/self/status", "utf8").match(/^VmHWM:\s+(\d+) kB/m)?.[1];
      if (kb) return Number(kb) * 1024;
    } catch {}
    return Math.max(sampled, process.memoryUsage.rss());
  };
}

/** Reads and decodes every record (the floor for any reader of the file); returns how many. */
async function decodeEveryRecord(path: string): Promise<number> {
  const summary = await forEachRecord(path, () => {});
  if (summary.records === 0) throw new Error(`${path}: no record`);
  return summary.records;
}

async function main(): Promise<void> {
  const [mode, target] = process.argv.slice(2);
  if (!target || (mode !== "parse" && mode !== "report")) {
    throw new Error("usage: measure.ts parse <records-file> | report <run-dir>");
  }
  const peak = peakTracker();
  const start = process.hrtime.bigint();
  let records = 0;
  if (mode === "parse") records = await decodeEveryRecord(target);
  else await writeReport([target], join(target, "report.html"), { recheck: true });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ mode, ms, records, peakRssBytes: peak() }));
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
