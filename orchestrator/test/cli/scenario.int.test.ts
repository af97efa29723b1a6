// End to end with the real load engine, HAProxy and dynalite: each strategy for about 20 s (Ctrl-C: interrupt.int.test.ts).
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alive, failuresOutsideKills, killCliChildren, missingTools, readRecord, runCli } from "../helpers/run-cli.ts";

const missing = missingTools();
if (missing.length)
  console.warn(`SKIPPED scenario integration tests: missing ${missing.join(", ")}; run npm run setup`);

const outRoot = mkdtempSync(join(tmpdir(), "fh-scenario-"));
afterAll(killCliChildren);

const scenario = (args: string[], onLine?: Parameters<typeof runCli>[2]) => runCli("scenario", args, onLine);

const short = ["--duration", "20s", "--seed", "3"];

describe.skipIf(missing.length > 0)("npm run scenario (local platform, the real load engine + HAProxy)", () => {
  it("dynamodb: no session lost; failed requests no more than those in flight on the victim", async () => {
    const out = join(outRoot, "dynamodb");
    const { code, output } = await scenario(["--strategy", "dynamodb", ...short, "--out", out]);
    expect(code, output).toBe(0);
    const record = readRecord(out);
    expect(record.status).toBe("completed");
    const r = record.results!;
    expect(r.sessions.started).toBeGreaterThanOrEqual(50);
    expect(r.sessions.lost).toBe(0);
    expect(r.sessions.lostExpected).toBe(0);
    expect(r.requests.inFlightAtFault).not.toBeNull();
    // Every failure was a request in flight while the victim died (the engine's records, not HAProxy's counters).
    expect(await failuresOutsideKills(out, record)).toEqual([]);
    expect(r.requests.total).toBeGreaterThan(1500);
    expect(r.detectionMs).toBeGreaterThan(0);
    expect(record.events.some((e) => e.type === "lb-state" && e.state === "DOWN")).toBe(true);
    expect(record.processes.filter((p) => alive(p.pid))).toEqual([]);
  });

  it("sticky: loses exactly the sessions the audit found live on the crashed instance", async () => {
    const out = join(outRoot, "sticky");
    const { code, output } = await scenario(["--strategy", "sticky", ...short, "--out", out]);
    expect(code, output).toBe(0);
    const r = readRecord(out).results!;
    expect(r.sessions.lost).toBeGreaterThan(0);
    expect(r.sessions.lost).toBe(r.sessions.lostExpected);
    const victim = readRecord(out).plan.faults[0]!.target;
    expect(r.sessions.lostByHome).toEqual({ [victim]: r.sessions.lost });
  });

  it("local: loses sessions even without faults", async () => {
    const out = join(outRoot, "local");
    const { code, output } = await scenario(["--strategy", "local", "--no-faults", "--duration", "10s", "--out", out]);
    expect(code, output).toBe(0);
    const record = readRecord(out);
    expect(record.plan.faults).toEqual([]);
    expect(record.results!.sessions.lost).toBeGreaterThan(record.results!.sessions.started / 2);
  });

  it("bad input: exits 2 naming the option and value, and starts nothing", async () => {
    const out = join(outRoot, "bad");
    const { code, output } = await scenario(["--strategy", "sticky", "--rate", "fast", "--out", out]);
    expect(code).toBe(2);
    expect(output).toMatch(/--rate "fast": expected a whole number/);
    expect(existsSync(out)).toBe(false);
  });
});
