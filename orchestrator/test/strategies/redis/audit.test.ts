// countRedisSessions: who was live just before a store fault, and how many the fault loses (no redis-server needed).
import { describe, expect, it } from "vitest";
import { countRedisSessions, escapeGlob, type RedisKeyReading } from "../../../src/strategies/redis/audit.ts";

const session = (username: string) => JSON.stringify({ cookie: {}, username, profile: {} });

const keys: RedisKeyReading[] = [
  { idleSeconds: 0, value: session("ann") },
  { idleSeconds: 4, value: session("bob") },
  // ann again: an old session of hers still stored; a user is counted once
  { idleSeconds: 1, value: session("ann") },
  // idle past the window: stored, not live (its value is not read)
  { idleSeconds: 30 },
  // gone between SCAN and OBJECT IDLETIME
  { idleSeconds: null },
  // not a session, or not logged in
  { idleSeconds: 0, value: "{corrupt" },
  { idleSeconds: 0, value: JSON.stringify({ cookie: {} }) },
  { idleSeconds: 0, value: null },
];

describe("countRedisSessions", () => {
  it("counts live users once, stored keys, and loses every live one on a restart without persistence", () => {
    expect(countRedisSessions(keys, 5000, "none", "restart")).toEqual({
      activeSessions: 2,
      liveSessions: 2,
      storedSessions: 7,
      shared: true,
      persistence: "none",
    });
  });

  it("predicts no loss with an append-only file, nor for a store-down (the data is saved on the way down)", () => {
    expect(countRedisSessions(keys, 5000, "aof-everysec", "restart")).toMatchObject({
      activeSessions: 0,
      liveSessions: 2,
    });
    expect(countRedisSessions(keys, 5000, "none", "down")).toMatchObject({ activeSessions: 0, liveSessions: 2 });
  });

  it("takes the window in milliseconds against whole idle seconds", () => {
    expect(countRedisSessions(keys, 3999, "none", "restart").liveSessions).toBe(1);
    expect(countRedisSessions(keys, 0, "none", "restart").liveSessions).toBe(1);
    expect(countRedisSessions([], 5000, "none", "restart")).toMatchObject({ activeSessions: 0, storedSessions: 0 });
  });
});

describe("escapeGlob", () => {
  it("makes a key prefix literal in a SCAN MATCH pattern", () => {
    expect(escapeGlob("sess:")).toBe("sess:");
    expect(escapeGlob("a*b?[c]\\")).toBe("a\\*b\\?\\[c\\]\\\\");
  });
});
