// Truth check: the engine's latencies against HAProxy's own per-request timer (%Ta) for the same requests, through
// real HAProxy in front of an app whose answers take 5 to 35 ms. Fails when the medians differ by more than the
// larger of 1 ms and 20 %.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { haproxyPath } from "../../tools/tool-paths.mjs";
import type { LoadConfig } from "../api.ts";
import { forEachRecord } from "../records.ts";
import { quantile } from "../seconds.ts";
import { type FakeApp, startFakeApp } from "./fixtures/fake-app.ts";
import { type LoggedHaproxy, startLoggedHaproxy } from "./helpers/haproxy-logged.ts";
import { killEngines, spawnEngine } from "./helpers/spawn-engine.ts";

const haproxyMissing =
  spawnSync(haproxyPath(), ["-v"]).status === 0 ? null : `${haproxyPath()} not found (npm run setup)`;
if (haproxyMissing) console.log(`skipping the HAProxy timer check: ${haproxyMissing}`);

let dir: string;
let app: FakeApp;
let lb: LoggedHaproxy;
beforeAll(async () => {
  if (haproxyMissing) return;
  dir = mkdtempSync(join(tmpdir(), "fh-timers-"));
  // 5..35 ms, spread evenly and deterministically: a median well above HAProxy's 1 ms resolution.
  app = await startFakeApp({ delayMs: (n) => 5 + ((n * 7919) % 31) });
  lb = await startLoggedHaproxy(Number(new URL(app.url).port), dir);
});
afterEach(() => killEngines());
afterAll(async () => {
  await lb?.stop();
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function median(values: number[]): number {
  return quantile(Float64Array.from(values).sort() as unknown as number[], 0.5) as number;
}

describe.skipIf(haproxyMissing !== null)("engine latency against HAProxy's %Ta", () => {
  it("the medians agree within max(1 ms, 20 %)", async () => {
    const logged = lb.ta.length;
    const config: LoadConfig = {
      scenario: "login-profile",
      baseUrl: lb.url,
      rate: 50,
      sessions: 20,
      durationMs: 4000,
      requestTimeoutMs: 5000,
      runId: "timers",
      workers: 1,
      recordsFile: join(dir, "records.tsv.gz"),
    };
    const engine = spawnEngine(config);
    expect((await engine.exited).code, engine.stderr()).toBe(0);
    const engineMs: number[] = [];
    await forEachRecord(config.recordsFile, (r) => {
      if (r.kind === "request" && r.cls === "ok") engineMs.push(r.ms);
    });
    // HAProxy logs each request when its answer is sent: wait until it has logged them all.
    for (let i = 0; i < 50 && lb.ta.length - logged < engineMs.length; i++)
      await new Promise((r) => setTimeout(r, 100));
    const haproxyMs = lb.ta.slice(logged);
    const engineMedian = median(engineMs);
    const haproxyMedian = median(haproxyMs);
    const allowed = Math.max(1, 0.2 * haproxyMedian);
    console.log(
      `requests: engine ${engineMs.length}, HAProxy ${haproxyMs.length}; median engine ${engineMedian.toFixed(2)} ms, ` +
        `HAProxy %Ta ${haproxyMedian} ms; difference ${(engineMedian - haproxyMedian).toFixed(2)} ms (allowed ${allowed.toFixed(2)})`,
    );
    expect(engineMs.length).toBeGreaterThan(300);
    expect(haproxyMs.length).toBe(engineMs.length);
    expect(Math.abs(engineMedian - haproxyMedian)).toBeLessThanOrEqual(allowed);
  });
});
