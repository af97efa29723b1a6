// The engine as a child process against a small HTTP server on loopback: counts, drops, workers, stops (end,
// SIGINT, parent gone), bad configs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LiveCounts, LoadConfig, LoadRecord } from "../api.ts";
import { forEachRecord, type ReadSummary } from "../records.ts";
import { iterationCount } from "../schedule.ts";
import { type FakeApp, startFakeApp } from "./fixtures/fake-app.ts";
import { killEngines, spawnEngine } from "./helpers/spawn-engine.ts";

let dir: string;
let app: FakeApp;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fh-engine-"));
  app = await startFakeApp();
});
afterEach(() => killEngines());
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function config(change: Partial<LoadConfig> = {}): LoadConfig {
  n++;
  return {
    scenario: "login-profile",
    baseUrl: app.url,
    rate: 100,
    sessions: 20,
    durationMs: 2000,
    requestTimeoutMs: 2000,
    runId: `it${n}`,
    workers: 1,
    recordsFile: join(dir, `records-${n}.tsv.gz`),
    ...change,
  };
}

async function read(path: string): Promise<{ records: LoadRecord[]; summary: ReadSummary }> {
  const records: LoadRecord[] = [];
  const summary = await forEachRecord(path, (r) => records.push(r));
  return { records, summary };
}

function kinds(records: LoadRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.kind] = (out[r.kind] ?? 0) + 1;
  return out;
}

