// Each fault preset end to end on the local platform (the real load engine, HAProxy, dynalite), showing
// its signature; and `npm run chaos` writing one folder per strategy and a comparison report.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectionBoundMs, healthProfiles } from "../../src/plan/health-profiles.ts";
import type { RunRecord } from "../../src/run/run-record.ts";
import {
  chaosBudgetMs,
  faultSteps,
  killCliChildren,
  missingTools,
  readRecord,
  rollingRestartSteps,
  runCli,
} from "../helpers/run-cli.ts";

const missing = missingTools();
if (missing.length) console.warn(`SKIPPED preset integration tests: missing ${missing.join(", ")}; run npm run setup`);

const outRoot = mkdtempSync(join(tmpdir(), "fh-presets-"));
afterAll(killCliChildren);

async function chaos(name: string, args: string[]): Promise<Record<string, RunRecord>> {
  const out = join(outRoot, name);
  // The rate check has its own test (rate-check.int.test.ts); here it would only add a minute.
  const { code, output } = await runCli("chaos", [
    ...args,
    "--no-rate-check",
    "--duration",
    "20s",
    "--seed",
    "2",
    "--out",
    out,
  ]);
  expect(code, output).toBe(0);
  expect(output).toContain(`report: ${join(out, "report.html")}`);
  expect(existsSync(join(out, "report.html"))).toBe(true);
  const strategies = (args[args.indexOf("--strategies") + 1] ?? "").split(",");
  return Object.fromEntries(strategies.map((s) => [s, readRecord(join(out, s))]));
}

