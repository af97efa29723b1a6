import { describe, expect, it } from "vitest";
import { planFromOptions } from "../../src/plan/plan.ts";
import { createPlatform } from "../../src/platforms/index.ts";
import { dryRun, formatDryRun } from "../../src/run/dry-run.ts";

describe("dry run on the local platform", () => {
  it("walks the real fault units: bring-up, load, each action at its time, tear-down", async () => {
    const plan = planFromOptions({ strategy: "sticky", preset: "terminate", seed: "5", out: "/tmp/fh-dry" });
    const lines = await dryRun(plan, createPlatform(plan, "/tmp/fh-dry"));
    const victim = plan.faults[0]!.target;
    expect(lines.map((l) => l.when)).toEqual([
      "bring-up",
      "bring-up",
      "bring-up",
      "bring-up",
      "at 0s",
      "at 20s",
      "at 20s",
      "at 20s",
      "at 20s",
      "tear-down",
    ]);
    expect(lines.slice(5).map((l) => l.text.split("   #")[0])).toEqual([
      `# terminate ${victim}`,
      `kill -KILL <pid of ${victim}>`,
      `rm -rf /tmp/fh-dry/sessions/${victim}`,
      `PORT=<same port> INSTANCE_ID=${victim} ${process.execPath} --import tsx target-app/src/main.ts`,
      expect.stringContaining("kill -TERM <pid>"),
    ]);
    expect(formatDryRun(plan, lines)).toMatch(/^dry run: sticky on local, 3 instances, seed 5, faults from terminate/);
  });

  it("a store outage on a disk strategy has nothing to stop", async () => {
    const plan = planFromOptions({ strategy: "sticky", preset: "store-outage", seed: "1", out: "/tmp/fh-dry2" });
    const text = (await dryRun(plan, createPlatform(plan, "/tmp/fh-dry2"))).map((l) => l.text).join("\n");
    expect(text).toContain("no shared session store");
    expect(text).not.toContain("DynamoDBLocal");
  });
});
