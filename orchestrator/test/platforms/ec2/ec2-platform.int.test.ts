// The ec2 platform against moto in server mode (EC2 + ELBv2 emulated on loopback): the opt-in
// guard, faults seen in the instances' states, target health, the dry run, restoring the fleet.
import { DeleteTagsCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { RegisterTargetsCommand as ElbRegisterTargets } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fault } from "../../../src/plan/plan.ts";
import { optInTag } from "../../../src/platforms/ec2/ec2-plan.ts";
import type { Ec2Platform } from "../../../src/platforms/ec2/ec2-platform.ts";
import { createPlatform } from "../../../src/platforms/index.ts";
import { pollUntil } from "../../../src/process/poll.ts";
import { dryRun } from "../../../src/run/dry-run.ts";
import { type MotoServer, motoMissing, startMoto } from "../../helpers/moto-server.ts";
import { clients, fleetPlan, makeFleet, slotOf, states, useDummyCredentials } from "./moto-fleet.ts";

const missing = motoMissing();
if (missing) console.warn(`SKIPPED ec2 platform tests against moto: ${missing}`);

const mutating = new Set(["StopInstances", "StartInstances", "RebootInstances", "TerminateInstances"]);

describe.skipIf(missing !== null)("ec2 platform against moto", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    useDummyCredentials();
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  const platformFor = (fleet: Awaited<ReturnType<typeof makeFleet>>, faults: Fault[], crashMode?: string) =>
    createPlatform(
      fleetPlan(moto.endpoint, fleet, faults, crashMode ? { crashMode } : {}),
      "/nonexistent",
    ) as Ec2Platform;

  it("refuses a plan that names an instance without the opt-in tag, before any mutating call", async () => {
    const fleet = await makeFleet(moto.endpoint, "guard", 2, 1);
    const victim = fleet.notOptedIn!;
    const before = await states(moto.endpoint, fleet.instanceIds);
    const platform = platformFor(fleet, [{ atMs: 1000, action: "crash", target: slotOf(fleet, victim) }]);
    const refusal = await platform.up().then(
      () => null,
      (err: Error) => err,
    );
    expect(refusal?.name).toBe("InputError");
    expect(refusal?.message).toContain(victim);
    expect(refusal?.message).toContain(`${optInTag.key}=${optInTag.value}`);
    // The dry run refuses it the same way.
    await expect(dryRun(platform.plan, platformFor(fleet, platform.plan.faults))).rejects.toThrow(victim);
    await platform.down();
    expect(platform.calls.filter((c) => mutating.has(c.command))).toEqual([]);
    expect(platform.calls.map((c) => c.command)).toEqual(["DescribeInstances"]);
    expect(await states(moto.endpoint, fleet.instanceIds)).toEqual(before);
    // A fleet-wide action would touch it too: refused as well.
    const rolling = platformFor(fleet, [{ atMs: 1000, action: "rolling-restart", target: "fleet" }]);
    await expect(rolling.prepareDryRun()).rejects.toThrow(victim);
  });

  it("refuses what EC2 cannot do (freeze, store-down) and a plan whose size is not the fleet's", async () => {
    const fleet = await makeFleet(moto.endpoint, "unsupported", 2);
    const freeze = platformFor(fleet, [{ atMs: 1000, action: "freeze", target: "app-1" }]);
    await expect(freeze.up()).rejects.toThrow(/freeze app-1: not supported on ec2/);
    expect(freeze.calls).toEqual([]); // refused before even looking at the fleet
    const store = platformFor(fleet, [{ atMs: 1000, action: "store-down", target: "store" }]);
    await expect(store.prepareDryRun()).rejects.toThrow(/no control over the DynamoDB table/);
    const plan = fleetPlan(moto.endpoint, fleet, []);
    const wrongSize = createPlatform({ ...plan, instances: 3 }, "/nonexistent");
    await expect(wrongSize.up()).rejects.toThrow(/match 2 instances .* pass --instances 2/);
  });

  it("dry run: lists the fleet and each API call, and calls nothing that changes it", async () => {
    const fleet = await makeFleet(moto.endpoint, "dryrun", 3);
    const before = await states(moto.endpoint, fleet.instanceIds);
    const faults: Fault[] = [
      { atMs: 1000, action: "crash", target: "app-2" },
      { atMs: 3000, action: "restart", target: "app-2" },
      { atMs: 5000, action: "terminate", target: "app-3" },
    ];
    const platform = platformFor(fleet, faults);
    const lines = await dryRun(platform.plan, platform);
    const text = lines.map((l) => `${l.when} ${l.text}`).join("\n");
    const [, second, third] = fleet.instanceIds;
    expect(text).toContain(`at 1s ec2:StopInstances {"InstanceIds":["${second}"],"Force":true}`);
    expect(text).toContain(`at 3s ec2:StartInstances {"InstanceIds":["${second}"]}`);
    expect(text).toContain(`at 5s ec2:TerminateInstances {"InstanceIds":["${third}"]}`);
    expect(text).toMatch(/at 5s ec2:DescribeInstances .*until the Auto Scaling group's replacement for app-3/);
    expect(text).toContain(fleet.instanceIds[0]);
    expect(platform.calls.every((c) => c.command.startsWith("Describe"))).toBe(true);
    expect(await states(moto.endpoint, fleet.instanceIds)).toEqual(before);
  });

  it("crash, restart, stop: each seen in the instance's state and in the target health", async () => {
    const fleet = await makeFleet(moto.endpoint, "faults", 2);
    const [first, second] = fleet.instanceIds as [string, string];
    const platform = platformFor(fleet, [
      { atMs: 1000, action: "crash", target: "app-1" },
      { atMs: 2000, action: "restart", target: "app-1" },
    ]);
    await platform.up();
    expect([...(await platform.lbStates())]).toEqual([
      ["app-1", { status: "UP", inFlight: 0 }],
      ["app-2", { status: "UP", inFlight: 0 }],
    ]);

    await platform.instanceOp("app-1", "kill");
    expect(await states(moto.endpoint, [first, second])).toEqual({ [first]: "stopped", [second]: "running" });
    const stop = platform.calls.find((c) => c.command === "StopInstances");
    expect(stop?.input).toEqual({ InstanceIds: [first], Force: true });
    await new Promise((r) => setTimeout(r, 1100)); // past the target-health read interval
    expect((await platform.lbStates()).get("app-1")?.status).toBe("DOWN");

    await platform.instanceOp("app-1", "start");
    expect((await states(moto.endpoint, [first]))[first]).toBe("running");
    expect((await platform.lbStates()).get("app-1")?.status).toBe("UP");

    await platform.instanceOp("app-2", "stop");
    expect((await states(moto.endpoint, [second]))[second]).toBe("stopped");
    expect(platform.calls.filter((c) => c.command === "StopInstances").at(-1)?.input).toEqual({
      InstanceIds: [second],
    });
    // down() restores the fleet: the instance the run left stopped runs again.
    await platform.down();
    expect(await states(moto.endpoint, [first, second])).toEqual({ [first]: "running", [second]: "running" });
    expect(platform.calls.every((c) => c.ok)).toBe(true);
  });

  it("a planned stop deregisters the target first; the restart registers it again before waiting for health; down re-registers", async () => {
    const fleet = await makeFleet(moto.endpoint, "drain", 2);
    const [first, second] = fleet.instanceIds as [string, string];
    const platform = platformFor(fleet, [
      { atMs: 1000, action: "stop", target: "app-1" },
      { atMs: 2000, action: "restart", target: "app-1" },
      { atMs: 3000, action: "stop", target: "app-2" },
    ]);
    await platform.up();
    await platform.instanceOp("app-1", "deregister");
    await platform.instanceOp("app-1", "stop");
    const commands = () =>
      platform.calls.map((c) => c.command).filter((c) => c !== "DescribeTargetHealth" && c !== "DescribeInstances");
    expect(commands()).toEqual(["DeregisterTargets", "StopInstances"]);
    expect(platform.calls.find((c) => c.command === "DeregisterTargets")?.input).toMatchObject({
      TargetGroupArn: fleet.targetGroupArn,
      Targets: [{ Id: first }],
    });
    await platform.instanceOp("app-1", "start");
    await platform.instanceOp("app-1", "register"); // already registered by start: no second call
    expect(commands().slice(2)).toEqual(["StartInstances", "RegisterTargets"]);
    expect((await platform.lbStates()).get("app-1")?.status).toBe("UP");
    // Left deregistered (and stopped) at the end: down() starts it and registers it again.
    await platform.instanceOp("app-2", "deregister");
    await platform.down();
    expect(commands().slice(4)).toEqual(["DeregisterTargets", "RegisterTargets"]);
    expect(
      platform.calls.find((c) => c.command === "RegisterTargets" && JSON.stringify(c.input).includes(second)),
    ).toBeDefined();
    expect(platform.calls.every((c) => c.ok)).toBe(true);
  });

  it("crash by reboot (--ec2-crash reboot)", async () => {
    const fleet = await makeFleet(moto.endpoint, "reboot", 2);
    const platform = platformFor(fleet, [{ atMs: 1000, action: "crash", target: "app-2" }], "reboot");
    await platform.up();
    await platform.instanceOp("app-2", "kill");
    expect(platform.calls.find((c) => c.command === "RebootInstances")?.input).toEqual({
      InstanceIds: [fleet.instanceIds[1]],
    });
    expect(platform.calls.some((c) => c.command === "StopInstances")).toBe(false);
    expect((await states(moto.endpoint, fleet.instanceIds))[fleet.instanceIds[1]!]).toBe("running");
  });

  it("terminate: the instance is terminated and its replacement (launched as an Auto Scaling group would) is adopted once healthy", async () => {
    const fleet = await makeFleet(moto.endpoint, "terminate", 2);
    const [first, victim] = fleet.instanceIds as [string, string];
    const platform = platformFor(fleet, [{ atMs: 1000, action: "terminate", target: "app-2" }]);
    await platform.up();
    const { ec2, elb } = clients(moto.endpoint);
    // The Auto Scaling group's part: once the victim is terminated, launch a tagged replacement
    // and register it with the target group.
    const asg = (async () => {
      await pollUntil(async () => (await states(moto.endpoint, [victim]))[victim] === "terminated", {
        timeoutMs: 15_000,
        intervalMs: 100,
        what: "the victim to be terminated",
      });
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: fleet.imageId,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: fleet.subnetId,
          TagSpecifications: [
            {
              ResourceType: "instance",
              Tags: [
                { Key: "fleet", Value: fleet.tag },
                { Key: optInTag.key, Value: optInTag.value },
              ],
            },
          ],
        }),
      );
      const id = out.Instances![0]!.InstanceId!;
      await elb.send(new ElbRegisterTargets({ TargetGroupArn: fleet.targetGroupArn, Targets: [{ Id: id }] }));
      return id;
    })();
    // The fault unit's own steps: kill, wipe (= TerminateInstances), start (= wait for the replacement).
    await platform.instanceOp("app-2", "kill");
    await platform.instanceOp("app-2", "wipe");
    await platform.instanceOp("app-2", "start");
    const replacement = await asg;
    expect((await states(moto.endpoint, [victim]))[victim]).toBe("terminated");
    expect(platform.instances().map((i) => i.id)).toEqual(["app-1", "app-2"]);
    expect(platform.calls.find((c) => c.command === "TerminateInstances")?.input).toEqual({ InstanceIds: [victim] });
    expect((await platform.versions()).fleet).toContain(`app-2 = ${replacement}`);
    expect((await platform.versions()).fleet).toContain(`app-1 = ${first}`);
    expect((await platform.lbStates()).get("app-2")?.status).toBe("UP");
    await platform.down();
    expect(platform.calls.some((c) => c.command === "StartInstances")).toBe(false);
  });

  it("a replacement that never comes is waited for no longer than the plan's bound", async () => {
    const fleet = await makeFleet(moto.endpoint, "noreplace", 2);
    const plan = fleetPlan(moto.endpoint, fleet, []);
    const platform = createPlatform(
      { ...plan, platformOptions: { ...plan.platformOptions, replaceTimeoutMs: 1500 } },
      "/nonexistent",
    ) as Ec2Platform;
    await platform.up();
    await platform.instanceOp("app-1", "wipe");
    const started = Date.now();
    await expect(platform.instanceOp("app-1", "start")).rejects.toThrow(/timed out after 1500 ms .*replacement/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("down restores every instance it can and reports each one it could not", async () => {
    const fleet = await makeFleet(moto.endpoint, "partial-down", 2);
    const [first, second] = fleet.instanceIds as [string, string];
    const platform = platformFor(fleet, [
      { atMs: 1000, action: "crash", target: "app-1" },
      { atMs: 2000, action: "crash", target: "app-2" },
    ]);
    await platform.up();
    await platform.instanceOp("app-1", "kill");
    await platform.instanceOp("app-2", "kill");
    // app-1 may no longer be touched: its start is refused; app-2 must be started all the same.
    await clients(moto.endpoint).ec2.send(new DeleteTagsCommand({ Resources: [first], Tags: [{ Key: optInTag.key }] }));
    const failure = await platform.down().then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/restoring the fleet left 1 instance\(s\) as the run left them/);
    expect(failure).toMatch(/app-1.*\(start\): .*no longer carries/);
    expect(failure).not.toMatch(/app-2/);
    expect(await states(moto.endpoint, [first, second])).toEqual({ [first]: "stopped", [second]: "running" });
  });

  it("refuses at the moment of the call when the opt-in tag was removed after the check", async () => {
    const fleet = await makeFleet(moto.endpoint, "untagged-later", 2);
    const platform = platformFor(fleet, [{ atMs: 1000, action: "crash", target: "app-1" }]);
    await platform.up();
    await clients(moto.endpoint).ec2.send(
      new DeleteTagsCommand({ Resources: [fleet.instanceIds[0]!], Tags: [{ Key: optInTag.key }] }),
    );
    await expect(platform.instanceOp("app-1", "kill")).rejects.toThrow(/no longer carries .*failover-harness=allowed/);
    expect(platform.calls.some((c) => mutating.has(c.command))).toBe(false);
    expect((await states(moto.endpoint, [fleet.instanceIds[0]!]))[fleet.instanceIds[0]!]).toBe("running");
  });
});
