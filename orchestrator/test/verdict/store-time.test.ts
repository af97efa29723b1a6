import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { serverTimingMs } from "../../../scenarios/lib/server-timing.ts";
import { Aggregator } from "../../src/verdict/aggregate.ts";
import { aggregateRecordsFile } from "../../src/verdict/read-records.ts";
import { requestLines } from "../helpers/records-text.ts";

// A real 5 s k6 run of scenarios/login-profile.ts (RATE=5, SESSIONS=4) against a one-file stand-in
// app that kept sessions in memory, waited 30 ms in its "store" for the first 2.5 s and 5 ms after,
// and sent `Server-Timing: store;dur=..., total;dur=...`. Trimmed of k6's http_req_{blocked,...}
// timing lines. The store got fast at 18:36:10.105, between two requests. Recorded by k6 before the
// harness had its own engine; converted once to the records format (each fh_store sample onto its request).
const FIXTURE = fileURLToPath(new URL("../fixtures/records-store.tsv.gz", import.meta.url));
const WITHOUT_STORE = fileURLToPath(new URL("../fixtures/records-small.tsv.gz", import.meta.url));
const FAST_FROM = Date.parse("2026-12-01T18:36:10.105Z");
const DURING_TO = Date.parse("2026-12-01T18:36:11.000Z");

/** The fixture's requests, read independently of the reader and the aggregator. */
const requests = requestLines(FIXTURE);

function exactP50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.5 * sorted.length) - 1]!;
}

describe("store time on a recorded run whose app sent Server-Timing", async () => {
  const result = await aggregateRecordsFile(FIXTURE, { faultStartMs: FAST_FROM, faultEndMs: DURING_TO });
  const answered = requests
    .filter((p) => p.cls === "ok" || p.cls === "lost")
    .map((p) => ({ t: p.t, value: p.ms, storeMs: p.storeMs }));
  const store = answered.filter((p) => p.storeMs !== null).map((p) => ({ t: p.t, value: p.storeMs! }));
  const before = (p: { t: number }) => p.t < FAST_FROM;

  it("has a store time on every answered request", () => {
    expect(store.length).toBe(answered.length);
    expect(result.storeTime?.overall.count).toBe(answered.length);
  });

  it("gives store percentiles per window within 1% of the exact values", () => {
    const st = result.storeTime!;
    const exactBefore = exactP50(store.filter(before).map((p) => p.value));
    const exactAfter = exactP50(store.filter((p) => p.t >= DURING_TO).map((p) => p.value));
    expect(exactBefore).toBeGreaterThan(29);
    expect(exactAfter).toBeLessThan(6);
    expect(Math.abs(st.before.p50! - exactBefore) / exactBefore).toBeLessThan(0.01);
    expect(Math.abs(st.after.p50! - exactAfter) / exactAfter).toBeLessThan(0.01);
    expect(st.before.count + st.during.count + st.after.count).toBe(st.overall.count);
    expect(st.before.count).toBe(store.filter(before).length);
  });

  it("gives the store's share of the answered requests' time: Σ store / Σ latency", () => {
    const sum = (xs: { value: number }[]) => xs.reduce((a, p) => a + p.value, 0);
    const share = sum(store.filter(before)) / sum(answered.filter(before));
    expect(result.storeTime!.before.share).toBeCloseTo(share, 3);
    expect(result.storeTime!.overall.share).toBeCloseTo(sum(store) / sum(answered), 3);
    // 30 ms of store in requests of about 31 ms; 5 ms in about 6 ms.
    expect(result.storeTime!.before.share!).toBeGreaterThan(0.9);
    expect(result.storeTime!.after.share!).toBeLessThan(result.storeTime!.before.share!);
  });

  it("is null for a run whose app sent no Server-Timing", async () => {
    expect((await aggregateRecordsFile(WITHOUT_STORE)).storeTime).toBeNull();
  });
});

describe("Aggregator store time", () => {
  it("leaves a window without store times at count 0 and share null", () => {
    const a = new Aggregator({ faultStartMs: 2000, faultEndMs: 3000 });
    const req = {
      kind: "request",
      endpoint: "profile_get",
      instance: "app-1",
      cls: "ok",
      lockMs: null,
      person: 0,
    } as const;
    a.add({ ...req, t: 1000, ms: 40, storeMs: 30 });
    a.add({ ...req, t: 3500, ms: 10, storeMs: null });
    // A failed request's store time is not an answered request's: left out.
    a.add({ ...req, t: 1000, ms: 40, storeMs: 30, cls: "502" });
    const st = a.result().storeTime!;
    expect(st.before).toMatchObject({ count: 1, share: 0.75 });
    expect(st.during).toEqual({ count: 0, p50: null, p95: null, p99: null, share: null });
    expect(st.after).toMatchObject({ count: 0, share: null });
    expect(st.overall.share).toBe(0.6);
  });
});

describe("serverTimingMs", () => {
  it("reads the duration of the named metric", () => {
    const header = "store;dur=12.3, total;dur=15.1";
    expect(serverTimingMs(header, "store")).toBe(12.3);
    expect(serverTimingMs(header, "total")).toBe(15.1);
    expect(serverTimingMs('total;dur=4, Store ; desc="DynamoDB" ; dur = "2.5"', "store")).toBe(2.5);
  });

  it("is null when the header, the metric or a usable duration is missing", () => {
    expect(serverTimingMs(undefined, "store")).toBeNull();
    expect(serverTimingMs("", "store")).toBeNull();
    expect(serverTimingMs("total;dur=3", "store")).toBeNull();
    expect(serverTimingMs("store", "store")).toBeNull();
    expect(serverTimingMs("store;dur=", "store")).toBeNull();
    expect(serverTimingMs("store;dur=abc", "store")).toBeNull();
    expect(serverTimingMs("store;dur=-1", "store")).toBeNull();
    expect(serverTimingMs("storex;dur=1", "store")).toBeNull();
  });
});
