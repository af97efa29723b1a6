import { describe, expect, it } from "vitest";
import { Histogram } from "../../src/verdict/histogram.ts";

/** Exact nearest-rank quantile of sorted data: the value of rank ceil(q·n). */
function exactQuantile(sorted: number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/** A deterministic pseudo-random generator (mulberry32), so the data is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const QUANTILES = [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999];

describe("Histogram", () => {
  it("estimates quantiles of a long-tailed latency distribution within 1% relative error", () => {
    const next = random(42);
    const values: number[] = [];
    const h = new Histogram();
    for (let i = 0; i < 50_000; i++) {
      // log-normal around 5 ms with a tail to seconds
      const u1 = next() || 1e-9;
      const u2 = next();
      const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      const v = Math.exp(Math.log(5) + 1.2 * normal);
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    expect(h.count).toBe(50_000);
    for (const q of QUANTILES) {
      const exact = exactQuantile(values, q);
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
    expect(h.min).toBe(values[0]);
    expect(h.max).toBe(values[values.length - 1]);
  });

  it("is exact at the ends and clamps estimates to the recorded min and max", () => {
    const h = new Histogram();
    h.record(7);
    expect(h.quantile(0.5)).toBe(7);
    expect(h.quantile(0.99)).toBe(7);
    h.record(3);
    expect(h.quantile(0)).toBe(3);
    expect(h.quantile(1)).toBe(7);
  });

  it("merging equals recording everything in one histogram", () => {
    const next = random(7);
    const all = new Histogram();
    const parts = [new Histogram(), new Histogram(), new Histogram()];
    for (let i = 0; i < 9_000; i++) {
      const v = next() * 2_000;
      all.record(v);
      parts[i % 3]!.record(v);
    }
    const merged = new Histogram();
    for (const part of parts) merged.merge(part);
    expect(merged.count).toBe(all.count);
    for (const q of QUANTILES) expect(merged.quantile(q)).toBe(all.quantile(q));
    expect(merged.toJSON()).toEqual(all.toJSON());
  });

  it("handles zero, sub-resolution, huge and invalid values", () => {
    const h = new Histogram();
    h.record(0);
    h.record(0.001);
    h.record(10 * 60_000 * 3);
    h.record(Number.NaN);
    h.record(Number.POSITIVE_INFINITY);
    expect(h.count).toBe(3);
    expect(h.quantile(0.5)).toBeLessThanOrEqual(0.01);
    expect(h.quantile(1)).toBe(1_800_000);
  });

  it("is empty-safe", () => {
    const h = new Histogram();
    expect(h.count).toBe(0);
    expect(h.quantile(0.5)).toBeNaN();
    expect(Histogram.fromJSON(h.toJSON()).count).toBe(0);
  });

  it("round-trips through a compact JSON form", () => {
    const h = new Histogram();
    for (let v = 1; v <= 1_000; v++) h.record(v);
    const json = h.toJSON();
    expect(JSON.stringify(json).length).toBeLessThan(6_000);
    const back = Histogram.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(back.count).toBe(1_000);
    expect(back.mean).toBeCloseTo(500.5, 6);
    for (const q of QUANTILES) expect(back.quantile(q)).toBe(h.quantile(q));
    expect(() => Histogram.fromJSON({ ...json, count: 1 })).toThrow(/count/);
  });
});
