// Test helper: forks the engine (load/main.ts) with an IPC channel, collects its messages and stderr, and is
// stopped by its own PID.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadConfig, LoadControl, LoadMessage } from "../../api.ts";

export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export interface EngineChild {
  child: ChildProcess;
  messages: LoadMessage[];
  stderr(): string;
  /** Resolves with the first message of `type`. */
  next(type: LoadMessage["type"]): Promise<LoadMessage>;
  send(control: LoadControl): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];

/** Forks the engine with `config` (any JSON: bad configs too). */
export function spawnEngine(config: Partial<LoadConfig> | Record<string, unknown>): EngineChild {
  const child = fork(MAIN, [JSON.stringify(config)], {
    cwd: ROOT,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  started.push(child);
  const messages: LoadMessage[] = [];
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const waiters: Array<{ type: LoadMessage["type"]; resolve: (m: LoadMessage) => void }> = [];
  child.on("message", (message: LoadMessage) => {
    messages.push(message);
    for (const w of waiters.filter((w) => w.type === message.type)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(message);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    messages,
    stderr: () => stderr,
    next: (type) => {
      const seen = messages.find((m) => m.type === type);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ type, resolve }));
    },
    send: (control) => child.send(control),
    exited,
  };
}

/** Kills every engine this helper started that still runs (by its PID). */
export function killEngines(): void {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}
