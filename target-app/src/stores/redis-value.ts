// Reads one Redis session key (its JSON value and its PEXPIRETIME) into a session, a miss, or "unreadable".
import type { SessionData } from "express-session";

export type RedisSession =
  | { kind: "session"; sess: SessionData; expiresMs: number }
  | { kind: "miss" }
  /** The key exists but is not a session (bad JSON, no expiry): the app treats it as a miss and counts it. */
  | { kind: "unreadable"; reason: string };

/**
 * `value`: GET's answer (null: no key). `expiresAt`: PEXPIRETIME's answer, epoch ms, -1 for a key without expiry,
 * -2 for no key. A key past its expiry by `nowMs` is a miss even if Redis has not deleted it yet (clocks differ).
 */
export function readRedisSession(value: unknown, expiresAt: unknown, nowMs: number): RedisSession {
  if (value === null || value === undefined || expiresAt === -2) return { kind: "miss" };
  if (typeof value !== "string") return { kind: "unreadable", reason: "the value is not a string" };
  if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) {
    return { kind: "unreadable", reason: `PEXPIRETIME answered ${JSON.stringify(expiresAt)}` };
  }
  if (expiresAt === -1) return { kind: "unreadable", reason: "the key has no expiry" };
  if (expiresAt <= nowMs) return { kind: "miss" };
  let sess: unknown;
  try {
    sess = JSON.parse(value);
  } catch (err) {
    return { kind: "unreadable", reason: `the value is not JSON (${(err as Error).message})` };
  }
  if (typeof sess !== "object" || sess === null || Array.isArray(sess)) {
    return { kind: "unreadable", reason: "the value is not a JSON object" };
  }
  return { kind: "session", sess: sess as SessionData, expiresMs: expiresAt };
}
