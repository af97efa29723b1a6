// `npm run chaos -- --platform ec2` as a user runs it, against moto: the dry run changes nothing,
// a --no-load run applies the plan and records every API call, the guard refuses an untagged
// instance, and no credential reaches run.json or the output.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MotoServer, motoMissing, startMoto } from "../../helpers/moto-server.ts";
import { killCliChildren, readRecord, runCli } from "../../helpers/run-cli.ts";
import { dummyCredentials, makeFleet, region, slotOf, states, useDummyCredentials } from "./moto-fleet.ts";

const missing = motoMissing();
if (missing) console.warn(`SKIPPED npm run chaos on ec2 against moto: ${missing}`);

const outRoot = mkdtempSync(join(tmpdir(), "fh-chaos-ec2-"));

describe.skipIf(missing !== null)("npm run chaos --platform ec2 (moto)", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    useDummyCredentials(); // the CLI child inherits them
    moto = await startMoto();
  });
  afterAll(async () => {
    killCliChildren();
    await moto?.stop();
  });

  const ec2Args = (fleet: Awaited<ReturnType<typeof makeFleet>>) => [
    "--platform",
    "ec2",
    "--strategies",
    "dynamodb",
    "--region",
    region,
    "--ec2-filter",
    `tag:fleet=${fleet.tag}`,
    "--target-group-arn",
    fleet.targetGroupArn,
    "--lb-url",
    "http://127.0.0.1:9",
    "--aws-endpoint",
    moto.endpoint,
    "--instances",
    String(fleet.instanceIds.length),
    "--seed",
    "5",
  ];

  const planFile = (name: string, faults: object[]) => {
    const path = join(outRoot, `${name}.json`);
    writeFileSync(path, JSON.stringify({ faults }));
    return path;
  };

  it("--dry-run lists the fleet and each call with its time, and changes nothing", async () => {
    const fleet = await makeFleet(moto.endpoint, "cli-dry", 3);
    const before = await states(moto.endpoint, fleet.instanceIds);
    const { code, output } = await runCli("chaos", [...ec2Args(fleet), "--duration", "60s", "--dry-run"]);
    expect(code, output).toBe(0);
    const victim = output.match(/# crash (app-\d)/)?.[1];
    expect(victim, output).toBeDefined();
    const id = fleet.instanceIds[Number(victim!.slice(4)) - 1];
    expect(output).toMatch(
      /bring-up\s+ec2:DescribeInstances \{"Filters":\[\{"Name":"tag:fleet","Values":\["cli-dry"\]\}/,
    );
    expect(output).toMatch(new RegExp(`at 20s\\s+ec2:StopInstances \\{"InstanceIds":\\["${id}"\\],"Force":true\\}`));
    expect(output).toMatch(new RegExp(`at 40s\\s+ec2:StartInstances \\{"InstanceIds":\\["${id}"\\]\\}`));
    expect(await states(moto.endpoint, fleet.instanceIds)).toEqual(before);
  });

  it("--no-load: applies the plan, records every API call in run.json, restores nothing it did not stop, leaks no credential", async () => {
    const fleet = await makeFleet(moto.endpoint, "cli-run", 2);
    const out = join(outRoot, "run");
    const plan = planFile("crash-restart", [
      { at: "1s", action: "crash", target: "app-2" },
      { at: "3s", action: "restart", target: "app-2" },
    ]);
    const { code, output } = await runCli("chaos", [
      ...ec2Args(fleet),
      "--no-load",
      "--duration",
      "5s",
      "--plan",
      plan,
      "--out",
      out,
    ]);
    expect(code, output).toBe(0);
    const record = readRecord(join(out, "dynamodb"));
    expect(record.status, record.error).toBe("completed");
    expect(record.plan.platform).toBe("ec2");
    expect(record.instances).toEqual(["app-1", "app-2"]);
    expect(record.plan.platformOptions).toMatchObject({
      region,
      targetGroupArn: fleet.targetGroupArn,
      crashMode: "stop",
    });
    // The balancer record holds the target group's real settings (moto's defaults), not the profile's.
    expect(record.balancer).toMatchObject({
      source: `target group ${fleet.targetGroupArn}`,
      intervalMs: 30_000,
      retries: 0,
    });
    expect(output).toContain("does not apply on ec2");
    const calls = record.events.filter((e) => e.type === "api-call").map((e) => e.detail as Record<string, unknown>);
    const victim = fleet.instanceIds[1];
    expect(calls).toContainEqual(
      expect.objectContaining({ command: "StopInstances", input: { InstanceIds: [victim], Force: true }, ok: true }),
    );
    expect(calls).toContainEqual(
      expect.objectContaining({ command: "StartInstances", input: { InstanceIds: [victim] }, ok: true }),
    );
    expect(calls.some((c) => c.command === "DescribeTargetHealth")).toBe(true);
    const faults = record.events
      .filter((e) => e.type === "fault")
      .map((e) => `${e.type === "fault" && e.action} ${e.type === "fault" && e.phase}`);
    expect(faults).toEqual(["crash start", "crash end", "restart start", "restart end"]);
    expect(record.events.some((e) => e.type === "lb-state" && e.target === "app-2" && e.state === "DOWN")).toBe(true);
    expect(await states(moto.endpoint, fleet.instanceIds)).toEqual({
      [fleet.instanceIds[0]!]: "running",
      [victim!]: "running",
    });
    const text = readFileSync(join(out, "dynamodb", "run.json"), "utf8") + output;
    for (const secret of Object.values(dummyCredentials).filter((v) => v !== "true")) {
      expect(text).not.toContain(secret);
    }
  });

  it("refuses a plan naming an instance without the opt-in tag: nothing is stopped, the message names it", async () => {
    const fleet = await makeFleet(moto.endpoint, "cli-guard", 1, 1);
    const before = await states(moto.endpoint, fleet.instanceIds);
    const target = slotOf(fleet, fleet.notOptedIn!);
    const out = join(outRoot, "guard");
    const plan = planFile("guard", [{ at: "1s", action: "crash", target }]);
    const { code, output } = await runCli("chaos", [
      ...ec2Args(fleet),
      "--no-load",
      "--duration",
      "5s",
      "--plan",
      plan,
      "--out",
      out,
    ]);
    expect(code, output).toBe(2);
    expect(output).toContain(`refusing to touch ${target} = ${fleet.notOptedIn}`);
    const record = readRecord(join(out, "dynamodb"));
    expect(record.status).toBe("failed");
    expect(record.errorKind).toBe("input");
    expect(record.error).toContain(fleet.notOptedIn);
    expect(
      record.events.filter((e) => e.type === "api-call").map((e) => (e.detail as { command: string }).command),
    ).toEqual(["DescribeInstances"]);
    expect(await states(moto.endpoint, fleet.instanceIds)).toEqual(before);
  });

  it("bad ec2 input is refused with exit 2, naming the flag", async () => {
    const { code, output } = await runCli("chaos", [
      "--platform",
      "ec2",
      "--strategies",
      "dynamodb",
      "--region",
      region,
    ]);
    expect(code).toBe(2);
    expect(output).toContain("--ec2-filter is required");
    const local = await runCli("chaos", ["--strategies", "dynamodb", "--region", region, "--dry-run"]);
    expect(local.code).toBe(2);
    expect(local.output).toContain("--region: only for --platform ec2");
  });
});
