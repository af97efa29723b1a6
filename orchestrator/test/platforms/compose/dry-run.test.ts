import { describe, expect, it } from "vitest";
import { projectName } from "../../../src/platforms/compose/compose-platform.ts";
import { createPlatform } from "../../../src/platforms/index.ts";
import { dryRun, formatDryRun } from "../../../src/run/dry-run.ts";
import { planFromOptions } from "../../../src/run/plan-from-options.ts";

describe("--platform compose --dry-run", () => {
  it("single-crash prints the up, kill, start and down commands in order, each with its time", async () => {
    const plan = planFromOptions({
      platform: "compose",
      strategy: "sticky",
      preset: "single-crash",
      seed: "5",
      duration: "60s",
      runId: "dry",
      out: "/runs/dry",
    });
    const victim = plan.faults[0]!.target;
    const text = formatDryRun(plan, await dryRun(plan, createPlatform(plan, "/runs/dry")));
    const dc = `docker compose -p ${projectName("dry")} -f /runs/dry/docker-compose.yml`;
    const lines = text.split("\n");
    const at = (when: string, command: string) =>
      lines.findIndex((l) => l.startsWith(when) && l.includes(`${dc} ${command}`));
    const order = [
      at("bring-up", "up -d --build --wait"),
      at("bring-up", "port lb 8080"),
      at("at 20s", `kill -s SIGKILL ${victim}`),
      at("at 40s", `start ${victim}`),
      at("tear-down", "--profile '*' down -v --remove-orphans"),
    ];
    expect(
      order.every((i) => i > 0),
      text,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain("dry run: sticky on compose, 3 instances, seed 5");
  });

  it("terminate: after the wipe the instance is created anew, not started", async () => {
    const plan = planFromOptions({
      platform: "compose",
      strategy: "local",
      preset: "terminate",
      seed: "5",
      runId: "dry",
      out: "/runs/dry",
    });
    const victim = plan.faults[0]!.target;
    const text = formatDryRun(plan, await dryRun(plan, createPlatform(plan, "/runs/dry")));
    expect(text).toContain(`rm -s -f ${victim}`);
    expect(text).toContain(`docker volume rm ${projectName("dry")}_sessions-${victim}`);
    expect(text).toContain(`up -d --no-deps ${victim}`);
    expect(text).not.toContain(`start ${victim}`);
  });

  it("describe() changes no state: a start reads from the steps before it, the same every time", () => {
    const plan = planFromOptions({ platform: "compose", strategy: "local", seed: "5", runId: "dry", out: "/runs/dry" });
    const platform = createPlatform(plan, "/runs/dry");
    const start = { kind: "instance", id: "app-2", op: "start" } as const;
    const wipe = { kind: "instance", id: "app-2", op: "wipe" } as const;
    const anew = platform.describe(start, [wipe]);
    expect(anew[0]).toContain("up -d --no-deps app-2");
    expect(platform.describe(start, [wipe])).toEqual(anew);
    expect(platform.describe(start, [])[0]).toMatch(/ start app-2$/);
    expect(platform.describe(start, [wipe, start])[0]).toMatch(/ start app-2$/);
  });
});
