// Reads one DynamoDB session item (`id`, JSON `data`, `expires` epoch s) into a session, a miss, or "unreadable".
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { SessionData } from "express-session";

export type SessionItem =
  | { kind: "session"; sess: SessionData; expiresMs: number }
  | { kind: "miss" }
  /** The item exists but is not a session (bad JSON, wrong types): the app treats it as a miss and counts it. */
  | { kind: "unreadable"; reason: string };

export function readSessionItem(item: Record<string, AttributeValue> | undefined, nowMs: number): SessionItem {
  if (item === undefined) return { kind: "miss" };
  const expires = Number(item.expires?.N);
  if (item.expires?.N === undefined || !Number.isFinite(expires)) {
    return { kind: "unreadable", reason: "expires is not a number attribute" };
  }
  if (expires * 1000 <= nowMs) return { kind: "miss" }; // DynamoDB's TTL deletes expired items days late
  const data = item.data?.S;
  if (data === undefined) return { kind: "unreadable", reason: "data is not a string attribute" };
  let sess: unknown;
  try {
    sess = JSON.parse(data);
  } catch (err) {
    return { kind: "unreadable", reason: `data is not JSON (${(err as Error).message})` };
  }
  if (typeof sess !== "object" || sess === null || Array.isArray(sess)) {
    return { kind: "unreadable", reason: "data is not a JSON object" };
  }
  return { kind: "session", sess: sess as SessionData, expiresMs: expires * 1000 };
}
