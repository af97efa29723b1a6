// The Redis session store, described once: Debian's redis-server as a child process on the local platform (in
// memory, or with an append-only file), the compose platform's redis image, the stack's ElastiCache group on ec2; its store
// audit; store-down saves the data on the way down (as DynamoDB's is kept), store-restart keeps what persistence kept.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { StorePersistence } from "../../plan/plan.ts";
import { type RedisLocal, redisServerArgs, shutdownRedis, startRedisLocal } from "../../platforms/local/redis-local.ts";
import type { LocalStoreProcess, SessionStoreKind } from "../types.ts";
import { countRedisSessions, readRedisSessionKeys } from "./audit.ts";

/** connect-redis's prefix, the app's default (REDIS_KEY_PREFIX). */
export const keyPrefix = "sess:";
const composeService = "redis";
const persistenceText = (p: StorePersistence) => (p === "none" ? "in memory" : "AOF everysec");

/**
 * The server's working folder: where a store-down's snapshot and the append-only file live. In the run folder's
 * store-data/ when the plan takes the store down or restarts it (the local platform gives dataDir then), else
 * store-redis/ (redis-server needs a working folder; nothing is written there without persistence).
 */
const workDir = (runDir: string, dataDir?: string) => dataDir ?? join(runDir, "store-redis");

export const redisStore: SessionStoreKind = {
  name: "redis",
  shared: true,
  persistence: ["none", "aof-everysec"],
  local: {
    title: "redis-server",
    async start({ port, dataDir, runDir, logFile, persistence, signal }): Promise<LocalStoreProcess> {
      const dir = workDir(runDir, dataDir);
      const server = await startRedisLocal({ port, dataDir: dir, persistence, logFile, signal });
      // A store-down's snapshot has been loaded: without persistence, a later restart must find nothing.
      if (persistence === "none") rmSync(join(dir, "dump.rdb"), { force: true });
      return {
        child: server.child,
        appEnv: { REDIS_URL: server.url, REDIS_KEY_PREFIX: keyPrefix },
        version: `${server.version} (${persistenceText(persistence)})`,
        stop: () => storeDown(server, persistence),
        audit: async (activeWithinMs, fault) =>
          countRedisSessions(
            await readRedisSessionKeys(server.url, keyPrefix, activeWithinMs),
            activeWithinMs,
            persistence,
            fault,
          ),
      };
    },
    describe: {
      start: ({ dataDir, port, runDir, persistence }) =>
        `redis-server ${redisServerArgs(port, workDir(runDir, dataDir), persistence)
          .map((a) => (a === "" ? '""' : a))
          .join(" ")}`,
      stop: ({ dataDir, runDir, persistence }) =>
        `redis-cli -p <port> ${shutdownCommand(persistence)}   # then wait until it exits; data kept in ${workDir(runDir, dataDir)}`,
    },
  },
  compose: {
    service: composeService,
    imageRole: "redis",
    appEnv: { REDIS_URL: `redis://${composeService}:6379`, REDIS_KEY_PREFIX: keyPrefix },
    // store-down keeps the data, as DynamoDB's: SIGTERM, which this server answers with a snapshot in the
    // container's own layer before it exits; store-restart's SIGKILL keeps nothing.
    gracefulStop: true,
    services(network, _appImage, image) {
      return {
        [composeService]: {
          image,
          command: [
            "redis-server",
            "--save",
            "",
            "--appendonly",
            "no",
            "--shutdown-on-sigterm",
            "save",
            // Reached only inside the project's network (no published port).
            "--protected-mode",
            "no",
          ],
          restart: "no",
          networks: [network],
        },
      };
    },
  },
  ec2: { version: "ElastiCache replication group (the stack's)" },
};

/**
 * store-down: the server goes away with its data kept, as DynamoDB Local's on disk: SHUTDOWN SAVE writes a snapshot
 * (without persistence) or flushes the append-only file, and the server exits; store-up loads it again.
 */
async function storeDown(server: RedisLocal, persistence: StorePersistence): Promise<void> {
  await shutdownRedis(server, shutdownCommand(persistence));
}

const shutdownCommand = (persistence: StorePersistence) => (persistence === "none" ? "SHUTDOWN SAVE" : "SHUTDOWN");
