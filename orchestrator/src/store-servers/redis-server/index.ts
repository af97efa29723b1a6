// Debian's redis-server as a store server: in memory only, or with an append-only file (--store-persistence). Its
// working folder is the run folder's store-data/ when the plan takes the store down (else store-redis-server/); a
// store-down is SHUTDOWN SAVE (a snapshot, then exit: the data kept, as dynalite's on disk), a store-up starts it
// on the same folder and it loads the snapshot or the append-only file.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { redisServerPath } from "../../../../tools/tool-paths.mjs";
import { HarnessError } from "../../errors.ts";
import type { StorePersistence } from "../../plan/plan.ts";
import type { StoreServer } from "../types.ts";

/** `none`: nothing on disk, a restart loses every key. `aof-everysec`: an append-only file flushed once a second. */
export type RedisPersistence = "none" | "aof-everysec";

/** The server's options: on `host` only, no RDB snapshots, AOF only when asked for. Pure, for tests. */
export function redisServerArgs(
  port: number | string,
  dataDir: string,
  persistence: RedisPersistence,
  host = "127.0.0.1",
): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    host,
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
export function redisPing(port: number, timeoutMs = 1000, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
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
export async function shutdownRedis(
  target: { host: string; port: number; exited: Promise<unknown>; kill: () => Promise<void> },
  command: string,
  graceMs = 10_000,
): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    socket.once("error", () => resolve());
    socket.once("close", () => resolve());
    socket.once("connect", () => socket.write(`${command}\r\n`));
    // An answer means it refused (a successful SHUTDOWN answers nothing and closes the connection).
    socket.on("data", (chunk) => console.warn(`[store] ${command}: ${chunk.toString().trim()}`));
  });
  const exited = await Promise.race([
    target.exited.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
  ]);
  if (exited) return;
  await target.kill();
  throw new HarnessError(`redis-server did not exit within ${graceMs} ms of ${command}: killed, its data not saved`);
}

const shutdownCommand = (persistence: StorePersistence) => (persistence === "none" ? "SHUTDOWN SAVE" : "SHUTDOWN");
/** Its working folder: the data folder when the plan takes the store down, else its own folder in the run folder. */
const dirOf = (place: { dataDir?: string; workDir: string }) => place.dataDir ?? place.workDir;

export const redisServer: StoreServer = {
  name: "redis-server",
  persistence: ["none", "aof-everysec"],
  version: redisServerVersion,
  installHint: "redis-server is not installed: run `npm run setup`",
  command: (place) => ({
    command: redisServerPath(),
    args: redisServerArgs(place.port, dirOf(place), place.persistence, place.host),
    cwd: dirOf(place),
  }),
  ready: (host, port) => redisPing(port, 1000, host),
  readyTimeoutMs: 20_000,
  dataText: ({ persistence }) => (persistence === "none" ? "in memory" : "AOF everysec"),
  // A store-down's snapshot has been loaded: without persistence, a later restart must find nothing.
  afterStart(place) {
    if (place.persistence === "none") rmSync(join(dirOf(place), "dump.rdb"), { force: true });
  },
  saveAndExit: {
    run: (place, exited, kill) => shutdownRedis({ ...place, exited, kill }, shutdownCommand(place.persistence)),
    describe: (place) =>
      `redis-cli -p <port> ${shutdownCommand(place.persistence)}   # then wait until it exits; data kept in ${dirOf(place)}`,
  },
  container: {
    port: 6379,
    image: { role: "redis" },
    // store-down keeps the data, as dynalite's: SIGTERM, which this server answers with a snapshot in the
    // container's own layer before it exits; store-restart's SIGKILL keeps nothing. Reached only inside the
    // project's network (no published port).
    command: [
      "redis-server",
      "--save",
      "",
      "--appendonly",
      "no",
      "--shutdown-on-sigterm",
      "save",
      "--protected-mode",
      "no",
    ],
    gracefulStop: true,
  },
};
