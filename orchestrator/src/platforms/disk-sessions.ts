// Counts the logged-in users in one instance's disk sessions (pure): shared by every platform's audit.
import type { SessionAudit } from "./types.ts";

/** One `<sid>.json` file of the disk store: its text and when it was last written or touched. */
export interface SessionFile {
  text: string;
  mtimeMs: number;
}

/**
 * A session is stored when it is unexpired and logged in (`{"sess": {"username": ...}, "expires":
 * epochMs}`, the disk store's layout), and active when its file's time is within `activeWithinMs`:
 * the disk store moves it on every write, and on a read (any request that uses the session) when it
 * is older than the store's USE_MARK_MS (1 s), so users who only read are counted too, without a
 * write per read. Users are counted once even when an old session of theirs is still on disk; a file
 * that does not parse is not a session.
 */
export function countDiskSessions(files: readonly SessionFile[], activeWithinMs: number, now: number): SessionAudit {
  const stored = new Set<string>();
  const active = new Set<string>();
  for (const file of files) {
    let record: { sess?: { username?: unknown }; expires?: unknown };
    try {
      record = JSON.parse(file.text) as typeof record;
    } catch {
      continue; // a file replaced while it was read: the store's own business, not a session
    }
    const username = record?.sess?.username;
    if (typeof username !== "string" || typeof record.expires !== "number" || record.expires <= now) continue;
    stored.add(username);
    if (file.mtimeMs >= now - activeWithinMs) active.add(username);
  }
  return { activeSessions: active.size, storedSessions: stored.size, shared: false };
}
