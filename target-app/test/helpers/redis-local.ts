// Starts a real redis-server (Debian's, which tools/setup.mjs installs) on a loopback port for tests, through the
// orchestrator's own starter, and stops it by its PID.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../../../orchestrator/src/process/ports.ts";
import { startStoreProcess } from "../../../orchestrator/src/store-servers/process.ts";
import {
  type RedisPersistence,
  redisServer,
  redisServerVersion,
} from "../../../orchestrator/src/store-servers/redis-server/index.ts";

export interface TestRedis {
  url: string;
  port: number;
  pid: number | undefined;
  /** Sends a signal to the server's own PID (SIGSTOP/SIGCONT to freeze it). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after a bound; resolves once the process has exited. The data folder is kept. */
  stop(): Promise<void>;
  /** A plain client for looking at what the store wrote. */
  client(): Redis;
}

/** Why redis-server cannot be started here, or null when it can. */
export function redisMissingReason(): string | null {
  return redisServerVersion() ? null : "redis-server is not installed (run `npm run setup`)";
}

/** `port`: reuse a port (a restart where the app expects it); `dataDir`: reuse the data folder (an AOF restart). */
export async function startTestRedis(
  options: { port?: number; dataDir?: string; persistence?: RedisPersistence } = {},
): Promise<TestRedis & { dataDir: string }> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "redis-test-"));
  const place = { host: "127.0.0.1", port, workDir: dataDir, persistence: options.persistence ?? "none" };
  const server = await startStoreProcess(redisServer, place, { name: "test-redis" });
  const url = `redis://127.0.0.1:${port}`;
  const clients: Redis[] = [];
  return {
    url,
    port,
    pid: server.child.pid,
    dataDir,
    signal: (signal) => {
      server.child.signal(signal);
    },
    stop: async () => {
      for (const c of clients.splice(0)) c.disconnect();
      await server.child.stop(5000);
    },
    client: () => {
      const c = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
      c.on("error", () => undefined);
      clients.push(c);
      return c;
    },
  };
}

/** Removes a data folder made by startTestRedis. */
export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}
