import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditDiskSessions } from "../../../src/platforms/local/disk-audit.ts";

describe("auditDiskSessions", () => {
  it("counts distinct logged-in, unexpired users, and the recently used ones as active", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fh-audit-"));
    const now = Date.now();
    const write = (sid: string, sess: object, expires: number, ageMs: number) => {
      const path = join(dir, `${sid}.json`);
      writeFileSync(path, JSON.stringify({ sess, expires }));
      const t = (now - ageMs) / 1000;
      utimesSync(path, t, t);
    };
    write("a1", { username: "alice" }, now + 60_000, 500);
    write("a2", { username: "alice" }, now + 60_000, 1000); // an older session of the same user
    write("b1", { username: "bob" }, now + 60_000, 60_000); // stored, idle for a minute
    write("c1", { username: "carol" }, now - 1, 100); // expired
    write("d1", { cookie: {} }, now + 60_000, 100); // not logged in
    writeFileSync(join(dir, "e1.json"), "{not json");
    writeFileSync(join(dir, "notes.txt"), "ignored");

    expect(await auditDiskSessions(dir, 5000, now)).toEqual({ activeSessions: 1, storedSessions: 2, shared: false });
  });

  it("a missing folder holds no sessions", async () => {
    expect(await auditDiskSessions(join(tmpdir(), "fh-audit-missing-xyz"), 5000)).toEqual({
      activeSessions: 0,
      storedSessions: 0,
      shared: false,
    });
  });
});
