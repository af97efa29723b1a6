// The fault registry joins each unit with its shape from plan/faults.ts and refuses a mismatch.
import { describe, expect, it } from "vitest";
import { checkRegistry, faultUnit, faultUnits } from "../../src/faults/registry.ts";
import { faultActions } from "../../src/plan/faults.ts";

describe("fault registry", () => {
  it("has exactly one unit per action the plan may name, each with its shape", () => {
    expect(faultUnits.map((u) => u.action)).toEqual(faultActions);
    expect(faultUnit("rolling-restart")).toMatchObject({ targetKind: "fleet", restores: true });
    expect(faultUnit("crash")).toMatchObject({ targetKind: "instance", restores: false });
    expect(() => faultUnit("explode")).toThrow('no fault unit for action "explode"');
  });

  it("refuses a unit without a shape, a missing unit and a unit named twice", () => {
    const units = faultActions.map((action) => ({ action }));
    expect(() => checkRegistry(units)).not.toThrow();
    expect(() => checkRegistry([...units, { action: "explode" }])).toThrow(
      "unit explode has no shape in plan/faults.ts",
    );
    expect(() => checkRegistry(units.slice(1))).toThrow("action crash (plan/faults.ts) has no unit");
    expect(() => checkRegistry([...units, { action: "crash" }])).toThrow("two units for crash");
  });
});
