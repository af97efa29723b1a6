// Runs `npm run <script> -- <args>` as a terminal would: detached, so npm leads a process group of
// its own, and `interrupt()` sends SIGINT to that whole group (npm, sh, tsx and the orchestrator at
// once, as Ctrl-C does), noting every process below npm at that moment.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { descendants, type ProcessEntry } from "./process-tree.ts";
import { repoRoot } from "./run-cli.ts";

export interface NpmRun {
  /** SIGINT (or another signal) to npm's process group; returns the processes below npm just before. */
  interrupt(signal?: NodeJS.Signals): ProcessEntry[];
  /** The processes below npm now. */
  tree(): ProcessEntry[];
  readonly pid: number;
}

export interface NpmResult {
  /** The exit status as a shell reports it: the code, or 128 + the signal's number. */
  status: number;
  output: string;
  /** Every process seen below npm at each interrupt() or tree() call. */
  seen: ProcessEntry[];
  ms: number;
}

const live = new Set<number>();

/** SIGKILL the process group of every npm still running (for afterAll). */
export function killNpmGroups(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

export function runNpm(
  script: "scenario" | "chaos",
  args: string[],
  onLine: (line: string, run: NpmRun) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NpmResult> {
  const started = Date.now();
  const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid!;
  live.add(pid);
  const seen = new Map<number, ProcessEntry>();
  const note = () => {
    const now = descendants(pid);
    for (const p of now) seen.set(p.pid, p);
    return now;
  };
  const run: NpmRun = {
    pid,
    tree: note,
    interrupt(signal = "SIGINT") {
      const before = note();
      process.kill(-pid, signal);
      return before;
    },
  };
  let output = "";
  let partial = "";
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString();
    output += chunk.toString();
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line, run);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return new Promise((done) =>
    child.on("exit", (code, signal) => {
      live.delete(pid);
      const status = code ?? 128 + (signal ? constants.signals[signal] : 0);
      const ms = Date.now() - started;
      // Not "close": a process that outlived npm would hold the pipes open; the last lines need a moment.
      setTimeout(() => done({ status, output, seen: [...seen.values()], ms }), 100);
    }),
  );
}
