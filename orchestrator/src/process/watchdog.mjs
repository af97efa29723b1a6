// The watchdog: one per orchestrator, plain Node (no loader), started with a stdin pipe. Lines
// "+ PID" / "- PID" name each process group the orchestrator started and each that ended; "! JSON"
// / "!- JSON" a command (an argv array) to run if it dies, such as a compose project's `down`, and
// its withdrawal. When stdin closes or the orchestrator is gone (killed, crashed terminal), it sends
// SIGTERM to every group still listed, SIGKILL to those left after the grace period, runs the
// commands still listed (each bounded in time), and exits. Never by name.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const graceMs = Number(process.argv[2] ?? 5000);
const parent = process.ppid;
/** Process group id (the leader's PID) -> the leader's start time from /proc, or null where unknown. */
const groups = new Map();
/** Commands to run if the orchestrator dies, by their JSON text. */
const commands = new Map();
const commandTimeoutMs = 3 * 60_000;
let stopping = false;

/** Field 22 of /proc/PID/stat (clock ticks since boot): tells a reused PID from the one we were told. */
function startTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

/** Signals a group unless its leader's PID now belongs to another process (a reused PID). */
function signalGroup(pgid, started, signal) {
  const now = startTime(pgid);
  if (now !== null && started !== null && now !== started) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

function runCommandsAndExit() {
  for (const argv of commands.values()) {
    console.error(`[watchdog] running ${argv.join(" ")}`);
    const result = spawnSync(argv[0], argv.slice(1), {
      stdio: ["ignore", "ignore", "inherit"],
      timeout: commandTimeoutMs,
    });
    if (result.error || result.status !== 0)
      console.error(`[watchdog] ${argv.join(" ")} failed: ${result.error?.message ?? `exit ${result.status}`}`);
  }
  process.exit(0);
}

function stopAll(why) {
  if (stopping) return;
  stopping = true;
  const left = [...groups].filter(([pgid]) => groupAlive(pgid));
  if (left.length === 0) return runCommandsAndExit();
  console.error(
    `[watchdog] ${why}: stopping ${left.length} process group(s) it started: ${left.map(([p]) => p).join(", ")}`,
  );
  for (const [pgid, started] of left) signalGroup(pgid, started, "SIGTERM");
  const deadline = Date.now() + graceMs;
  const timer = setInterval(() => {
    const alive = left.filter(([pgid]) => groupAlive(pgid));
    if (alive.length > 0 && Date.now() < deadline) return;
    for (const [pgid, started] of alive) signalGroup(pgid, started, "SIGKILL");
    clearInterval(timer);
    runCommandsAndExit();
  }, 100);
}

// The terminal's signals are the orchestrator's to handle; a SIGTERM to the watchdog itself stops the groups.
process.on("SIGINT", () => {});
process.on("SIGHUP", () => {});
process.on("SIGTERM", () => stopAll("watchdog stopped by SIGTERM"));

createInterface({ input: process.stdin })
  .on("line", (line) => {
    const command = /^(!-?) (\[.*\])$/.exec(line.trim());
    if (command) {
      const argv = JSON.parse(command[2]);
      if (command[1] === "!") commands.set(command[2], argv);
      else commands.delete(command[2]);
      return;
    }
    const match = /^([+-]) (\d+)$/.exec(line.trim());
    if (!match)
      return console.error(
        `[watchdog] ignored line ${JSON.stringify(line)}: expected "+ PID", "- PID", "! JSON" or "!- JSON"`,
      );
    const pid = Number(match[2]);
    if (match[1] === "+") groups.set(pid, startTime(pid));
    else groups.delete(pid);
  })
  .on("close", () => stopAll("the orchestrator is gone"));

// Fallback in case the pipe stays open: re-parented means the orchestrator died.
setInterval(() => {
  if (process.ppid !== parent) stopAll("the orchestrator is gone (re-parented)");
}, 1000).unref();
