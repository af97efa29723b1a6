// Balancer profiles end to end (the real load engine, HAProxy, dynalite): an AWS profile fails the
// requests routed to a dead instance until its checks mark it DOWN; an HAProxy profile retries them
// on another instance and records how often it did.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { healthProfiles } from "../../src/plan/health-profiles.ts";
import { isFaultStep } from "../../src/run/event-schema.ts";
import type { RunEvent } from "../../src/run/events.ts";
import type { RunRecord } from "../../src/run/run-record.ts";
import { failuresOutsideKills, killCliChildren, missingTools, readRecord, runCli } from "../helpers/run-cli.ts";

const missing = missingTools();
if (missing.length) console.warn(`SKIPPED balancer profile tests: missing ${missing.join(", ")}; run npm run setup`);

const outRoot = mkdtempSync(join(tmpdir(), "fh-balancer-"));
afterAll(killCliChildren);

function planFile(name: string, yaml: string): string {
  const path = join(outRoot, `${name}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

describe.skipIf(missing.length > 0)("balancer profiles (local platform)", () => {
  it("aws-alb: no retry; until DOWN the victim's share of the requests fail with 502; sticky loses exactly the audited sessions", async () => {
    // Crash early and keep the victim down: two failed 30 s checks mark it DOWN 30-70 s later.
    const plan = planFile("alb", "faults:\n  - { at: 5s, action: crash, target: app-2 }\n");
    const out = join(outRoot, "alb");
    const { code, output } = await runCli("chaos", [
      "--no-rate-check",
      "--strategies",
      "dynamodb,sticky",
      "--health",
      "aws-alb",
      "--plan",
      plan,
      "--duration",
      "80s",
      "--seed",
      "3",
      "--out",
      out,
    ]);
    expect(code, output).toBe(0);
    const dynamo = readRecord(join(out, "dynamodb"));
    const r = dynamo.results!;
    expect(dynamo.balancer).toMatchObject({ profile: "aws-alb", retries: 0, redispatch: false });
    expect(readFileSync(join(out, "dynamodb", "haproxy.cfg"), "utf8")).toContain("retries 0");
    expect(r.detectionMs).toBeGreaterThan(healthProfiles["aws-alb"].intervalMs - 1000);
    expect(r.requests.retriedByBalancer).toEqual({ retries: 0, redispatches: 0 });
    const u = r.undetected!;
    // Round robin over 3: about a third of the requests sent while the dead instance was UP failed.
    const expected = (u.victimSharePercent! / 100) * u.requests;
    expect(u.requests).toBeGreaterThan(500);
    expect(Math.abs(u.failed - expected) / expected).toBeLessThan(0.3);
    // ... and they were the balancer's 502s (connection refused), not timeouts.
    expect(r.requests.failed["502"]).toBeGreaterThanOrEqual(u.failed);
    expect(r.sessions.lost).toBe(0);

    const sticky = readRecord(join(out, "sticky"));
    const s = sticky.results!;
    expect(readFileSync(join(out, "sticky", "haproxy.cfg"), "utf8")).toContain("cookie AWSALB insert");
    // Pinned users fail with 502 until DOWN, then move to a healthy instance without their session.
    expect(s.sessions.lost).toBeGreaterThan(0);
    expect(s.sessions.lost).toBe(s.sessions.lostExpected);
    expect(s.undetected!.failed).toBeGreaterThan(0);
  }, 420_000);

  it("fast (HAProxy): a refused request is retried on another instance; failures stay within the requests in flight", async () => {
    const out = join(outRoot, "fast");
    const { code, output } = await runCli("scenario", [
      "--strategy",
      "dynamodb",
      "--health",
      "fast",
      "--duration",
      "24s",
      "--seed",
      "3",
      "--out",
      out,
    ]);
    expect(code, output).toBe(0);
    const record: RunRecord = readRecord(out);
    const r = record.results!;
    expect(record.balancer).toMatchObject({ profile: "fast", retries: 3, redispatch: true });
    // Requests that reached the victim as it died can fail (reset); later ones are retried elsewhere.
    expect(await failuresOutsideKills(out, record)).toEqual([]);
    // HAProxy 2.6 counts a refused connection sent to another server as a redispatch (wredis).
    const hidden = r.requests.retriedByBalancer!;
    expect(hidden.retries + hidden.redispatches).toBeGreaterThan(0);
    // The fault event is when the kill landed, after the audit: the probes' time is recorded apart.
    const start = record.events.find(
      (e): e is Extract<RunEvent, { type: "fault" }> => e.type === "fault" && e.phase === "start" && !isFaultStep(e),
    );
    const audit = record.events.find((e) => e.type === "audit");
    expect(start && audit && start.t >= audit.t).toBe(true);
    expect(start?.detail).toMatchObject({ probesMs: expect.any(Number) });
  });
});
