// Logout is final on every store: a save still in flight when the user logs out (on another instance, or on the
// same one) never brings the session back. Real app over HTTP, real stores; the save is held at a gate until the
// logout has been sent.
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoreConfig } from "../src/config.ts";
import { DiskStore } from "../src/stores/disk-store.ts";
import { DynamoDbLockingStore } from "../src/stores/dynamodb-locking-store.ts";
import { DynamoDbStore } from "../src/stores/dynamodb-store.ts";
import { createSessionTable } from "../src/stores/dynamodb-table.ts";
import { RedisStore } from "../src/stores/redis-store.ts";
import type { SessionStore } from "../src/stores/session-store.ts";
import { Person, type RunningApp, startApp, testConfig } from "./helpers/app-server.ts";
import { type Dynalite, dynaliteMissingReason, localClient, startDynalite } from "./helpers/dynalite.ts";
import { gateSave } from "./helpers/gated-saves.ts";
import { redisMissingReason, startTestRedis, type TestRedis } from "./helpers/redis-local.ts";

const dynamoMissing = dynaliteMissingReason();
const redisMissing = redisMissingReason();
if (dynamoMissing) console.warn(`SKIPPED logout-final.int.test.ts (dynamodb parts): ${dynamoMissing}`);
if (redisMissing) console.warn(`SKIPPED logout-final.int.test.ts (redis part): ${redisMissing}`);

const TABLE = "logout-sessions";
const root = mkdtempSync(join(tmpdir(), "logout-"));

interface Pair {
  /** Serves the slow save. */
  saver: RunningApp;
  /** Serves the logout: another instance on a shared store, the same one on disk. */
  logout: RunningApp;
  /** The store serialises a session's requests: the logout waits for the save's request to end. */
  serialises: boolean;
}

describe("logout wins over a save in flight", () => {
  const apps: RunningApp[] = [];
  let local: Dynalite | undefined;
  let redis: (TestRedis & { dataDir: string }) | undefined;

  beforeAll(async () => {
    if (!dynamoMissing) {
      local = await startDynalite();
      const setup = localClient(local.endpoint);
      await createSessionTable(setup, TABLE);
      setup.destroy();
    }
    if (!redisMissing) redis = await startTestRedis();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await local?.stop();
    await redis?.stop();
    if (redis) await rm(redis.dataDir, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  });

  async function start(id: string, config: StoreConfig, store: SessionStore): Promise<RunningApp> {
    const app = await startApp(testConfig(id, config), store);
    apps.push(app);
    return app;
  }

  const dynamoConfig = (kind: "dynamodb" | "dynamodb-locking"): StoreConfig => ({
    kind,
    table: TABLE,
    region: "us-east-1",
    endpoint: local?.endpoint,
    consistentRead: true,
    localCredentials: true,
  });

  const stores: { name: string; skip: string | null; pair: () => Promise<Pair> }[] = [
    {
      name: "disk",
      skip: null,
      pair: async () => {
        const app = await start("disk", { kind: "disk", dir: root }, new DiskStore({ dir: root, sweepIntervalMs: 0 }));
        return { saver: app, logout: app, serialises: true };
      },
    },
    {
      name: "dynamodb",
      skip: dynamoMissing,
      pair: async () => {
        const store = () => new DynamoDbStore({ client: localClient(local?.endpoint ?? ""), table: TABLE });
        const config = dynamoConfig("dynamodb");
        return {
          saver: await start("dyn-1", config, store()),
          logout: await start("dyn-2", config, store()),
          serialises: false,
        };
      },
    },
    {
      name: "dynamodb-locking",
      skip: dynamoMissing,
      pair: async () => {
        const store = () => new DynamoDbLockingStore({ client: localClient(local?.endpoint ?? ""), table: TABLE });
        const config = dynamoConfig("dynamodb-locking");
        return {
          saver: await start("lock-1", config, store()),
          logout: await start("lock-2", config, store()),
          serialises: true,
        };
      },
    },
    {
      name: "redis",
      skip: redisMissing,
      pair: async () => {
        const url = redis?.url ?? "";
        const config: StoreConfig = { kind: "redis", url, keyPrefix: "sess:" };
        return {
          saver: await start("redis-1", config, new RedisStore({ url })),
          logout: await start("redis-2", config, new RedisStore({ url })),
          serialises: false,
        };
      },
    },
  ];

  for (const { name, skip, pair } of stores) {
    it.skipIf(skip !== null)(
      `${name}: the session stays gone after logout, and the late write is not acknowledged`,
      async () => {
        const { saver, logout, serialises } = await pair();
        const person = new Person();
        expect((await person.request(saver.url, "POST", "/login", { json: { username: `${name}-user` } })).status).toBe(
          200,
        );
        const cookie = person.cookie;
        const late = gateSave(saver.store, "late");
        const write = person.request(saver.url, "POST", "/profile", { json: { key: "late", value: "1" } });
        await late.reached;

        const other = new Person();
        other.cookie = cookie;
        const out = other.request(logout.url, "POST", "/logout");
        if (serialises) {
          // The logout waits for the save's request to end (the session's lock): let the save go once it is waiting.
          await new Promise((r) => setTimeout(r, 300));
        } else {
          expect((await out).status).toBe(200);
        }
        late.release();
        const [written, loggedOut] = await Promise.all([write, out]);
        expect(loggedOut.status).toBe(200);

        const again = new Person();
        again.cookie = cookie;
        const afterOnSaver = await again.request(saver.url, "GET", "/profile");
        const afterOnOther = await again.request(logout.url, "GET", "/profile");
        console.log(
          `${name}: late write ${written.status} ${JSON.stringify(written.json)}; after logout: ${afterOnSaver.status} / ${afterOnOther.status}`,
        );
        expect(afterOnSaver.status).toBe(401);
        expect(afterOnOther.status).toBe(401);
        // A write answered 200 was applied before the logout; else it was refused and said so.
        if (!serialises) expect(written.status).toBe(401);
      },
    );
  }
});
