// How long HAProxy takes to mark a crashed instance DOWN under each health profile, measured on
// the real local platform (no load needed: detection is the balancer's own health checks).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { healthProfiles } from "../../../src/plan/health-profiles.ts";
import { createPlatform } from "../../../src/platforms/index.ts";
import { pollUntil } from "../../../src/process/poll.ts";
import { planFromOptions } from "../../../src/run/plan-from-options.ts";

async function detectionMs(health: string): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), `fh-health-${health}-`));
  const plan = planFromOptions({ strategy: "sticky", health, faults: false, out });
  const platform = createPlatform(plan, out);
  try {
    await platform.up();
    const crashedAt = Date.now();
    await platform.instanceOp("app-1", "kill");
    const downAt = await pollUntil(
      async () => ((await platform.lbStates()).get("app-1")?.status === "DOWN" ? Date.now() : null),
      { timeoutMs: 120_000, intervalMs: 100, what: "HAProxy to mark app-1 DOWN" },
    );
    return downAt - crashedAt;
  } finally {
    await platform.down();
  }
}

describe("health profiles on HAProxy", () => {
  it("fast (1 s checks, fall 2): a crash is detected within 3 s", async () => {
    const ms = await detectionMs("fast");
    console.log(`[health] fast: crash detected after ${ms} ms`);
    expect(ms).toBeLessThanOrEqual(3000);
  });

  it("aws-elb (30 s checks, fall 2): a crash is detected after one to two check intervals, as an ELB would", async () => {
    const { intervalMs, fall } = healthProfiles["aws-elb"];
    const ms = await detectionMs("aws-elb");
    console.log(`[health] aws-elb: crash detected after ${ms} ms`);
    // the first failing check comes 0-30 s after the crash, the second (fall 2) 30 s later
    expect(ms).toBeGreaterThanOrEqual((fall - 1) * intervalMs - 1000);
    expect(ms).toBeLessThanOrEqual(fall * intervalMs + 2000);
  }, 150_000);
});
