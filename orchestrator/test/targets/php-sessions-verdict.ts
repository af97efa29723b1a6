// What a `chaos --target php-sessions --strategies local,sticky,redis` must show, on any platform: local loses most
// sessions, sticky loses exactly what its store audit found on the victim (every one homed there, the identity
// from the balancer's X-Served-By: the PHP app sends no X-Instance-Id), redis none; the report names the target.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { readRecord } from "../helpers/run-cli.ts";

export function expectPhpSessionsVerdicts(out: string): void {
  const local = readRecord(join(out, "local")).results!.sessions;
  expect(local.lost).toBeGreaterThan(local.started / 2);
  const stickyRecord = readRecord(join(out, "sticky"));
  const sticky = stickyRecord.results!.sessions;
  expect(sticky.lost).toBeGreaterThan(0);
  expect(sticky.lost).toBe(sticky.lostExpected);
  expect(sticky.lostByHome).toEqual({ [stickyRecord.plan.faults[0]!.target]: sticky.lost });
  expect(readRecord(join(out, "redis")).results!.sessions.lost).toBe(0);
  expect(readFileSync(join(out, "report.html"), "utf8")).toContain("php-sessions");
}
