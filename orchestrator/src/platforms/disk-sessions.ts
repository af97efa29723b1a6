// Counts the logged-in users in one instance's disk sessions (pure): shared by every platform's audit. How a session
// file shows its user and its expiry is the target's (its target file's audit.disk); target-app's is the default.
import type { SessionAudit } from "./types.ts";

/** One session file of the disk store: its text and when it was last written or touched. */
export interface SessionFile {
  text: string;
  mtimeMs: number;
}

/** How a target's session file shows whose it is and when it expires. */
export interface SessionFormat {
  /** The logged-in user, undefined when the session is not logged in (or the text is not a session). */
  user(text: string): string | undefined;
  /** When it expires (epoch ms); absent: the format has no expiry (the app's garbage collector decides). */
  expiresAtMs?(text: string): number | undefined;
}

function parsed(text: string): { sess?: { username?: unknown }; expires?: unknown } | null {
  try {
    return JSON.parse(text) as { sess?: { username?: unknown }; expires?: unknown };
  } catch {
    return null; // a file replaced while it was read: the store's own business, not a session
  }
}

/** target-app's disk store: `<sid>.json` = `{"sess": {"username": ...}, "expires": epochMs}`. */
export const targetAppSessionFormat: SessionFormat = {
  user: (text) => {
    const username = parsed(text)?.sess?.username;
    return typeof username === "string" ? username : undefined;
  },
  expiresAtMs: (text) => {
    const expires = parsed(text)?.expires;
    return typeof expires === "number" ? expires : undefined;
  },
};

/** Which files of an instance's session folder are sessions, and how they read. */
export interface DiskSessionFiles {
  names: RegExp;
  format: SessionFormat;
}

/**
 * A session is stored when it is unexpired and logged in, and active when its file's time is within
 * `activeWithinMs`: the store moves it on every write, and on a read (target-app's disk store when the file is older
 * than its USE_MARK_MS, 1 s; PHP's files handler on every request, by its update_timestamp), so users who only read
 * are counted too. Users are counted once even when an old session of theirs is still on disk; a file that does not
 * parse is not a session.
 */
export function countDiskSessions(
  files: readonly SessionFile[],
  activeWithinMs: number,
  now: number,
  format: SessionFormat = targetAppSessionFormat,
): SessionAudit {
  const stored = new Set<string>();
  const active = new Set<string>();
  for (const file of files) {
    const username = format.user(file.text);
    if (username === undefined) continue;
    if (format.expiresAtMs) {
      const expires = format.expiresAtMs(file.text);
      if (expires === undefined || expires <= now) continue;
    }
    stored.add(username);
    if (file.mtimeMs >= now - activeWithinMs) active.add(username);
  }
  return { activeSessions: active.size, storedSessions: stored.size, shared: false };
}
