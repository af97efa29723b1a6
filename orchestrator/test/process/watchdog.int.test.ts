// The watchdog on its own: when its stdin closes it stops the process groups it was told about
// (SIGTERM, then SIGKILL after the grace period), leaves the ones that ended alone, and exits.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { haveProc, running } from "../helpers/process-tree.ts";

const watchdogScript = join(import.meta.dirname, "../../src/process/watchdog.mjs");
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.pid && running(child.pid)) child.kill("SIGKILL");
});

/** A detached fixture: sleeps for ever; with `stubborn`, ignores SIGTERM. */
function sleeper(stubborn = false): ChildProcess {
  const code = `${stubborn ? 'process.on("SIGTERM", () => {});' : ""} setInterval(() => {}, 1000); console.log("up");`;
  const child = spawn(process.execPath, ["-e", code], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
  started.push(child);
  return child;
}

const ready = (child: ChildProcess) => new Promise((resolve) => child.stdout?.once("data", resolve));
const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );

describe.skipIf(!haveProc)("watchdog", () => {
  if (!haveProc) console.warn("SKIPPED watchdog tests: no /proc on this system");

  it("stops the listed groups when its stdin closes: SIGTERM, then SIGKILL after the grace period", async () => {
    const polite = sleeper();
    const stubborn = sleeper(true);
    const ended = sleeper();
    await Promise.all([ready(polite), ready(stubborn), ready(ended)]);
    const watchdog = spawn(process.execPath, [watchdogScript, "1000"], { stdio: ["pipe", "ignore", "pipe"] });
    started.push(watchdog);
    let said = "";
    watchdog.stderr?.on("data", (chunk: Buffer) => {
      said += chunk.toString();
    });
    watchdog.stdin?.write(`+ ${polite.pid}\n+ ${stubborn.pid}\n+ ${ended.pid}\n- ${ended.pid}\n`);
    const politeExit = exited(polite);
    const stubbornExit = exited(stubborn);
    const watchdogExit = exited(watchdog);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const t0 = Date.now();
    watchdog.stdin?.end();
    expect(await politeExit).toEqual({ code: null, signal: "SIGTERM" });
    expect(await stubbornExit).toEqual({ code: null, signal: "SIGKILL" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect((await watchdogExit).code).toBe(0);
    expect(running(ended.pid!)).toBe(true);
    expect(said).toMatch(/the orchestrator is gone: stopping 2 process group/);
  });

  it("exits at once when nothing it was told about is left", async () => {
    const watchdog = spawn(process.execPath, [watchdogScript, "5000"], { stdio: ["pipe", "ignore", "ignore"] });
    started.push(watchdog);
    const done = exited(watchdog);
    watchdog.stdin?.end("+ 999999999\n");
    const t0 = Date.now();
    expect((await done).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
