import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createPlatform } from "../../src/platforms/index.ts";
import { dryRun, formatDryRun } from "../../src/run/dry-run.ts";
import { planFromOptions } from "../../src/run/plan-from-options.ts";

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
      "at 20s",
      "tear-down",
    ]);
    expect(lines.slice(5).map((l) => l.text.split("   #")[0])).toEqual([
      `# terminate ${victim}`,
      `kill -KILL -<pid of ${victim}>`,
      `rm -rf /tmp/fh-dry/sessions/${victim}`,
      `(cd ${resolve(".")} && PORT=<same port> HOST=127.0.0.1 INSTANCE_ID=${victim} SESSION_DIR=/tmp/fh-dry/sessions/${victim} SESSION_SECRET=<per-run secret> SESSION_STORE=disk ${process.execPath} --import tsx target-app/src/main.ts)`,
      `echo "set server app/${victim} state ready" | <HAProxy stats socket>`,
      expect.stringContaining("kill -TERM <pid>"),
    ]);
    expect(formatDryRun(plan, lines)).toMatch(/^dry run: sticky on local, 3 instances, seed 5, faults from terminate/);
  });

  it("a planned stop takes the instance out of the balancer before SIGTERM; kill-graceful does not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fh-dry-stop-"));
    const planFor = (action: string) => {
      const planFile = join(dir, `${action}.yaml`);
      writeFileSync(planFile, `faults:\n  - { at: 10s, action: ${action}, target: app-1 }\n`);
      return planFromOptions({ strategy: "dynamodb", health: "aws-alb", seed: "1", out: join(dir, "run"), planFile });
    };
    const atTen = async (action: string) => {
      const plan = planFor(action);
      return (await dryRun(plan, createPlatform(plan, dir))).filter((l) => l.when === "at 10s").map((l) => l.text);
    };
    const stop = await atTen("stop");
    expect(stop.map((t) => t.split(" |")[0]!.split("   #")[0])).toEqual([
      "# stop app-1",
      'echo "set server app/app-1 state maint"',
      "kill -TERM -<pid of app-1>",
    ]);
    // aws-alb: the deregistration delay bounds the wait, as the ALB's default of 300 s does.
    expect(stop[1]).toContain("at most 300 s");
    expect((await atTen("kill-graceful")).map((t) => t.split("   #")[0])).toEqual([
      "# kill-graceful app-1",
      "kill -TERM -<pid of app-1>",
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a store outage on a disk strategy has nothing to stop", async () => {
    const plan = planFromOptions({ strategy: "sticky", preset: "store-outage", seed: "1", out: "/tmp/fh-dry2" });
    const text = (await dryRun(plan, createPlatform(plan, "/tmp/fh-dry2"))).map((l) => l.text).join("\n");
    expect(text).toContain("no shared session store");
    expect(text).not.toContain("DynamoDBLocal");
  });

  it("says what a platform cannot apply: --health on ec2, under the head line", () => {
    const arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/fleet/0123456789abcdef";
    const plan = planFromOptions(
      { strategy: "dynamodb", platform: "ec2", health: "aws-alb", seed: "1" },
      { region: "eu-west-1", "ec2-filter": ["tag:app=shop"], "target-group-arn": arn },
    );
    const lines = formatDryRun(plan, [{ when: "bring-up", text: "x" }]).split("\n");
    expect(lines[1]).toBe(
      "warning: --health aws-alb does not apply on ec2: the target group's own health check, deregistration delay and stickiness decide; run.json records those (balancer)",
    );
    const local = planFromOptions({ strategy: "dynamodb", seed: "1" });
    expect(formatDryRun(local, []).split("\n")).toHaveLength(1);
  });

  it("a platform without options refuses a plan that carries some, naming the field", () => {
    const plan = planFromOptions({ strategy: "dynamodb", seed: "1" });
    expect(() => createPlatform({ ...plan, platformOptions: { region: "eu-west-1" } }, "/tmp/x")).toThrow(
      'plan.platformOptions: platform local takes no options (got {"region":"eu-west-1"})',
    );
  });
});
