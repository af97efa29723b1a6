// Store audit for Redis: the logged-in sessions used recently, read just before a store fault, and how many of them
// the fault will lose. OBJECT IDLETIME is the time since a key was last read or written (every request reads its
// session), and it does not itself count as a use.
import { Redis } from "ioredis";
import type { StoreAudit, StoreFaultKind } from "../../platforms/types.ts";
import type { RedisPersistence } from "../../store-servers/redis-server/index.ts";

/** One session key as the audit read it: its idle time (null: gone meanwhile), its value for the recent ones only. */
export interface RedisKeyReading {
  idleSeconds: number | null;
  /** The session JSON; read only for keys used within the window (a GET counts as a use). */
  value?: string | null;
}

/** The audit of a Redis store: `activeSessions` is what the fault loses (every live one on a restart without persistence). */
export type RedisAudit = StoreAudit & { persistence: RedisPersistence };

/**
 * Counts users (once each, as the disk audit) among keys used within `activeWithinMs`, and says how many the fault
 * loses: a restart without persistence loses them all; with an append-only file (everysec) it loses none, since
 * redis-server writes each command to the file before it answers and a killed process leaves the written file intact
 * (only a machine crash loses the last second, which this harness never causes); a store-down saves the data first.
 * `user`: how a value shows its user (the target's audit.redis; default target-app's JSON).
 */
export function countRedisSessions(
  keys: readonly RedisKeyReading[],
  activeWithinMs: number,
  persistence: RedisPersistence,
  fault: StoreFaultKind,
  user: (value: string) => string | undefined = usernameOf,
): RedisAudit {
  const live = new Set<string>();
  let stored = 0;
  for (const key of keys) {
    if (key.idleSeconds === null) continue;
    stored++;
    if (key.idleSeconds * 1000 > activeWithinMs || typeof key.value !== "string") continue;
    const username = user(key.value);
    if (username !== undefined) live.add(username);
  }
  const lost = fault === "restart" && persistence === "none" ? live.size : 0;
  return { activeSessions: lost, liveSessions: live.size, storedSessions: stored, shared: true, persistence };
}

/** target-app's session value: the session's JSON, `{"username": ...}`. */
export function usernameOf(value: string): string | undefined {
  try {
    const sess = JSON.parse(value) as { username?: unknown } | null;
    return typeof sess?.username === "string" ? sess.username : undefined;
  } catch {
    return undefined;
  }
}

/** Reads every `<keyPrefix>*` key's idle time (SCAN, then OBJECT IDLETIME), and the values of the recent ones. */
export async function readRedisSessionKeys(
  url: string,
  keyPrefix: string,
  activeWithinMs: number,
): Promise<RedisKeyReading[]> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 5000,
  });
  let lastError: Error | undefined;
  client.on("error", (err: Error) => {
    lastError = err;
  });
  try {
    await client.connect().catch((err: unknown) => {
      // ioredis rejects with "Connection is closed."; the error event said why.
      throw lastError ?? err;
    });
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await client.scan(cursor, "MATCH", `${escapeGlob(keyPrefix)}*`, "COUNT", 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    const idle = await inPipeline(client, keys, (p, key) => p.object("IDLETIME", key));
    const readings: RedisKeyReading[] = keys.map((_, i) => ({ idleSeconds: numberOrNull(idle[i]) }));
    const recent = readings.flatMap((r, i) =>
      r.idleSeconds !== null && r.idleSeconds * 1000 <= activeWithinMs ? [i] : [],
    );
    const values = await inPipeline(client, recent, (p, i) => p.get(keys[i] as string));
    recent.forEach((keyIndex, j) => {
      const reading = readings[keyIndex] as RedisKeyReading;
      const value = values[j];
      reading.value = typeof value === "string" ? value : null;
    });
    return readings;
  } finally {
    client.disconnect();
  }
}

type Pipeline = ReturnType<Redis["pipeline"]>;

/** One pipeline per 1000 items; each item's answer, or null when its command failed (a key gone meanwhile). */
async function inPipeline<T>(
  client: Redis,
  items: readonly T[],
  add: (p: Pipeline, item: T) => void,
): Promise<unknown[]> {
  const answers: unknown[] = [];
  for (let i = 0; i < items.length; i += 1000) {
    const pipeline = client.pipeline();
    for (const item of items.slice(i, i + 1000)) add(pipeline, item);
    const replies = (await pipeline.exec()) ?? [];
    for (const [err, value] of replies) answers.push(err ? null : value);
  }
  return answers;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The prefix as a literal in a SCAN MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
