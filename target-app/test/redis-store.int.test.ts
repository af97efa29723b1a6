// The Redis store against a real redis-server on loopback: the shared contract, the key layout, unreadable keys,
// and what a call does while the server is stopped, restarted or frozen.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RedisStore } from "../src/stores/redis-store.ts";
import { StoreUnavailableError } from "../src/stores/session-store.ts";
import { redisMissingReason, removeDataDir, startTestRedis, type TestRedis } from "./helpers/redis-local.ts";
import { describeStoreContract, FakeClock, sessionAt, storeGet, storeSet, storeTouch } from "./store-contract.ts";

const missing = redisMissingReason();
if (missing) console.warn(`SKIPPED redis-store.int.test.ts: ${missing}`);

describe.skipIf(missing !== null)("Redis store on a real redis-server", () => {
  let redis: TestRedis & { dataDir: string };

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    if (redis) removeDataDir(redis.dataDir);
  });

  describeStoreContract("redis", async (now) => new RedisStore({ url: redis.url, now }));

  it("writes connect-redis's layout: key sess:<sid>, the session JSON, the cookie's expiry as the key's expiry", async () => {
    const clock = new FakeClock(Date.now());
    const store = new RedisStore({ url: redis.url, now: clock.now });
    const sess = sessionAt(clock.ms, 60_000, { username: "layout", profile: { a: "b" } });
    await storeSet(store, "layout-sid", sess);
    const raw = redis.client();
    expect(JSON.parse((await raw.get("sess:layout-sid")) ?? "{}")).toMatchObject({
      username: "layout",
      profile: { a: "b" },
      cookie: { expires: new Date(clock.ms + 60_000).toISOString() },
    });
    expect(await raw.pexpiretime("sess:layout-sid")).toBe(clock.ms + 60_000);
    clock.advance(10_000);
    await storeTouch(store, "layout-sid", sessionAt(clock.ms, 60_000, { username: "layout" }));
    expect(await raw.pexpiretime("sess:layout-sid")).toBe(clock.ms + 60_000);
    await store.close();
  });

  it("uses its own key prefix", async () => {
    const store = new RedisStore({ url: redis.url, keyPrefix: "app2:" });
    await storeSet(store, "prefixed", sessionAt(Date.now(), 60_000, { username: "p" }));
    expect(await redis.client().exists("app2:prefixed", "sess:prefixed")).toBe(1);
    await store.close();
  });

  it("answers a key that is not a session as a counted miss, never as an error", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const raw = redis.client();
    await raw.set("sess:corruptSECRET", "{not json", "PX", 60_000);
    await raw.set("sess:forever", JSON.stringify({ username: "x" }));
    const store = new RedisStore({ url: redis.url });
    await expect(storeGet(store, "corruptSECRET")).resolves.toBeNull();
    await expect(storeGet(store, "forever")).resolves.toBeNull();
    expect(store.unreadableSessions).toBe(2);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/key sess:corrup\.\.\. is not a session \(the value is not JSON/);
    expect(String(warn.mock.calls[0]?.[0])).not.toContain("SECRET");
    expect(String(warn.mock.calls[1]?.[0])).toMatch(/is not a session \(the key has no expiry\); .*\(2 so far\)/);
    warn.mockRestore();
    await store.close();
  });
});

describe.skipIf(missing !== null)("Redis store when the server goes away", () => {
  it("fails fast while the server is stopped, and works again once it is back on the same port", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    let redis = await startTestRedis();
    const store = new RedisStore({ url: redis.url });
    try {
      await storeSet(store, "before", sessionAt(Date.now(), 60_000, { username: "b" }));
      await redis.stop();
      // The first call may find a reconnection in progress: bounded by connectWaitMs (1 s).
      for (const attempt of [1, 2, 3]) {
        const started = performance.now();
        const err = await storeGet(store, "before").catch((e: unknown) => e);
        expect(err, `attempt ${attempt}`).toBeInstanceOf(StoreUnavailableError);
        expect((err as StoreUnavailableError).message).toMatch(
          /^session store get failed: (connect ECONNREFUSED|no connection to|the connection to 127\.0\.0\.1:\d+ was lost)/,
        );
        expect(performance.now() - started).toBeLessThan(1500);
      }
      // Once the outage is known, a call fails at once, naming the refused connection.
      const started = performance.now();
      await expect(storeSet(store, "during", sessionAt(Date.now(), 60_000))).rejects.toThrow(
        /session store set failed: connect ECONNREFUSED 127\.0\.0\.1:\d+/,
      );
      expect(performance.now() - started).toBeLessThan(50);

      // Back without persistence: everything is gone, and the store reconnects by itself within 200 ms.
      redis = await startTestRedis({ port: redis.port, dataDir: redis.dataDir });
      await vi.waitFor(() => storeGet(store, "nobody"), { timeout: 2000, interval: 50 });
      expect(await storeGet(store, "before")).toBeNull();
      await storeSet(store, "after", sessionAt(Date.now(), 60_000, { username: "a" }));
      expect(await storeGet(store, "after")).toMatchObject({ username: "a" });
      expect(String(warn.mock.calls.at(-1)?.[0])).toMatch(/^redis store: connected to 127\.0\.0\.1:\d+ again$/);
    } finally {
      warn.mockRestore();
      await store.close();
      await redis.stop();
      removeDataDir(redis.dataDir);
    }
  });

  it("keeps what an append-only file (everysec) had flushed across a restart", async () => {
    let redis = await startTestRedis({ persistence: "aof-everysec" });
    const store = new RedisStore({ url: redis.url });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      await storeSet(store, "kept", sessionAt(Date.now(), 60_000, { username: "k" }));
      // SIGTERM: redis-server flushes the AOF before it exits (a SIGKILL could lose the last second).
      await redis.stop();
      redis = await startTestRedis({ port: redis.port, dataDir: redis.dataDir, persistence: "aof-everysec" });
      await vi.waitFor(() => storeGet(store, "nobody"), { timeout: 2000, interval: 50 });
      expect(await storeGet(store, "kept")).toMatchObject({ username: "k" });
    } finally {
      warn.mockRestore();
      await store.close();
      await redis.stop();
      removeDataDir(redis.dataDir);
    }
  });

  it("gives up on a frozen server (SIGSTOP) after the command timeout, and recovers on SIGCONT", async () => {
    const redis = await startTestRedis();
    const store = new RedisStore({ url: redis.url, commandTimeoutMs: 500 });
    try {
      await storeSet(store, "frozen", sessionAt(Date.now(), 60_000, { username: "f" }));
      redis.signal("SIGSTOP");
      const started = performance.now();
      await expect(storeGet(store, "frozen")).rejects.toThrow(/session store get failed: Command timed out/);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(1500);
      redis.signal("SIGCONT");
      await vi.waitFor(() => storeGet(store, "frozen"), { timeout: 2000, interval: 50 });
      expect(await storeGet(store, "frozen")).toMatchObject({ username: "f" });
    } finally {
      redis.signal("SIGCONT");
      await store.close();
      await redis.stop();
      removeDataDir(redis.dataDir);
    }
  });
});
