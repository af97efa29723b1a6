// One bench measurement in its own process, so that its peak memory is its own:
//   parse <samples-file>   read and JSON.parse every line (the floor for any reader)
//   report <run-dir>       build the report re-checked (--recheck): aggregate the samples once, render, write
// Prints one JSON line: {"mode", "ms", "lines", "peakRssBytes"}.
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
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

async function parseEveryLine(path: string): Promise<number> {
  let lines = 0;
  let points = 0;
  const input = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of input) {
    const parsed = JSON.parse(line) as { type?: string };
    lines++;
    if (parsed.type === "Point") points++;
  }
  if (points === 0) throw new Error(`${path}: no Point line`);
  return lines;
}

async function main(): Promise<void> {
  const [mode, target] = process.argv.slice(2);
  if (!target || (mode !== "parse" && mode !== "report")) {
    throw new Error("usage: measure.ts parse <samples-file> | report <run-dir>");
  }
  const peak = peakTracker();
  const start = process.hrtime.bigint();
  let lines = 0;
  if (mode === "parse") lines = await parseEveryLine(target);
  else await writeReport([target], join(target, "report.html"), { recheck: true });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ mode, ms, lines, peakRssBytes: peak() }));
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
