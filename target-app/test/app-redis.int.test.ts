// Two app instances sharing one redis-server: sessions move between them, Server-Timing names the store time,
// a stopped server is a quick 503 (no crash), and a restart without persistence logs everybody out.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppConfig } from "../src/config.ts";
import { createStore } from "../src/stores/index.ts";
import { Person, type RunningApp, startApp, testConfig } from "./helpers/app-server.ts";
import { redisMissingReason, removeDataDir, startTestRedis, type TestRedis } from "./helpers/redis-local.ts";

const missing = redisMissingReason();
if (missing) console.warn(`SKIPPED app-redis.int.test.ts: ${missing}`);

describe.skipIf(missing !== null)("app on a shared redis-server", () => {
  let redis: (TestRedis & { dataDir: string }) | undefined;
  let dataDir: string;
  let a: RunningApp;
  let b: RunningApp;

  beforeAll(async () => {
    redis = await startTestRedis();
    dataDir = redis.dataDir;
    const config = (id: string): AppConfig =>
      testConfig(id, { kind: "redis", url: redis?.url ?? "", keyPrefix: "sess:" });
    a = await startApp(config("red-a"), createStore(config("red-a")));
    b = await startApp(config("red-b"), createStore(config("red-b")));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
    removeDataDir(dataDir);
  });

  it("reads on one instance the session and profile written on the other, timing the store calls", async () => {
    const person = new Person();
    let res = await person.request(a.url, "POST", "/login", { json: { username: "shared" } });
    expect(res.json).toMatchObject({ instance: "red-a" });
    expect(res.headers.get("server-timing")).toMatch(/^store;dur=\d+\.\d, total;dur=\d+\.\d$/);
    await person.request(a.url, "POST", "/profile", { json: { key: "colour", value: "green" } });
    res = await person.request(b.url, "GET", "/profile");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ username: "shared", profile: { colour: "green" }, instance: "red-b" });
    const storeMs = Number(/store;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1]);
    expect(storeMs).toBeGreaterThan(0);
    await person.request(b.url, "POST", "/profile", { json: { key: "city", value: "Oslo" } });
    res = await person.request(a.url, "GET", "/profile");
    expect(res.json).toEqual({ username: "shared", profile: { colour: "green", city: "Oslo" }, instance: "red-a" });
    await person.request(b.url, "POST", "/logout");
    expect((await person.request(a.url, "GET", "/profile")).status).toBe(401);
  });

  it("answers 503 quickly while redis is down, keeps serving, and after a restart without persistence everyone is logged out", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const person = new Person();
    await person.request(a.url, "POST", "/login", { json: { username: "outage" } });
    const port = redis?.port;
    await redis?.stop();
    redis = undefined;

    for (const [method, path, json] of [
      ["GET", "/profile", undefined],
      ["POST", "/login", { username: "during" }],
      ["GET", "/profile", undefined],
    ] as const) {
      const started = performance.now();
      const res = await person.request(a.url, method, path, { json });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get("x-instance-id")).toBe("red-a");
      expect(res.json).toEqual({ error: expect.stringMatching(/^session store unavailable: \S/) });
      expect(elapsed).toBeLessThan(1500);
    }
    expect((await person.request(a.url, "GET", "/ping.html")).status).toBe(200);

    redis = await startTestRedis({ port, dataDir });
    // The apps reconnect by themselves (every 200 ms or less); the old session is gone with the server's memory.
    await vi.waitFor(async () => expect((await person.request(a.url, "GET", "/profile")).status).toBe(401), {
      timeout: 3000,
      interval: 100,
    });
    const res = await person.request(a.url, "POST", "/login", { json: { username: "after" } });
    expect(res.status).toBe(200);
    await person.request(a.url, "POST", "/profile", { json: { key: "k", value: "v" } });
    await vi.waitFor(
      async () =>
        expect((await person.request(b.url, "GET", "/profile")).json).toEqual({
          username: "after",
          profile: { k: "v" },
          instance: "red-b",
        }),
      { timeout: 3000, interval: 100 },
    );
    warn.mockRestore();
    error.mockRestore();
  });
});
