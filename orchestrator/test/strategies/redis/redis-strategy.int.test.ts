// Strategy redis end to end on the local platform (the real load engine, HAProxy, redis-server), about 20 s each: an app
// instance's crash loses no session; a store restart without persistence loses every live session, as the store
// audit predicted; with an append-only file (everysec) it loses none.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { redisServerVersion } from "../../../src/store-servers/redis-server/index.ts";
import {
  alive,
  failuresOutsideKills,
  killCliChildren,
  missingTools,
  readRecord,
  runCli,
} from "../../helpers/run-cli.ts";

const missing = [...missingTools(), ...(redisServerVersion() ? [] : ["redis-server"])];
if (missing.length) console.warn(`SKIPPED redis strategy tests: missing ${missing.join(", ")}; run npm run setup`);

const outRoot = mkdtempSync(join(tmpdir(), "fh-redis-"));
afterAll(killCliChildren);

const short = ["--strategy", "redis", "--duration", "20s", "--seed", "3"];

/** The run's store audit event (target "store"), just before its store fault. */
function storeAudit(out: string): Record<string, unknown> {
  const audit = readRecord(out).events.find((e) => e.type === "audit" && e.target === "store");
  expect(audit, "a store audit event").toBeDefined();
  return (audit as { detail: Record<string, unknown> }).detail;
}

describe.skipIf(missing.length > 0)(
  "strategy redis (local platform, the real load engine + HAProxy + redis-server)",
  () => {
    it("crash of an app instance: no session lost; failed requests no more than those in flight on the victim", async () => {
      const out = join(outRoot, "crash");
      const { code, output } = await runCli("scenario", [...short, "--out", out]);
      expect(code, output).toBe(0);
      const record = readRecord(out);
      expect(record.status).toBe("completed");
      expect(record.plan.faults.map((f) => f.action)).toEqual(["crash", "restart"]);
      expect(record.versions.store).toMatch(/^redis-server 7\.\d+\.\d+ \(in memory\)$/);
      const r = record.results!;
      expect(r.sessions.started).toBeGreaterThanOrEqual(50);
      expect(r.sessions.lost).toBe(0);
      expect(r.sessions.lostExpected).toBe(0);
      expect(r.requests.inFlightAtFault).not.toBeNull();
      // Every failure was a request in flight while the victim died (the engine's records, not HAProxy's counters).
      expect(await failuresOutsideKills(out, record)).toEqual([]);
      expect(r.requests.total).toBeGreaterThan(1500);
      expect(r.detectionMs).toBeGreaterThan(0);
      expect(record.processes.filter((p) => alive(p.pid))).toEqual([]);
    });

    it("store-restart without persistence: every live session lost, the number the audit predicted", async () => {
      const out = join(outRoot, "restart");
      const { code, output } = await runCli("scenario", [...short, "--preset", "store-restart", "--out", out]);
      expect(code, output).toBe(0);
      const record = readRecord(out);
      const audit = storeAudit(out);
      expect(audit).toMatchObject({ persistence: "none", shared: true });
      const live = audit.liveSessions as number;
      // Every person (50 sessions at 50/s) makes about a request a second: all of them are live.
      expect(live).toBeGreaterThanOrEqual(45);
      expect(audit.activeSessions).toBe(live);
      const r = record.results!;
      expect(r.sessions.lostExpected).toBe(live);
      expect(r.sessions.lost).toBe(live);
      expect(record.events.filter((e) => e.type === "fault").map((e) => `${e.action}:${e.phase}`)).toEqual([
        "store-restart:start",
        "store-restart:end",
      ]);
      expect(record.processes.filter((p) => alive(p.pid))).toEqual([]);
    });

    it("store-restart with an append-only file (everysec): no session lost, as the audit predicted", async () => {
      const out = join(outRoot, "aof");
      const { code, output } = await runCli("scenario", [
        ...short,
        "--preset",
        "store-restart",
        "--store-persistence",
        "aof-everysec",
        "--out",
        out,
      ]);
      expect(code, output).toBe(0);
      const record = readRecord(out);
      expect(record.plan.storePersistence).toBe("aof-everysec");
      expect(record.versions.store).toMatch(/\(AOF everysec\)$/);
      const audit = storeAudit(out);
      expect(audit).toMatchObject({ persistence: "aof-everysec", activeSessions: 0 });
      expect(audit.liveSessions as number).toBeGreaterThanOrEqual(45);
      const r = record.results!;
      expect(r.sessions.lostExpected).toBe(0);
      expect(r.sessions.lost).toBe(0);
      expect(record.processes.filter((p) => alive(p.pid))).toEqual([]);
    });
  },
);
