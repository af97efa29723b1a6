// The ec2 platform's pure rules, without moto: flags to the plan section, fleet order, the opt-in
// guard over a plan's steps, and target health as UP/DOWN.
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.ts";
import { type Fault, validatePlan } from "../../../src/plan/plan.ts";
import { ec2SectionFromOptions, parseEc2Filters } from "../../../src/platforms/ec2/ec2-plan.ts";
import type { Ec2Platform } from "../../../src/platforms/ec2/ec2-platform.ts";
import {
  fleetFromReservations,
  guardProblems,
  lbStatesFromTargetHealth,
  lbStatusOf,
  plannedSteps,
  targetGroupSettings,
  unsupportedProblems,
} from "../../../src/platforms/ec2/fleet.ts";
import { createPlatform } from "../../../src/platforms/index.ts";
import { planFromOptions } from "../../../src/run/plan-from-options.ts";

const arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/fleet/0123456789abcdef";
const flags = { region: "eu-west-1", filters: ["tag:app=shop"], targetGroupArn: arn };
/** The same, as the command line gives them. */
const cliFlags = { region: "eu-west-1", "ec2-filter": ["tag:app=shop"], "target-group-arn": arn };

const instance = (id: string, state: string, optIn: boolean, name?: string) => ({
  InstanceId: id,
  State: { Name: state as "running" },
  Tags: [
    ...(optIn ? [{ Key: "failover-harness", Value: "allowed" }] : []),
    ...(name ? [{ Key: "Name", Value: name }] : []),
  ],
});

function plan(instances: number, faults: Fault[]) {
  const base = planFromOptions(
    { strategy: "dynamodb", platform: "ec2", instances: String(instances), seed: "1", faults: false },
    cliFlags,
  );
  return validatePlan({ ...base, faults });
}

describe("the plan's ec2 section", () => {
  it("comes from the flags, with defaults, and is copied into the plan", () => {
    const p = planFromOptions(
      { strategy: "dynamodb", platform: "ec2" },
      { ...cliFlags, "lb-url": "http://alb.example" },
    );
    expect(p.platformOptions).toEqual({
      region: "eu-west-1",
      filters: [{ name: "tag:app", values: ["shop"] }],
      targetGroupArn: arn,
      lbUrl: "http://alb.example",
      crashMode: "stop",
      waitTimeoutMs: 600_000,
      replaceTimeoutMs: 900_000,
      pollIntervalMs: 5000,
    });
  });

  it("merges repeated filter names (either value) and keeps '=' inside values", () => {
    expect(parseEc2Filters(["tag:env=prod", "tag:env=staging", "tag:aws:cloudformation:stack-name=a=b"])).toEqual([
      { name: "tag:env", values: ["prod", "staging"] },
      { name: "tag:aws:cloudformation:stack-name", values: ["a=b"] },
    ]);
    expect(() => parseEc2Filters(["tag:env"])).toThrow(/--ec2-filter "tag:env": expected NAME=VALUE/);
  });

  it.each([
    [{ ...flags, filters: [] }, /--ec2-filter is required/],
    [{ ...flags, targetGroupArn: undefined }, /--target-group-arn is required/],
    [{ ...flags, crashMode: "hibernate" }, /--ec2-crash "hibernate": expected one of stop, reboot/],
  ])("refuses missing or bad flags (%#)", (options, message) => {
    expect(() => ec2SectionFromOptions(options, {})).toThrow(message);
  });

  it("takes the region from AWS_REGION, and requires one", () => {
    const { region: _, ...rest } = flags;
    expect(ec2SectionFromOptions(rest, { AWS_REGION: "us-west-2" }).region).toBe("us-west-2");
    expect(() => ec2SectionFromOptions(rest, {})).toThrow(/--region is required/);
  });

  it("refuses ec2 flags on another platform", () => {
    expect(() => planFromOptions({ strategy: "dynamodb" }, { "ec2-filter": ["tag:a=b"] })).toThrow(
      /--ec2-filter: only for --platform ec2/,
    );
    expect(planFromOptions({ strategy: "dynamodb" }, { "ec2-filter": [] }).platformOptions).toBeUndefined();
  });

  it("refuses URLs that carry credentials (they would land in run.json)", () => {
    expect(() =>
      planFromOptions(
        { strategy: "dynamodb", platform: "ec2" },
        { ...cliFlags, "aws-endpoint": "http://key:secret@host" },
      ),
    ).toThrow(InputError);
    // Checked by the platform's schema at the edge, naming the field.
    expect(() =>
      planFromOptions({ strategy: "dynamodb", platform: "ec2" }, { ...cliFlags, "lb-url": "http://key:secret@alb" }),
    ).toThrow(/plan\.platformOptions\.lbUrl: must not carry credentials/);
  });
});

describe("the fleet", () => {
  it("is the live instances sorted by id as app-1..app-N; terminated ones are gone", () => {
    const fleet = fleetFromReservations([
      { Instances: [instance("i-0c", "running", true), instance("i-0a", "stopped", false, "web")] },
      { Instances: [instance("i-0b", "terminated", true), instance("i-0d", "pending", true)] },
    ]);
    expect(fleet).toEqual([
      { slot: "app-1", instanceId: "i-0a", name: "web", state: "stopped", optedIn: false },
      { slot: "app-2", instanceId: "i-0c", state: "running", optedIn: true },
      { slot: "app-3", instanceId: "i-0d", state: "pending", optedIn: true },
    ]);
  });
});

