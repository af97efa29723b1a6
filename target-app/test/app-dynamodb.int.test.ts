// Two app instances sharing one dynalite: sessions move between them; a store outage is a 503, then recovery.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../src/config.ts";
import { createSessionTable } from "../src/stores/dynamodb-table.ts";
import { createStore } from "../src/stores/index.ts";
import { Person, type RunningApp, startApp, testConfig } from "./helpers/app-server.ts";
import { type Dynalite, dynaliteMissingReason, localClient, startDynalite } from "./helpers/dynalite.ts";

const missing = dynaliteMissingReason();
if (missing) console.warn(`SKIPPED app-dynamodb.int.test.ts: ${missing}`);

const TABLE = "app-sessions";

async function createTable(endpoint: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    await createSessionTable(client, TABLE);
  } finally {
    client.destroy();
  }
}

describe.skipIf(missing !== null)("app on a shared dynalite", () => {
  let local: Dynalite | undefined;
  let a: RunningApp;
  let b: RunningApp;

  beforeAll(async () => {
    local = await startDynalite();
    await createTable(local.endpoint);
    const config = (id: string): AppConfig =>
      testConfig(id, {
        kind: "dynamodb",
        table: TABLE,
        region: "us-east-1",
        endpoint: local?.endpoint,
        consistentRead: true,
        localCredentials: true,
      });
    a = await startApp(config("dyn-a"), createStore(config("dyn-a")));
    b = await startApp(config("dyn-b"), createStore(config("dyn-b")));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await local?.stop();
  });

  it("reads on one instance the session and profile written on the other", async () => {
    const person = new Person();
    let res = await person.request(a.url, "POST", "/login", { json: { username: "shared" } });
    expect(res.json).toMatchObject({ instance: "dyn-a" });
    await person.request(a.url, "POST", "/profile", { json: { key: "colour", value: "green" } });
    res = await person.request(b.url, "GET", "/profile");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ username: "shared", profile: { colour: "green" }, instance: "dyn-b" });
    res = await person.request(b.url, "POST", "/profile", { json: { key: "city", value: "Oslo" } });
    res = await person.request(a.url, "GET", "/profile");
    expect(res.json).toEqual({ username: "shared", profile: { colour: "green", city: "Oslo" }, instance: "dyn-a" });
    await person.request(b.url, "POST", "/logout");
    expect((await person.request(a.url, "GET", "/profile")).status).toBe(401);
  });

  it("answers 503 quickly while the store is down, keeps serving, and recovers when it is back", async () => {
    const person = new Person();
    await person.request(a.url, "POST", "/login", { json: { username: "outage" } });
    const port = local?.port;
    await local?.stop();
    local = undefined;

    for (const [method, path, json] of [
      ["GET", "/profile", undefined],
      ["POST", "/login", { username: "during" }],
    ] as const) {
      const started = performance.now();
      const res = await person.request(a.url, method, path, { json });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get("x-instance-id")).toBe("dyn-a");
      expect(res.json).toEqual({ error: expect.stringMatching(/^session store unavailable: \S/) });
      expect(elapsed).toBeLessThan(6000);
    }
    // The process is up and its health check does not depend on the store.
    expect((await person.request(a.url, "GET", "/ping.html")).status).toBe(200);

    local = await startDynalite({ port });
    await createTable(local.endpoint);
    // dynalite kept nothing in memory: the old session is gone (401), and a new login works.
    expect((await person.request(a.url, "GET", "/profile")).status).toBe(401);
    const res = await person.request(a.url, "POST", "/login", { json: { username: "after" } });
    expect(res.status).toBe(200);
    await person.request(a.url, "POST", "/profile", { json: { key: "k", value: "v" } });
    expect((await person.request(b.url, "GET", "/profile")).json).toEqual({
      username: "after",
      profile: { k: "v" },
      instance: "dyn-b",
    });
  });
});

describe("app on a DynamoDB endpoint that accepts connections but never answers (a frozen store)", () => {
  let blackhole: Server;
  const sockets: Socket[] = [];
  let app: RunningApp;

  beforeAll(async () => {
    blackhole = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
    const { port } = blackhole.address() as { port: number };
    const config = testConfig("frozen", {
      kind: "dynamodb",
      table: TABLE,
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${port}`,
      consistentRead: true,
      localCredentials: true,
    });
    app = await startApp(config, createStore(config));
  });
  afterAll(async () => {
    await app?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
  });

  it("gives up within seconds with a 503 naming the timeout", async () => {
    const started = performance.now();
    const res = await new Person().request(app.url, "POST", "/login", { json: { username: "frozen" } });
    expect(res.status).toBe(503);
    expect(res.json).toEqual({ error: expect.stringMatching(/^session store unavailable: .*requestTimeout/) });
    expect(performance.now() - started).toBeLessThan(8000);
    expect((await new Person().request(app.url, "GET", "/ping.html")).status).toBe(200);
  });
});
