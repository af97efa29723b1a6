// Runs the docker CLI: the one place the compose platform spawns a process. Bounded in time; a
// failure names the command, its exit status and what it printed.
import { spawn } from "node:child_process";
import { HarnessError } from "../../errors.ts";
import { unwatchGroup, watchGroup } from "../../process/supervisor.ts";

/** The docker binary: `$FH_DOCKER_BIN` (a stand-in for tests, or another path), else `docker` on PATH. */
export function dockerBin(): string {
  return process.env.FH_DOCKER_BIN || "docker";
}

/** A command line as a shell would take it (arguments quoted where needed), for messages and --dry-run. */
export function commandLine(args: readonly string[], bin = dockerBin()): string {
  return [bin, ...args].map(quote).join(" ");
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

export interface DockerOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Print each line the command writes to stderr (its progress), prefixed with this tag ("[compose]"). */
  echo?: string;
}

/** Runs `docker <args>` and resolves to its standard output; throws HarnessError when it fails. */
export function runDocker(args: readonly string[], options: DockerOptions): Promise<string> {
  const line = commandLine(args);
  return new Promise((resolve, reject) => {
    // Its own process group: a terminal's Ctrl-C must not abort a `docker compose down` half way;
    // the watchdog stops it if the orchestrator dies.
    const child = spawn(dockerBin(), args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    const pid = child.pid;
    if (pid !== undefined) watchGroup(pid);
    const out: Buffer[] = [];
    let err = "";
    let why: string | undefined;
    const stop = (reason: string) => {
      why ??= reason;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    };
    const timer = setTimeout(() => stop(`no answer within ${options.timeoutMs} ms`), options.timeoutMs);
    const onAbort = () => stop("interrupted");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      err = (err + text).slice(-8000);
      if (options.echo) for (const l of text.split("\n")) if (l.trim()) console.log(`${options.echo} ${l.trimEnd()}`);
    });
    const finish = () => {
      if (pid !== undefined) unwatchGroup(pid);
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (e: NodeJS.ErrnoException) => {
      finish();
      const hint = e.code === "ENOENT" ? ": docker is not installed or not on PATH (or set FH_DOCKER_BIN)" : "";
      reject(new HarnessError(`${line}: could not run ${dockerBin()}${hint} (${e.message})`));
    });
    child.on("close", (code, signal) => {
      finish();
      if (code === 0 && !why) return resolve(Buffer.concat(out).toString("utf8"));
      const status = why ?? (code !== null ? `exit ${code}` : `killed by ${signal}`);
      const said = err.trim().split("\n").slice(-5).join("\n  ");
      reject(new HarnessError(`${line} failed (${status})${said ? `:\n  ${said}` : ""}`));
    });
  });
}
