// Chooses and builds the session store named by the configuration.
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { AppConfig, DynamoDbStoreConfig } from "../config.ts";
import { DiskStore } from "./disk-store.ts";
import { DynamoDbLockingStore } from "./dynamodb-locking-store.ts";
import { DynamoDbStore } from "./dynamodb-store.ts";
import { RedisStore } from "./redis-store.ts";
import type { SessionStore } from "./session-store.ts";

export { SessionStore, StoreUnavailableError } from "./session-store.ts";

/**
 * A DynamoDB client that gives up in about seconds, not minutes, so that an outage answers 503 quickly:
 * 1 s to connect, 2 s per request, 2 attempts. Connections are kept alive and reused (one TCP and, on AWS,
 * TLS handshake per socket, not per call); at most 50 at once, the SDK's own default, made explicit.
 * (DynamoDB has no flexible checksums: the client has no requestChecksumCalculation to set.)
 */
export function createDynamoDbClient(config: Pick<DynamoDbStoreConfig, "region" | "endpoint" | "localCredentials">) {
  return new DynamoDBClient({
    region: config.region,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.localCredentials ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: 1000,
      requestTimeout: 2000,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
    },
  });
}

export function createStore(config: AppConfig): SessionStore {
  const defaultTtlMs = config.sessionTtlSeconds * 1000;
  const store = config.store;
  switch (store.kind) {
    case "disk":
      return new DiskStore({ dir: store.dir, defaultTtlMs, lockWaitMs: config.sessionLock.waitMs });
    case "dynamodb":
      return new DynamoDbStore({
        client: createDynamoDbClient(store),
        table: store.table,
        consistentRead: store.consistentRead,
        defaultTtlMs,
      });
    case "redis":
      return new RedisStore({ url: store.url, keyPrefix: store.keyPrefix, defaultTtlMs });
    case "dynamodb-locking":
      return new DynamoDbLockingStore({
        client: createDynamoDbClient(store),
        table: store.table,
        consistentRead: store.consistentRead,
        defaultTtlMs,
        lockTtlMs: config.sessionLock.ttlMs,
        lockWaitMs: config.sessionLock.waitMs,
      });
  }
}
