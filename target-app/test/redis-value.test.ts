// readRedisSession: what a GET and a PEXPIRETIME answer mean (no redis-server needed), and the reconnect delay.
import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "../src/stores/redis-store.ts";
import { readRedisSession } from "../src/stores/redis-value.ts";

const NOW = 1_800_000_000_000;

describe("readRedisSession", () => {
  it("reads a session with its stored expiry, a missing key, an expired key", () => {
    expect(readRedisSession('{"username":"u"}', NOW + 600_000, NOW)).toEqual({
      kind: "session",
      sess: { username: "u" },
      expiresMs: NOW + 600_000,
    });
    expect(readRedisSession(null, -2, NOW)).toEqual({ kind: "miss" });
    // Gone between the GET and the PEXPIRETIME of one transaction cannot happen; a key past its expiry by our clock can.
    expect(readRedisSession('{"username":"u"}', NOW, NOW)).toEqual({ kind: "miss" });
    expect(readRedisSession("{", NOW - 1, NOW)).toEqual({ kind: "miss" });
  });

  it.each<[string, unknown, unknown]>([
    ["bad JSON", '{"username":', NOW + 1000],
    ["JSON that is not an object", "42", NOW + 1000],
    ["a JSON array", "[]", NOW + 1000],
    ["no expiry", "{}", -1],
    ["an expiry that is not a number", "{}", "soon"],
    ["a value that is not a string", 42, NOW + 1000],
  ])("calls a key with %s unreadable", (_name, value, expiresAt) => {
    expect(readRedisSession(value, expiresAt, NOW)).toMatchObject({ kind: "unreadable", reason: expect.any(String) });
  });
});

describe("reconnectDelayMs", () => {
  it("retries quickly, then every 200 ms at most", () => {
    expect([1, 2, 3, 4, 5, 100].map(reconnectDelayMs)).toEqual([50, 100, 150, 200, 200, 200]);
  });
});
