import { describe, expect, it } from "vitest";
import { scenarioNames as engineScenarioNames } from "../../../load/scenario.ts";
import { InputError } from "../../src/errors.ts";
import { parseDuration } from "../../src/plan/duration.ts";
import { checkPlanLoad } from "../../src/plan/load-config.ts";
import { defaultFaults, scenarioNames, validatePlan } from "../../src/plan/plan.ts";
import { planFromOptions } from "../../src/run/plan-from-options.ts";

describe("parseDuration", () => {
  it.each([
    ["60s", 60_000],
    ["1500ms", 1500],
    ["2m", 120_000],
    ["1m30s", 90_000],
    ["20", 20_000],
    ["1.5s", 1500],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "abc", "10x", "-5s", "5s junk"])("rejects %j", (text) => expect(parseDuration(text)).toBeNull());
});

describe("planFromOptions", () => {
  const now = new Date("2026-11-22T10:00:00Z");

  it("fills defaults and the default fault plan from the seed", () => {
    const plan = planFromOptions({ strategy: "sticky", seed: "42", now });
    expect(plan).toMatchObject({
      runId: "20261122-100000-sticky-42",
      outDir: "reports/out/20261122-100000-sticky-42",
      platform: "local",
      strategy: "sticky",
      instances: 3,
      health: "fast",
      seed: 42,
      load: { durationMs: 60_000, rate: 50, sessions: 50 },
    });
    expect(plan.faults).toEqual(defaultFaults(3, 60_000, 42));
    expect(plan.faults.map((f) => [f.action, f.atMs])).toEqual([
      ["crash", 20_000],
      ["restart", 40_000],
    ]);
  });

  it("chooses the victim from the seed, the same every time", () => {
    const victims = new Set(Array.from({ length: 30 }, (_, seed) => defaultFaults(3, 60_000, seed)[0]?.target));
    expect([...victims].sort()).toEqual(["app-1", "app-2", "app-3"]);
    expect(defaultFaults(3, 60_000, 7)).toEqual(defaultFaults(3, 60_000, 7));
  });

  it("--no-faults gives an empty fault plan", () => {
    expect(planFromOptions({ strategy: "local", faults: false, now }).faults).toEqual([]);
  });

  it.each([
    [{}, /--strategy is required/],
    [
      { strategy: "memcached" },
      /--strategy "memcached": expected one of local, sticky, dynamodb, dynamodb-locking, redis/,
    ],
    [{ strategy: "redis", storePersistence: "rdb" }, /--store-persistence "rdb": expected one of none, aof-everysec/],
    [{ strategy: "sticky", instances: "0" }, /--instances "0": expected a whole number from 1 to 10/],
    [{ strategy: "sticky", instances: "two" }, /--instances "two"/],
    [{ strategy: "sticky", duration: "forever" }, /--duration "forever": expected a duration/],
    [{ strategy: "sticky", duration: "2h" }, /--duration "2h".*from 5s to 1800s/],
    [{ strategy: "sticky", rate: "1e9" }, /--rate "1e9"/],
    [
      { strategy: "sticky", health: "slow" },
      /--health "slow": expected one of fast, haproxy-default, aws-alb, aws-elb/,
    ],
    [{ strategy: "sticky", runId: "../x" }, /--run-id "..\/x"/],
    [{ strategy: "sticky", sessions: "0" }, /--sessions "0": expected a whole number from 1 to 5000/],
    [
      { strategy: "sticky", scenario: "checkout" },
      /--scenario "checkout": expected one of login-profile, concurrent-tabs/,
    ],
    [{ strategy: "sticky", loadWorkers: "0" }, /--load-workers "0": expected a whole number from 1 to 64/],
    [{ strategy: "sticky", sessions: "2", loadWorkers: "3" }, /--load-workers 3: expected at most --sessions \(2\)/],
  ])("rejects %j naming the option and value", (options, message) => {
    expect(() => planFromOptions({ ...options, now })).toThrow(InputError);
    expect(() => planFromOptions({ ...options, now })).toThrow(message);
  });
});

describe("validatePlan", () => {
  const good = planFromOptions({ strategy: "dynamodb", seed: "1", now: new Date(0) });

  it("accepts a resolved plan unchanged", () => {
    expect(validatePlan(structuredClone(good))).toEqual(good);
  });

  it("names the fault entry and field of a target outside the fleet", () => {
    const bad = { ...good, faults: [{ atMs: 1000, action: "crash", target: "app-9" }] };
    expect(() => validatePlan(bad)).toThrow(/plan\.faults\[0\]\.target: no such instance.*\(got "app-9"\)/);
  });

  it("refuses a fault after the load has ended", () => {
    const bad = { ...good, faults: [{ atMs: 90_000, action: "crash", target: "app-1" }] };
    expect(() => validatePlan(bad)).toThrow(/plan\.faults\[0\]\.atMs: must fall inside the load run.*\(got 90000\)/);
  });

  it("refuses an unknown action, naming the entry", () => {
    const bad = { ...good, faults: [{ atMs: 1000, action: "explode", target: "app-1" }] };
    expect(() => validatePlan(bad)).toThrow(/plan\.faults\[0\]\.action: .*\(got "explode"\)/);
  });

  it("refuses unknown fields", () => {
    expect(() => validatePlan({ ...good, colour: "red" })).toThrow(/colour/);
  });

  it("puts the load engine's workers in the plan (default 1) and has the engine check the load too", () => {
    expect(good.load).toMatchObject({ enabled: true, workers: 1, scenario: "scenarios/login-profile.ts" });
    expect(planFromOptions({ strategy: "sticky", loadWorkers: "2", now: new Date(0) }).load.workers).toBe(2);
    // The engine's own check of the plan's load, in its words (the plan's limits are narrower: a backstop).
    expect(() => checkPlanLoad({ runId: "r", load: { ...good.load, rate: 0 } })).toThrow(
      /the load engine refuses this load:\nrate: 0: expected iterations per second/,
    );
    expect(() => checkPlanLoad(good)).not.toThrow();
  });

  it("offers the scenarios the engine finds in scenarios/", () => {
    expect([...scenarioNames].sort()).toEqual(engineScenarioNames().sort());
  });
});
