import { describe, expect, it } from "vitest";
import { latencySettled } from "../../src/run/warm-up.ts";

describe("latencySettled", () => {
  it("waits for the minimum, then for two seconds near the best", () => {
    expect(latencySettled([5, 5, 5, 5], 5)).toBe(false);
    expect(latencySettled([400, 200, 60, 20], 5)).toBe(false);
    expect(latencySettled([400, 200, 60, 20, 18], 5)).toBe(false); // 20 was still 3 times better than 60
    expect(latencySettled([400, 200, 60, 20, 18, 19], 5)).toBe(true);
    expect(latencySettled([379, 298, 258, 224, 174], 5)).toBe(false); // still improving by a fifth a second
    expect(latencySettled([400, 200, 20, 18, 40, 19], 5)).toBe(false); // 40 is over 1.5 times the best
  });
});