describe("the opt-in guard", () => {
  const fleet = fleetFromReservations([
    {
      Instances: [
        instance("i-1", "running", true),
        instance("i-2", "running", false, "db"),
        instance("i-3", "running", true),
      ],
    },
  ]);

  it("passes a plan that touches only opted-in instances", async () => {
    const p = plan(3, [
      { atMs: 1000, action: "terminate", target: "app-3" },
      { atMs: 2000, action: "crash", target: "app-1" },
    ]);
    expect(guardProblems(p, await plannedSteps(p), fleet)).toEqual([]);
  });

  it("names the instance a fault would touch without the opt-in tag", async () => {
    const p = plan(3, [{ atMs: 1000, action: "stop", target: "app-2" }]);
    expect(guardProblems(p, await plannedSteps(p), fleet)).toEqual([
      "plan.faults[0] stop app-2: refusing to touch app-2 = i-2 (db): it does not carry the opt-in tag failover-harness=allowed",
    ]);
  });

  it("follows a fleet-wide action into every instance it touches", async () => {
    const p = plan(3, [{ atMs: 1000, action: "rolling-restart", target: "fleet" }]);
    const problems = guardProblems(p, await plannedSteps(p), fleet);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("rolling-restart fleet: refusing to touch app-2 = i-2 (db)");
  });

  it("wants the plan's size to be the fleet's", async () => {
    const p = plan(2, []);
    expect(guardProblems(p, [], fleet)).toEqual([
      "the filters match 3 instances (app-1 = i-1, app-2 = i-2 (db) [not opted in], app-3 = i-3) but the plan has 2: pass --instances 3",
    ]);
    expect(guardProblems(p, [], [])).toEqual(["no live instance matches the filters"]);
  });

  it("refuses what EC2 cannot do, before looking at any fleet", async () => {
    const p = plan(3, [
      { atMs: 1000, action: "freeze", target: "app-1" },
      { atMs: 2000, action: "thaw", target: "app-1" },
      { atMs: 3000, action: "store-down", target: "store" },
    ]);
    const platform = createPlatform(p, "/nonexistent") as Ec2Platform;
    const problems = unsupportedProblems(p, await plannedSteps(p), (op) => platform.unsupportedReason(op));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^plan.faults\[0\] freeze app-1: not supported on ec2/);
    expect(problems[2]).toMatch(/store-down store: not supported on ec2: the harness has no control over the DynamoDB/);
  });
});

describe("target health", () => {
  it.each([
    ["healthy", "UP"],
    ["initial", "DOWN"],
    ["unhealthy", "DOWN"],
    ["unhealthy.draining", "DOWN"],
    ["draining", "DOWN"],
    ["unused", "DOWN"],
    ["unavailable", "UNKNOWN"],
    [undefined, "UNKNOWN"],
  ])("%s reads as %s", (state, status) => expect(lbStatusOf(state)).toBe(status));

  it("maps each slot by its instance; an unregistered instance is DOWN", () => {
    const fleet = fleetFromReservations([
      { Instances: [instance("i-1", "running", true), instance("i-2", "running", true)] },
    ]);
    const states = lbStatesFromTargetHealth(fleet, [
      { Target: { Id: "i-1" }, TargetHealth: { State: "healthy" } },
      { Target: { Id: "i-9" }, TargetHealth: { State: "healthy" } },
    ]);
    expect([...states]).toEqual([
      ["app-1", { status: "UP", inFlight: 0 }],
      ["app-2", { status: "DOWN", inFlight: 0 }],
    ]);
  });
});

describe("the target group's settings (what the real balancer does)", () => {
  it("reads the health check, the deregistration delay and the ALB's duration cookie", () => {
    const group = {
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 2,
    };
    const attributes = [
      { Key: "deregistration_delay.timeout_seconds", Value: "45" },
      { Key: "stickiness.enabled", Value: "true" },
      { Key: "stickiness.type", Value: "lb_cookie" },
      { Key: "stickiness.lb_cookie.duration_seconds", Value: "3600" },
    ];
    expect(targetGroupSettings(arn, group, attributes)).toEqual({
      source: `target group ${arn}`,
      intervalMs: 10_000,
      timeoutMs: 4000,
      fall: 2,
      rise: 3,
      drainTimeoutMs: 45_000,
      stickyCookie: { name: "AWSALB", maxAgeS: 3600 },
    });
  });

  it("takes AWS's defaults for what is missing; stickiness off is no cookie", () => {
    expect(targetGroupSettings(arn, {}, [{ Key: "stickiness.enabled", Value: "false" }])).toMatchObject({
      intervalMs: 30_000,
      timeoutMs: 5000,
      fall: 2,
      rise: 5,
      drainTimeoutMs: 300_000,
      stickyCookie: null,
    });
  });
});
