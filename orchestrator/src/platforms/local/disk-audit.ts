// Store audit for disk sessions: which logged-in users' sessions live in one instance's folder.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { SessionAudit } from "../types.ts";

/**
 * Reads `<dir>/<sid>.json` files (`{"sess": {"username": ...}, "expires": epochMs}`, the disk
 * store's layout). A session is stored when it is unexpired and logged in, and active when its
 * file was written or touched within `activeWithinMs` (every request touches it). Users are
 * counted once even when an old session of theirs is still on disk.
 */
export async function auditDiskSessions(dir: string, activeWithinMs: number, now = Date.now()): Promise<SessionAudit> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      return { activeSessions: 0, storedSessions: 0, shared: false };
    throw err;
  }
  const stored = new Set<string>();
  const active = new Set<string>();
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    const path = join(dir, name);
    try {
      const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
      const record = JSON.parse(text) as { sess?: { username?: unknown }; expires?: unknown };
      const username = record.sess?.username;
      if (typeof username !== "string" || typeof record.expires !== "number" || record.expires <= now) continue;
      stored.add(username);
      if (info.mtimeMs >= now - activeWithinMs) active.add(username);
    } catch {
      // a file removed or replaced while we read it: the store's own business, not a session
    }
  }
  return { activeSessions: active.size, storedSessions: stored.size, shared: false };
}