describe.skipIf(missing.length > 0)("fault presets (local platform, the real load engine + HAProxy)", () => {
  it(
    "terminate: sticky loses every live session pinned to the victim, even after the replacement is up; dynamodb none",
    async () => {
      const runs = await chaos("terminate", ["--preset", "terminate", "--strategies", "sticky,dynamodb"]);
      const sticky = runs.sticky!.results!;
      expect(runs.sticky!.plan.faults.map((f) => f.action)).toEqual(["terminate"]);
      expect(sticky.sessions.lost).toBeGreaterThan(0);
      expect(sticky.sessions.lost).toBe(sticky.sessions.lostExpected);
      // the replacement came back UP before the load ended, and no session came back with it
      const victim = runs.sticky!.plan.faults[0]!.target;
      expect(runs.sticky!.events.some((e) => e.type === "lb-state" && e.target === victim && e.state === "UP")).toBe(
        true,
      );
      expect(sticky.sessions.lostByHome).toEqual({ [victim]: sticky.sessions.lost });
      expect(runs.dynamodb!.results!.sessions.lost).toBe(0);
    },
    chaosBudgetMs(2, 20),
  );

  it(
    "rolling-restart: each instance drained before it stops; sticky loses sessions, dynamodb none and fails no request",
    async () => {
      const runs = await chaos("rolling", ["--preset", "rolling-restart", "--strategies", "sticky,dynamodb"]);
      for (const record of Object.values(runs)) {
        expect(faultSteps(record)).toEqual(rollingRestartSteps);
      }
      expect(runs.sticky!.results!.sessions.lost).toBeGreaterThan(0);
      // Taken out of the balancer first, an instance has nothing in flight when it stops: no request
      // can fail (no reset: no connection is open; no refusal: the balancer sends it nothing).
      expect(runs.dynamodb!.results!.requests.failed.total).toBe(0);
      expect(runs.dynamodb!.results!.sessions.lost).toBe(0);
    },
    chaosBudgetMs(2, 20),
  );

  it("freeze: requests to the frozen instance time out until the balancer marks it DOWN, within the profile's bound", async () => {
    const runs = await chaos("freeze", ["--preset", "freeze", "--strategies", "dynamodb"]);
    const record = runs.dynamodb!;
    const r = record.results!;
    const bound = detectionBoundMs(healthProfiles.fast);
    expect(r.detectionMs).not.toBeNull();
    expect(r.detectionMs!).toBeLessThanOrEqual(bound + 1000);
    expect(r.requests.failed.timeout + r.requests.failed["504"]).toBeGreaterThan(0);
    // failures stop once the balancer knows: none ends later than DOWN + the request timeout (+1 s buckets)
    const crash = record.events.find((e) => e.type === "fault" && e.action === "freeze")!.t;
    const down = crash + r.detectionMs!;
    const lastFailedSecond = r.series.filter((s) => s.failed > 0).at(-1)!;
    expect(lastFailedSecond.t).toBeLessThanOrEqual(down + record.plan.load.requestTimeoutMs + 1000);
    expect(r.sessions.lost).toBe(0);
  });

  it(
    "store-outage: dynamodb answers 503 during the outage and keeps every session; sticky is untouched",
    async () => {
      const runs = await chaos("store", ["--preset", "store-outage", "--strategies", "sticky,dynamodb"]);
      const dynamo = runs.dynamodb!.results!;
      expect(dynamo.requests.failed["503"]).toBeGreaterThan(0);
      expect(dynamo.requests.byWindow.after.failed).toBe(0);
      expect(dynamo.sessions.lost).toBe(0);
      expect(dynamo.sessions.started).toBe(50);
      const sticky = runs.sticky!.results!;
      expect([sticky.requests.failed.total, sticky.sessions.lost]).toEqual([0, 0]);
    },
    chaosBudgetMs(2, 20),
  );

  it("a plan file drives the timeline; a bad entry is refused naming the entry and field", async () => {
    const good = join(outRoot, "plan.yaml");
    writeFileSync(
      good,
      "faults:\n  - at: 6s\n    action: stop\n    target: app-2\n  - at: 12s\n    action: restart\n    target: app-2\n",
    );
    const out = join(outRoot, "plan-file");
    const { code, output } = await runCli("scenario", [
      "--strategy",
      "dynamodb",
      "--plan",
      good,
      "--duration",
      "20s",
      "--out",
      out,
    ]);
    expect(code, output).toBe(0);
    const record = readRecord(out);
    expect(record.plan.faultSource).toBe(`file:${good}`);
    expect(record.plan.faults).toEqual([
      { atMs: 6000, action: "stop", target: "app-2" },
      { atMs: 12_000, action: "restart", target: "app-2" },
    ]);
    // A planned stop drains the instance first, so no failure class can appear: no `refused` or
    // 502/503 (the balancer sends it nothing once it is in maintenance), no `reset` (it stops only
    // when nothing is in flight there), no `timeout`/504 (it never hangs). Nothing is lost either:
    // the sessions are in DynamoDB.
    expect(record.results!.requests.failed.total).toBe(0);
    expect(record.results!.sessions.lost).toBe(0);

    const bad = join(outRoot, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({
        faults: [
          { at: "5s", action: "crash", target: "app-1" },
          { at: "6s", action: "crash", target: "app-7" },
        ],
      }),
    );
    const refused = await runCli("scenario", ["--strategy", "sticky", "--plan", bad, "--out", join(outRoot, "bad")]);
    expect(refused.code).toBe(2);
    expect(refused.output).toMatch(/plan\.faults\[1\]\.target: no such instance.*\(got "app-7"\)/);
    expect(existsSync(join(outRoot, "bad"))).toBe(false);
  });

  it("a threshold that fails exits 99 and is recorded", async () => {
    const out = join(outRoot, "threshold");
    const { code, output } = await runCli("scenario", [
      "--strategy",
      "sticky",
      "--duration",
      "10s",
      "--threshold",
      "sessions.lost<=0",
      "--out",
      out,
    ]);
    expect(code, output).toBe(99);
    const [t] = readRecord(out).results!.thresholds;
    expect(t).toMatchObject({ expr: "sessions.lost<=0", ok: false });
    expect(t!.actual).toBeGreaterThan(0);
  });
});
