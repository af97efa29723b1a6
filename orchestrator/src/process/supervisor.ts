// The orchestrator's side of the watchdog: started with the first child, told each child's process
// group as it starts and ends (and the clean-up commands to run), so that killing the orchestrator
// (SIGKILL, a closed terminal) still stops everything it started. It holds no reference to the event loop.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./watchdog.mjs", import.meta.url));
/** How long the watchdog waits after SIGTERM before SIGKILL. */
const graceMs = 5000;

let watchdog: ChildProcess | undefined;

function ensureWatchdog(): ChildProcess {
  if (watchdog) return watchdog;
  // Detached: its own process group and session, so neither a terminal's Ctrl-C nor its hang-up reaches it.
  const child = spawn(process.execPath, [script, String(graceMs)], {
    detached: true,
    stdio: ["pipe", "ignore", "inherit"],
  });
  child.on("error", (err) => console.error(`[watchdog] could not start: ${err.message}`));
  child.stdin?.on("error", () => {
    // EPIPE: the watchdog is gone; nothing more to tell it.
  });
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  watchdog = child;
  return child;
}

/** Tells the watchdog about a process group this orchestrator leads the life of (its leader's PID). */
export function watchGroup(pid: number): void {
  ensureWatchdog().stdin?.write(`+ ${pid}\n`);
}

/** The group ended (or was stopped by us): the watchdog forgets it. */
export function unwatchGroup(pid: number): void {
  watchdog?.stdin?.write(`- ${pid}\n`);
}

/**
 * A command (argv, binary first) the watchdog runs if this orchestrator dies before withdrawing it:
 * the clean-up of what is not a process of ours (a compose project's containers). Returns the withdrawal.
 */
export function onOrchestratorDeath(argv: readonly string[]): () => void {
  const line = JSON.stringify(argv);
  ensureWatchdog().stdin?.write(`! ${line}\n`);
  return () => watchdog?.stdin?.write(`!- ${line}\n`);
}

/** The watchdog's PID, once started. */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}
