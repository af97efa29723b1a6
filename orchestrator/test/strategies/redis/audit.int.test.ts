// The Redis store audit against a real redis-server: recent keys by OBJECT IDLETIME, values read only for those.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../src/process/ports.ts";
import { type StoreProcess, startStoreProcess } from "../../../src/store-servers/process.ts";
import { redisServer, redisServerVersion } from "../../../src/store-servers/redis-server/index.ts";
import { countRedisSessions, readRedisSessionKeys } from "../../../src/strategies/redis/audit.ts";

const missing = redisServerVersion() ? null : "redis-server is not installed (run `npm run setup`)";
if (missing) console.warn(`SKIPPED audit.int.test.ts: ${missing}`);

describe.skipIf(missing !== null)("readRedisSessionKeys on a real redis-server", () => {
  let server: StoreProcess;
  let url: string;
  let client: Redis;
  const dataDir = mkdtempSync(join(tmpdir(), "redis-audit-"));

  beforeAll(async () => {
    const place = { host: "127.0.0.1", port: await freePort(), workDir: dataDir, persistence: "none" as const };
    server = await startStoreProcess(redisServer, place, { name: "test-redis" });
    url = `redis://127.0.0.1:${place.port}`;
    client = new Redis(url);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.child.stop(5000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("counts the sessions used within the window, and only keys of the prefix", async () => {
    const session = (username: string) => JSON.stringify({ cookie: {}, username });
    await client.set("sess:old", session("old"), "PX", 60_000);
    await client.set("sess:star*", session("star"), "PX", 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await client.set("sess:new", session("new"), "PX", 60_000);
    await client.set("other:new", session("other"), "PX", 60_000);
    await client.get("sess:star*"); // a read is a use

    const keys = await readRedisSessionKeys(url, "sess:", 1000);
    expect(keys).toHaveLength(3);
    expect(countRedisSessions(keys, 1000, "none", "restart")).toEqual({
      activeSessions: 2,
      liveSessions: 2,
      storedSessions: 3,
      shared: true,
      persistence: "none",
    });
    // The audit itself is not a use: the idle key is still idle.
    expect(await client.object("IDLETIME", "sess:old")).toBeGreaterThanOrEqual(2);
  });

  it("fails with the connection error when the server cannot be reached", async () => {
    await expect(readRedisSessionKeys(`redis://127.0.0.1:${await freePort()}`, "sess:", 1000)).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});
