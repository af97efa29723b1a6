// A child process we started and own: output prefixed with its name and kept in a log file,
// stopped by its own PID (a signal, a bounded grace period, then SIGKILL), never by name. Each
// child leads its own process group, so a terminal's Ctrl-C reaches only the orchestrator, which
// alone decides how the fleet stops; the watchdog stops the group if the orchestrator dies.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { unwatchGroup, watchGroup } from "./supervisor.ts";

/** Set in every child's environment: it is stopped by the orchestrator (SIGTERM), not by Ctrl-C. */
export const supervisedEnv = { FH_SUPERVISED: "1" } as const;

export interface ChildOptions {
  /** Short name used as the output prefix: `[app-2]`, `[lb]`, `[load]`. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Append the child's output to this file. */
  logFile?: string;
  /** Echo the child's output to the console with its prefix (default true). */
  echo?: boolean;
  /** Called for each line of output (after echoing). */
  onLine?: (line: string) => void;
  /**
   * Opens a Node IPC channel (the child is a Node program that uses process.send / 'message') and
   * calls this for each message it sends. The channel closes when either side exits, so a child
   * can also see its parent die ('disconnect').
   */
  onMessage?: (message: unknown) => void;
  /**
   * Signals go to the child's whole process group (its own, led by its PID), not to its PID alone: for a program
   * whose workers are its children (PHP's built-in server with workers), so that a kill kills the workers too.
   */
  signalGroup?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every child still running, so that an emergency exit can stop them all by PID. */
const running = new Set<ManagedChild>();
/** Every child ever started by this process, for the run record. */
const started: { name: string; pid: number }[] = [];

export class ManagedChild {
  readonly name: string;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly log?: WriteStream;
  private exitInfo?: ExitInfo;
  private readonly signalGroup: boolean;
  /** The last lines of its output, for error messages (a child that would not start). */
  private readonly tail: string[] = [];

  constructor(options: ChildOptions) {
    this.name = options.name;
    this.signalGroup = options.signalGroup ?? false;
    this.log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
    this.child = spawn(options.command, options.args, {
      env: { ...(options.env ?? process.env), ...supervisedEnv },
      cwd: options.cwd,
      stdio: options.onMessage ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
      // A process group (and session) of its own: the terminal's SIGINT does not reach it.
      detached: true,
    });
    running.add(this);
    const pid = this.child.pid;
    if (pid !== undefined) {
      started.push({ name: this.name, pid });
      watchGroup(pid);
    }
    if (options.onMessage) this.child.on("message", options.onMessage);
    const echo = options.echo ?? true;
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        this.log?.write(`${line}\n`);
        this.tail.push(line);
        if (this.tail.length > 20) this.tail.shift();
        if (echo) console.log(`[${this.name}] ${line}`);
        options.onLine?.(line);
      });
    }
    this.exited = new Promise((resolve) => {
      const done = (info: ExitInfo) => {
        if (this.exitInfo) return;
        this.exitInfo = info;
        running.delete(this);
        if (pid !== undefined) unwatchGroup(pid);
        this.log?.end();
        resolve(info);
      };
      this.child.once("exit", (code, signal) => done({ code, signal }));
      this.child.once("error", (err) => {
        this.log?.write(`spawn error: ${err.message}\n`);
        if (echo) console.error(`[${this.name}] could not start ${options.command}: ${err.message}`);
        done({ code: null, signal: null });
      });
    });
  }

  /** Its last `n` lines of output (stdout and stderr), oldest first. */
  lastLines(n = 10): string[] {
    return this.tail.slice(-n);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.child.pid !== undefined;
  }

  /** Sends a message over the IPC channel (onMessage); false when there is none or it is closed. */
  send(message: unknown): boolean {
    if (!this.running || !this.child.connected) return false;
    try {
      return this.child.send(message as object);
    } catch {
      return false;
    }
  }

  /** Sends a signal to this child's PID (or its process group, with signalGroup); false when it is no longer running. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.running) return false;
    const pid = this.child.pid;
    if (this.signalGroup && pid !== undefined) {
      try {
        process.kill(-pid, signal);
        return true;
      } catch {
        return this.child.kill(signal);
      }
    }
    return this.child.kill(signal);
  }

  /** With signalGroup: SIGKILLs whatever of its process group outlived its leader (workers left behind). */
  killGroupLeftovers(): void {
    const pid = this.child.pid;
    if (!this.signalGroup || pid === undefined) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // the group is empty: nothing left behind
    }
  }

  /** Stops the child: `signal` (default SIGTERM), then SIGKILL after graceMs. Resolves on exit. */
  async stop(graceMs = 5000, signal: NodeJS.Signals = "SIGTERM"): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.signal(signal);
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Last resort on the way out: SIGKILL every child still running, by PID. Synchronous. */
export function killAllChildrenNow(): void {
  for (const child of running) child.signal("SIGKILL");
}

/** Name and PID of every child this process started, running or not. */
export function startedChildren(): readonly { name: string; pid: number }[] {
  return [...started];
}
