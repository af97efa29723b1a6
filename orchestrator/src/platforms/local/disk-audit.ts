// Store audit for disk sessions: which logged-in users' sessions live in one instance's folder.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  countDiskSessions,
  type DiskSessionFiles,
  type SessionFile,
  targetAppSessionFormat,
} from "../disk-sessions.ts";
import type { SessionAudit } from "../types.ts";

const targetAppFiles: DiskSessionFiles = { names: /\.json$/, format: targetAppSessionFormat };

/** Reads the folder's session files and counts them with countDiskSessions (see there). */
export async function auditDiskSessions(
  dir: string,
  activeWithinMs: number,
  now = Date.now(),
  files: DiskSessionFiles = targetAppFiles,
): Promise<SessionAudit> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      return { activeSessions: 0, storedSessions: 0, shared: false };
    throw err;
  }
  const read: SessionFile[] = [];
  for (const name of names) {
    if (!files.names.test(name)) continue;
    const path = join(dir, name);
    try {
      const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
      read.push({ text, mtimeMs: info.mtimeMs });
    } catch {
      // a file removed while we read it: the store's own business, not a session
    }
  }
  return countDiskSessions(read, activeWithinMs, now, files.format);
}
