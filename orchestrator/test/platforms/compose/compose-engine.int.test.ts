// The compose platform against a real Docker engine, where there is one: skipped (with the reason
// printed) on machines without it, such as the one this project is built on.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPlatform } from "../../../src/platforms/index.ts";
import { pollUntil } from "../../../src/process/poll.ts";
import { planFromOptions } from "../../../src/run/plan-from-options.ts";

function engineProblem(): string | null {
  const probe = spawnSync("docker", ["compose", "version", "--short"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return "`docker compose` is not available";
  const server = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8" });
  if (server.error || server.status !== 0) return "no Docker engine answers";
  return null;
}

const problem = engineProblem();
if (problem) console.warn(`[skip] compose platform on a real engine: ${problem}`);

describe.skipIf(problem !== null)("compose platform on a real Docker engine", () => {
  it("brings the fleet up, sees a crashed instance DOWN and back UP, and tears it all down", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fh-compose-engine-"));
    const plan = planFromOptions({ platform: "compose", strategy: "sticky", seed: "1", runId: "engine", out: dir });
    const platform = createPlatform(plan, dir);
    const state = async (id: string) => (await platform.lbStates()).get(id)?.status;
    try {
      await platform.up();
      expect(platform.lbUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${platform.lbUrl()}/ping.html`)).status).toBe(200);
      await platform.instanceOp("app-2", "kill");
      await pollUntil(async () => (await state("app-2")) === "DOWN", { timeoutMs: 15_000, what: "app-2 DOWN" });
      await platform.instanceOp("app-2", "start");
      await pollUntil(async () => (await state("app-2")) === "UP", { timeoutMs: 30_000, what: "app-2 UP" });
    } finally {
      await platform.down();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 900_000);
});
