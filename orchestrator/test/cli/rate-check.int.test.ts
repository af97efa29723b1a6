// `npm run chaos`'s rate check end to end on the local platform (the real load engine, HAProxy): each strategy's
// fleet is brought up, warmed at the rate and measured before the runs, and the outcome printed and kept.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killCliChildren, missingTools, readRecord, runCli } from "../helpers/run-cli.ts";

const missing = missingTools();
if (missing.length)
  console.warn(`SKIPPED rate check integration test: missing ${missing.join(", ")}; run npm run setup`);

const outRoot = mkdtempSync(join(tmpdir(), "fh-rate-check-"));
afterAll(killCliChildren);

describe.skipIf(missing.length > 0)("chaos rate check (local platform)", () => {
  it("checks that sticky carries a light rate, says so, keeps it, and runs at it", async () => {
    const out = join(outRoot, "check");
    const { code, output } = await runCli("chaos", [
      "--strategies",
      "sticky",
      "--rate",
      "10",
      "--sessions",
      "10",
      "--no-faults",
      "--duration",
      "5s",
      "--out",
      out,
    ]);
    expect(code, output).toBe(0);
    expect(output).toMatch(
      /\[rate\] sticky at 10 iterations\/s: carried \(machine CPU [\d.]+% \(the load engine [\d.]+% of a core, [\d.]+ ms per iteration\)/,
    );
    expect(output).toMatch(/\[chaos\] rate: 10 iterations\/s, carried by every strategy on this machine/);
    expect(output).toMatch(/\[chaos\] every run trustworthy at 10 iterations\/s: the comparison holds/);
    const check = JSON.parse(readFileSync(join(out, "rate-check", "rate-check.json"), "utf8"));
    expect(check).toMatchObject({ mode: "check", asked: 10, chosen: 10 });
    expect(check.strategies[0].verdicts[0]).toMatchObject({ rate: 10, carried: true, dropped: 0, failed: 0 });
    // The check's fleet was torn down, and the run itself used the checked rate.
    const record = readRecord(join(out, "sticky"));
    expect(record.plan.load.rate).toBe(10);
    const warmUp = record.events.find((e) => e.type === "warm-up");
    expect(warmUp && "detail" in warmUp ? warmUp.detail : null).toMatchObject({ rate: 10, users: 10 });
    expect(existsSync(join(out, "report.html"))).toBe(true);
  });

  it("refuses a --rate that is neither a number nor auto before starting anything", async () => {
    const bad = await runCli("chaos", ["--rate", "fast", "--out", join(outRoot, "bad")]);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/--rate/);
    expect(existsSync(join(outRoot, "bad"))).toBe(false);
  });
});
