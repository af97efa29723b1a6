import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import { validatePlan } from "../../src/plan/plan.ts";
import { parsePlanFile } from "../../src/plan/plan-file.ts";
import { presetNames, presets } from "../../src/plan/presets.ts";
import { parseThreshold } from "../../src/plan/thresholds.ts";
import { planFromOptions } from "../../src/run/plan-from-options.ts";
import { judgeThresholds } from "../../src/verdict/thresholds.ts";

const now = new Date("2026-11-22T10:00:00Z");

describe("presets", () => {
  it.each(presetNames)("%s gives a valid plan for every fleet size, with in-run times", (preset) => {
    for (let instances = 1; instances <= 10; instances++) {
      const plan = planFromOptions({ strategy: "dynamodb", preset, instances: String(instances), seed: "9", now });
      expect(plan.faultSource).toBe(preset);
      expect(plan.faults.length).toBeGreaterThan(0);
      for (const f of plan.faults) expect(f.atMs).toBeLessThan(plan.load.durationMs);
    }
  });

  it("names the actions of each preset", () => {
    const actions = Object.fromEntries(presetNames.map((p) => [p, presets[p](3, 60_000, 1).map((f) => f.action)]));
    expect(actions).toEqual({
      "single-crash": ["crash", "restart"],
      terminate: ["terminate"],
      "rolling-restart": ["rolling-restart"],
      freeze: ["freeze", "thaw"],
      "store-outage": ["store-down", "store-up"],
      "store-restart": ["store-restart"],
    });
  });

  it("refuses an unknown preset and conflicting fault options", () => {
    expect(() => planFromOptions({ strategy: "sticky", preset: "meteor", now })).toThrow(
      /--preset "meteor": expected one of single-crash, terminate/,
    );
    expect(() => planFromOptions({ strategy: "sticky", preset: "freeze", faults: false, now })).toThrow(InputError);
  });
});

describe("targets", () => {
  const base = planFromOptions({ strategy: "dynamodb", seed: "1", now });

  it.each([
    [{ atMs: 1000, action: "rolling-restart", target: "app-1" }, /expected "fleet"/],
    [{ atMs: 1000, action: "store-down", target: "fleet" }, /expected "store"/],
    [{ atMs: 1000, action: "freeze", target: "store" }, /no such instance: expected one of app-1..app-3/],
    [{ atMs: 1000, action: "crash", target: "" }, /plan\.faults\[0\]\.target/],
  ])("refuses %j", (fault, message) => {
    expect(() => validatePlan({ ...base, faults: [fault] })).toThrow(message);
  });

  it("refuses faults out of time order", () => {
    const faults = [
      { atMs: 9000, action: "crash", target: "app-1" },
      { atMs: 2000, action: "restart", target: "app-1" },
    ];
    expect(() => validatePlan({ ...base, faults })).toThrow(/plan\.faults\[1\]\.atMs: faults run in order/);
  });
});

describe("parsePlanFile", () => {
  it("reads YAML and JSON, durations in any unit", () => {
    expect(parsePlanFile("faults:\n  - {at: 1m, action: crash, target: app-2}\n", "p.yaml")).toEqual([
      { atMs: 60_000, action: "crash", target: "app-2" },
    ]);
    expect(parsePlanFile('{"faults":[{"at":"1500ms","action":"store-down","target":"store"}]}', "p.json")).toEqual([
      { atMs: 1500, action: "store-down", target: "store" },
    ]);
  });

  it.each([
    ["faults: [", /p\.yaml: not valid JSON or YAML/],
    ["{}", /p\.yaml: \.faults: /],
    ["faults: []", /\.faults: .*(at least|>=)/i],
    ["faults:\n  - {at: soon, action: crash, target: app-1}", /\.faults\[0\]\.at: expected a duration.*\(got "soon"\)/],
    ["faults:\n  - {at: 5s, action: crash}", /\.faults\[0\]\.target/],
    ["faults:\n  - {at: 5s, action: crash, target: app-1, colour: red}", /colour/],
  ])("refuses %j naming the entry and field", (text, message) => {
    expect(() => parsePlanFile(text, "p.yaml")).toThrow(InputError);
    expect(() => parsePlanFile(text, "p.yaml")).toThrow(message);
  });
});

describe("thresholds", () => {
  it("parses METRIC OP NUMBER and refuses anything else", () => {
    expect(parseThreshold("latency.during.p95 < 250")).toEqual({
      expr: "latency.during.p95 < 250",
      metric: "latency.during.p95",
      op: "<",
      value: 250,
    });
    expect(() => parseThreshold("sessions.lost")).toThrow(/expected METRIC OP NUMBER/);
    expect(() => parseThreshold("sessions.gone<=0")).toThrow(/unknown metric "sessions.gone"/);
  });

  it("a threshold on a number the run did not produce fails", () => {
    const [t] = judgeThresholds([parseThreshold("detectionMs<5000")], null);
    expect(t).toMatchObject({ actual: null, ok: false });
  });
});
