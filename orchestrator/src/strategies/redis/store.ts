// The Redis session store, described once: redis-server (store-servers/redis-server/: in memory, or with an
// append-only file) on the local and compose platforms, the stack's ElastiCache group on ec2; its store audit.
import type { StorePersistence } from "../../plan/plan.ts";
import { redisServer } from "../../store-servers/redis-server/index.ts";
import type { SessionStoreKind } from "../types.ts";
import { countRedisSessions, readRedisSessionKeys } from "./audit.ts";

/** connect-redis's prefix, the app's default (REDIS_KEY_PREFIX). */
export const keyPrefix = "sess:";

export const redisStore: SessionStoreKind = {
  name: "redis",
  shared: true,
  server: {
    server: redisServer,
    appEnv: (host, port) => ({ REDIS_URL: `redis://${host}:${port}`, REDIS_KEY_PREFIX: keyPrefix }),
    audit: async (env, persistence: StorePersistence, activeWithinMs, fault, sessions) =>
      countRedisSessions(
        await readRedisSessionKeys(env.REDIS_URL ?? "", sessions?.keyPrefix ?? keyPrefix, activeWithinMs),
        activeWithinMs,
        persistence,
        fault,
        sessions?.user,
      ),
  },
  managed: { version: "ElastiCache replication group (the stack's)" },
};