describe("load engine process", () => {
  it("runs rate × duration arrivals, records each, reports done and exits 0", async () => {
    const c = config();
    const engine = spawnEngine(c);
    const { code } = await engine.exited;
    expect(code, engine.stderr()).toBe(0);
    const done = engine.messages.find((m) => m.type === "done") as LiveCounts & { type: "done" };
    const { records, summary } = await read(c.recordsFile);
    const k = kinds(records);
    console.log("counts", JSON.stringify(done), "records", JSON.stringify(k));
    expect(summary.truncated).toBe(false);
    expect(done.iterations + done.dropped).toBe(iterationCount(c.rate, c.durationMs));
    expect(k.iteration).toBe(done.iterations);
    expect(k.dropped ?? 0).toBe(done.dropped);
    expect(k.request).toBe(done.requests);
    expect(done.failed).toBe(0);
    expect(done.iterations).toBeGreaterThan(150);
    // Every person logged in once and kept its session.
    expect(k["session-started"]).toBe(c.sessions);
    expect(engine.messages[0]).toMatchObject({ type: "started" });
    expect(engine.messages.filter((m) => m.type === "second").length).toBeGreaterThanOrEqual(1);
    // Iterations are recorded with their scheduled time on the grid t0 + i / rate.
    const t0 = summary.header.t0;
    for (const r of records) {
      if (r.kind === "iteration") {
        const i = ((r.scheduled - t0) * c.rate) / 1000;
        expect(Math.abs(i - Math.round(i))).toBeLessThan(1e-3);
        expect(r.started).toBeGreaterThanOrEqual(r.scheduled - 1e-3);
      }
    }
  });

  it("drops arrivals when every person is busy with a slow server", async () => {
    const slow = await startFakeApp({ delayMs: 200 });
    try {
      const c = config({ baseUrl: slow.url, sessions: 2, rate: 20, durationMs: 1500 });
      const engine = spawnEngine(c);
      expect((await engine.exited).code, engine.stderr()).toBe(0);
      const done = engine.messages.find((m) => m.type === "done") as LiveCounts;
      const { records } = await read(c.recordsFile);
      console.log("slow server counts", JSON.stringify(done));
      expect(done.iterations + done.dropped).toBe(30);
      // An iteration takes at least 3 × 200 ms (login, read, write) then 2 × 200 ms: 2 people cannot start 20/s.
      expect(done.dropped).toBeGreaterThanOrEqual(20);
      expect(kinds(records).dropped).toBe(done.dropped);
    } finally {
      await slow.close();
    }
  });

  it("with 2 worker threads writes one records file covering both shares", async () => {
    const c = config({ workers: 2, sessions: 10, rate: 50 });
    const engine = spawnEngine(c);
    expect((await engine.exited).code, engine.stderr()).toBe(0);
    const done = engine.messages.find((m) => m.type === "done") as LiveCounts;
    const { records, summary } = await read(c.recordsFile);
    expect(summary.truncated).toBe(false);
    expect(done.iterations + done.dropped).toBe(100);
    expect(kinds(records).iteration).toBe(done.iterations);
    const people = new Set(records.flatMap((r) => (r.kind === "iteration" ? [r.person] : [])));
    expect(Math.min(...people)).toBe(0);
    expect(Math.max(...people)).toBe(9);
  });

  it("stops cleanly on SIGINT: records closed, done sent, exit 0, far fewer arrivals than scheduled", async () => {
    const c = config({ durationMs: 60_000 });
    const engine = spawnEngine(c);
    await engine.next("started");
    await engine.next("second");
    engine.child.kill("SIGINT");
    const { code } = await engine.exited;
    expect(code, engine.stderr()).toBe(0);
    expect(engine.stderr()).toMatch(/SIGINT: stopping/);
    const done = engine.messages.find((m) => m.type === "done") as LiveCounts;
    expect(done).toBeDefined();
    const { records, summary } = await read(c.recordsFile);
    expect(summary.truncated).toBe(false);
    expect(kinds(records).iteration).toBe(done.iterations);
    expect(done.iterations).toBeLessThan(iterationCount(c.rate, c.durationMs) / 4);
  });

  it("stops when its parent goes away (the IPC channel closes)", async () => {
    const c = config({ durationMs: 60_000 });
    const engine = spawnEngine(c);
    await engine.next("second");
    engine.child.disconnect();
    const { code } = await engine.exited;
    expect(code, engine.stderr()).toBe(0);
    expect(engine.stderr()).toMatch(/parent gone: stopping/);
    const { summary } = await read(c.recordsFile);
    expect(summary.truncated).toBe(false);
  });

  it("takes set-rate and stop from its parent, and logs everyone out at the end when asked", async () => {
    const c = config({ durationMs: 60_000, rate: 20, logoutAtEnd: true });
    const before = app.sessions();
    const engine = spawnEngine(c);
    await engine.next("second");
    engine.send({ type: "set-rate", rate: 200 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    engine.send({ type: "stop" });
    expect((await engine.exited).code, engine.stderr()).toBe(0);
    const seconds = engine.messages.filter((m) => m.type === "second") as Array<{
      iterations: number;
      dropped: number;
    }>;
    const last = seconds.at(-1);
    console.log("seconds", JSON.stringify(seconds));
    expect((last?.iterations ?? 0) + (last?.dropped ?? 0)).toBeGreaterThan(100);
    expect(app.sessions()).toBe(before);
  });

  it("a scenario that throws counts a failed request of class other per iteration and goes on", async () => {
    const c = config({ scenario: join(import.meta.dirname, "fixtures", "throwing-scenario.ts"), durationMs: 1000 });
    const engine = spawnEngine(c);
    expect((await engine.exited).code, engine.stderr()).toBe(0);
    const done = engine.messages.find((m) => m.type === "done") as LiveCounts;
    const { records } = await read(c.recordsFile);
    const failed = records.filter((r) => r.kind === "request" && r.endpoint === "iteration" && r.cls === "other");
    expect(failed.length).toBe(done.iterations);
    expect(done.failed).toBe(done.iterations);
    expect(engine.stderr().match(/the iteration threw/g)?.length).toBe(20);
  });

  it.each([
    [{ sessions: 0 }, /bad config: sessions: 0: expected a whole number/],
    [{ rate: -1 }, /bad config: rate: -1: expected/],
    [{ baseUrl: "http://192.168.1.1:80" }, /bad config: baseUrl: .*loopback/],
    [
      { scenario: "no-such" },
      /bad config: scenario: "no-such": no such scenario; expected one of concurrent-tabs, login-profile/,
    ],
    [{ scenario: "load/test/fixtures/not-a-scenario.ts" }, /not a valid scenario definition: .*iteration/],
    [{ recordsFile: "/nonexistent-folder/r.gz" }, /bad config: recordsFile: .*existing, writable folder/],
  ])("a bad config %j exits 2 before any request", async (change, message) => {
    const answered = app.requests();
    const engine = spawnEngine(config(change));
    const { code } = await engine.exited;
    expect(code).toBe(2);
    expect(engine.stderr()).toMatch(message);
    expect(engine.messages).toEqual([]);
    expect(app.requests()).toBe(answered);
  });
});
