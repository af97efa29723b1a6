// DynamoDB calls per request against a real dynalite: a profile read is one GetItem (two with a touch on
// every read, as express-session does by default), a profile write a GetItem and a PutItem. With the
// dynamodb-locking store, a read is a locking UpdateItem and an unlocking one, a write a locking UpdateItem and a
// PutItem that also unlocks (when nobody else holds the lock; each wait adds one UpdateItem per retry).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbLockingStore } from "../src/stores/dynamodb-locking-store.ts";
import { DynamoDbStore } from "../src/stores/dynamodb-store.ts";
import { createSessionTable } from "../src/stores/dynamodb-table.ts";
import { Person, type RunningApp, startApp, testConfig } from "./helpers/app-server.ts";
import { type Dynalite, dynaliteMissingReason, startDynalite } from "./helpers/dynalite.ts";

const missing = dynaliteMissingReason();
if (missing) console.warn(`SKIPPED dynamodb-calls.int.test.ts: ${missing}`);

const TABLE = "calls-sessions";

/** A client that records the name of every command it sends. */
function countingClient(endpoint: string, calls: string[]): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ""));
      return next(args);
    },
    { step: "initialize", name: "countCalls" },
  );
  return client;
}

describe.skipIf(missing !== null)("DynamoDB calls per request", () => {
  let local: Dynalite | undefined;
  const apps: RunningApp[] = [];
  const calls: string[] = [];

  beforeAll(async () => {
    local = await startDynalite();
    const setup = countingClient(local.endpoint, []);
    await createSessionTable(setup, TABLE);
    setup.destroy();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await local?.stop();
  });

  async function start(fraction: number, kind: "dynamodb" | "dynamodb-locking" = "dynamodb"): Promise<RunningApp> {
    const endpoint = local?.endpoint ?? "";
    const config = testConfig(`app-${kind}-f${fraction}`, {
      kind,
      table: TABLE,
      region: "us-east-1",
      endpoint,
      consistentRead: true,
      localCredentials: true,
    });
    const options = { client: countingClient(endpoint, calls), table: TABLE };
    const store = kind === "dynamodb" ? new DynamoDbStore(options) : new DynamoDbLockingStore(options);
    const app = await startApp({ ...config, sessionTouchAfterFraction: fraction }, store);
    apps.push(app);
    return app;
  }

  async function callsOf(run: () => Promise<{ status: number }>): Promise<string[]> {
    const before = calls.length;
    expect((await run()).status).toBe(200);
    return calls.slice(before);
  }

  it.each([
    { fraction: 0.1, read: ["GetItem"], write: ["GetItem", "PutItem"] },
    { fraction: 0, read: ["GetItem", "UpdateItem"], write: ["GetItem", "UpdateItem", "PutItem"] },
  ])("SESSION_TOUCH_AFTER_FRACTION=$fraction: a read is $read, a write $write", async ({ fraction, read, write }) => {
    const app = await start(fraction);
    const person = new Person();
    expect(
      await callsOf(() => person.request(app.url, "POST", "/login", { json: { username: `u${fraction}` } })),
    ).toEqual(["PutItem"]);
    for (let i = 0; i < 3; i++) {
      expect(await callsOf(() => person.request(app.url, "GET", "/profile"))).toEqual(read);
      expect(
        await callsOf(() => person.request(app.url, "POST", "/profile", { json: { key: "k", value: `v${i}` } })),
      ).toEqual(write);
    }
  });

  it.each([
    { fraction: 0.1, read: ["UpdateItem", "UpdateItem"], write: ["UpdateItem", "PutItem"] },
    {
      fraction: 0,
      read: ["UpdateItem", "UpdateItem", "UpdateItem"],
      write: ["UpdateItem", "UpdateItem", "PutItem"],
    },
  ])(
    "dynamodb-locking, SESSION_TOUCH_AFTER_FRACTION=$fraction: a read is $read, a write $write",
    async ({ fraction, read, write }) => {
      const app = await start(fraction, "dynamodb-locking");
      const person = new Person();
      const username = `lock${fraction}`;
      expect(await callsOf(() => person.request(app.url, "POST", "/login", { json: { username } }))).toEqual([
        "PutItem",
      ]);
      for (let i = 0; i < 3; i++) {
        expect(await callsOf(() => person.request(app.url, "GET", "/profile"))).toEqual(read);
        expect(
          await callsOf(() => person.request(app.url, "POST", "/profile", { json: { key: "k", value: `v${i}` } })),
        ).toEqual(write);
      }
    },
  );
});
