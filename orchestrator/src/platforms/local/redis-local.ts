// Runs Debian's redis-server as a child process on a loopback port: in memory only, or with an append-only file.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { connect } from "node:net";
import { redisServerPath } from "../../../../tools/tool-paths.mjs";
import { HarnessError } from "../../errors.ts";
import { ManagedChild } from "../../process/child.ts";
import { childEnv } from "../../process/child-env.ts";
import { pollUntil } from "../../process/poll.ts";

/** `none`: nothing on disk, a restart loses every key. `aof-everysec`: an append-only file flushed once a second. */
export type RedisPersistence = "none" | "aof-everysec";

export interface RedisLocal {
  url: string;
  port: number;
  child: ManagedChild;
  version: string;
}

/** The server's options: loopback only, no RDB snapshots, AOF only when asked for. Pure, for tests. */
export function redisServerArgs(port: number | string, dataDir: string, persistence: RedisPersistence): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--protected-mode",
    "yes",
    "--daemonize",
    "no",
    // Logs go to stdout (the child's log file); no RDB snapshot is ever written, on a timer or at shutdown.
    "--logfile",
    "",
    "--save",
    "",
    "--dir",
    dataDir,
    ...(persistence === "aof-everysec" ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no"]),
  ];
}

/** `Redis server v=7.0.15 ...` → `redis-server 7.0.15`; null when redis-server cannot run. */
export function redisServerVersion(): string | null {
  const r = spawnSync(redisServerPath(), ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (r.error || r.status !== 0) return null;
  const m = r.stdout.match(/v=(\S+)/);
  return m ? `redis-server ${m[1]}` : r.stdout.trim();
}

/** Sends PING on a fresh connection; resolves true on +PONG, false on anything else (LOADING while reading the AOF). */
export function redisPing(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString();
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}

/**
 * Sends `command` (SHUTDOWN SAVE: a snapshot, then exit) and waits until the server has exited; SIGKILL after
 * `graceMs`, and then a HarnessError: the data was not saved.
 */
export async function shutdownRedis(server: RedisLocal, command: string, graceMs = 10_000): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: server.port });
    socket.once("error", () => resolve());
    socket.once("close", () => resolve());
    socket.once("connect", () => socket.write(`${command}\r\n`));
    // An answer means it refused (a successful SHUTDOWN answers nothing and closes the connection).
    socket.on("data", (chunk) => console.warn(`[store] ${command}: ${chunk.toString().trim()}`));
  });
  const exited = await Promise.race([
    server.child.exited.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
  ]);
  if (exited) return;
  await server.child.stop(0, "SIGKILL");
  throw new HarnessError(`redis-server did not exit within ${graceMs} ms of ${command}: killed, its data not saved`);
}

export async function startRedisLocal(options: {
  port: number;
  /** The server's working folder: the append-only file lives here (kept across restarts for `aof-everysec`). */
  dataDir: string;
  persistence?: RedisPersistence;
  logFile?: string;
  echo?: boolean;
  name?: string;
  signal?: AbortSignal;
}): Promise<RedisLocal> {
  const version = redisServerVersion();
  if (!version) throw new HarnessError("redis-server is not installed: run `npm run setup`");
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const child = new ManagedChild({
    name: options.name ?? "store",
    command: redisServerPath(),
    args: redisServerArgs(options.port, options.dataDir, options.persistence ?? "none"),
    cwd: options.dataDir,
    env: childEnv({}),
    logFile: options.logFile,
    echo: options.echo ?? false,
  });
  try {
    await pollUntil(
      async () => {
        if (!child.running) throw new Error("redis-server exited");
        return redisPing(options.port);
      },
      { timeoutMs: 20_000, intervalMs: 50, what: `redis-server on port ${options.port}`, signal: options.signal },
    );
  } catch (err) {
    await child.stop(2000);
    throw new HarnessError(`redis-server did not start: ${(err as Error).message}`);
  }
  return { url: `redis://127.0.0.1:${options.port}`, port: options.port, child, version };
}
