// Runs one of the orchestrator's CLIs as a child process (as a user would) and reads its run records.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { LoadRecord } from "../../../load/api.ts";
import { readRecords } from "../../../load/records.ts";
import { FAILED_CLASSES } from "../../../scenarios/lib/classify.ts";
import { isFaultStep } from "../../src/run/event-schema.ts";
import type { RunRecord } from "../../src/run/run-record.ts";
import { parseRunRecord, SCHEMA_VERSION } from "../../src/run/run-record-schema.ts";
import { warmUpMaxMs } from "../../src/run/warm-up.ts";
import { dynaliteServer } from "../../src/store-servers/dynalite/index.ts";

export const repoRoot = resolve(import.meta.dirname, "../../..");

/** What an end-to-end test needs and does not have, or an empty list (the load engine is part of the repository). */
export function missingTools(): string[] {
  return dynaliteServer.version() ? [] : ["dynalite"];
}

/**
 * A time budget for a test that runs `runs` chaos runs of `loadSeconds` each: per run, the longest warm-up (on a noisy
 * machine it runs to its bound, as it did in CI), the load, and a minute for starting, draining and stopping the fleet.
 * A budget, not a measurement: the test asserts on the records, never on how long it took.
 */
export function chaosBudgetMs(runs: number, loadSeconds: number): number {
  return runs * (warmUpMaxMs + loadSeconds * 1000 + 60_000);
}

const children = new Set<ChildProcess>();

/** SIGKILL every CLI still running (for afterAll). */
export function killCliChildren(): void {
  for (const child of children) child.kill("SIGKILL");
}

export function runCli(
  cli: "scenario" | "chaos",
  args: string[],
  onLine?: (line: string, child: ChildProcess) => void,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", `orchestrator/src/cli/${cli}.ts`, ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    for (const line of text.split("\n")) onLine?.(line, child);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return new Promise((done) =>
    child.on("exit", (code) => {
      children.delete(child);
      done({ code, output });
    }),
  );
}

/** run.json as the report reads it: through the run record's schema (this harness writes schema 2, checked in full). */
export function readRecord(dir: string): RunRecord {
  const path = join(dir, "run.json");
  const read = parseRunRecord(JSON.parse(readFileSync(path, "utf8")), path);
  if (read.schemaVersion !== SCHEMA_VERSION)
    throw new Error(`${path}: schema ${read.schemaVersion}, expected ${SCHEMA_VERSION}`);
  return read.record;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The steps a rolling-restart recorded, in order, as "<step> <instance>" (deregister, stop, replace each). */
export function faultSteps(record: RunRecord): string[] {
  return record.events.flatMap((e) =>
    e.type === "fault" && isFaultStep(e) && e.phase === "start" ? [`${e.action} ${e.target}`] : [],
  );
}

/** What faultSteps is for a rolling restart of app-1..app-3. */
export const rollingRestartSteps = ["app-1", "app-2", "app-3"].flatMap((id) => [
  `deregister ${id}`,
  `stop ${id}`,
  `replace ${id}`,
]);

type RequestRecord = Extract<LoadRecord, { kind: "request" }>;
const failedClasses: ReadonlySet<string> = new Set(FAILED_CLASSES);

/**
 * The failed requests of a run (read from its records file) that were not in flight while a victim was being
 * killed: in flight means started before the orchestrator saw the victim gone (the crash's or terminate's end
 * event) and answered after the kill was sent (its start event), give or take `slackMs` between the engine's
 * clock and the orchestrator's (about 2 ms apart here). Behind a balancer that retries refused connections,
 * a request sent after the victim is gone is retried elsewhere, so the list should be empty. Unlike HAProxy's
 * counters behind inFlightAtFault, this sees the requests HAProxy closes silently (platforms/types.ts, abortedTotal).
 */
export async function failuresOutsideKills(dir: string, record: RunRecord, slackMs = 10): Promise<RequestRecord[]> {
  const kills: { from: number; to: number }[] = [];
  for (const e of record.events) {
    if (e.type !== "fault" || isFaultStep(e) || (e.action !== "crash" && e.action !== "terminate")) continue;
    if (e.phase === "start") kills.push({ from: e.t, to: Number.POSITIVE_INFINITY });
    else if (e.phase === "end" && kills.length > 0) kills[kills.length - 1]!.to = e.t;
  }
  const outside: RequestRecord[] = [];
  for await (const r of readRecords(join(dir, "records.tsv.gz"))) {
    if (r.kind !== "request" || !failedClasses.has(r.cls)) continue;
    const started = r.t - r.ms;
    if (!kills.some((k) => started <= k.to + slackMs && r.t >= k.from - slackMs)) outside.push(r);
  }
  return outside;
}
