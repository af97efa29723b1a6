// End to end with the real load engine, HAProxy and dynalite: `npm run chaos -- --scenario concurrent-tabs` against
// dynamodb and dynamodb-locking (default preset: one crash). dynamodb loses acknowledged updates (last writer
// wins); the locking store loses none; run.json, the summary and the report carry the numbers.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alive, chaosBudgetMs, killCliChildren, missingTools, readRecord, runCli } from "../helpers/run-cli.ts";

const missing = missingTools();
if (missing.length) console.warn(`SKIPPED concurrent-tabs integration test: missing ${missing.join(", ")}`);

const outRoot = mkdtempSync(join(tmpdir(), "fh-concurrent-"));
afterAll(killCliChildren);

describe.skipIf(missing.length > 0)("npm run chaos -- --scenario concurrent-tabs", () => {
  it(
    "dynamodb loses updates, dynamodb-locking loses none, and the report says so",
    async () => {
      const out = join(outRoot, "chaos");
      const args = ["--scenario", "concurrent-tabs", "--strategies", "dynamodb,dynamodb-locking"];
      const load = ["--duration", "15s", "--rate", "8", "--sessions", "8", "--instances", "2", "--seed", "7"];
      const { code, output } = await runCli("chaos", [...args, ...load, "--no-rate-check", "--out", out]);
      expect(code, output).toBe(0);
      const plain = readRecord(join(out, "dynamodb"));
      const locking = readRecord(join(out, "dynamodb-locking"));
      for (const record of [plain, locking]) {
        expect(record.status).toBe("completed");
        expect(record.plan.load.scenario).toBe("scenarios/concurrent-tabs.ts");
        expect(record.processes.filter((p) => alive(p.pid))).toEqual([]);
      }
      const p = plain.results!.updates!;
      const l = locking.results!.updates!;
      console.log(
        `dynamodb: ${p.lost} of ${p.acknowledged} acknowledged writes lost (by window ${JSON.stringify(p.lostByWindow)}), p95 ${plain.results!.latency.overall.p95} ms; ` +
          `dynamodb-locking: ${l.lost} of ${l.acknowledged} lost, p95 ${locking.results!.latency.overall.p95} ms, lock wait p95 ${locking.results!.lockWait?.p95} ms`,
      );
      expect(p.acknowledged).toBeGreaterThan(100);
      expect(p.lost).toBeGreaterThan(0);
      expect(l.acknowledged).toBeGreaterThan(100);
      expect(l.lost).toBe(0);
      // The per-second series adds up to the count; the plain store sends no lock timing, the locking one does.
      expect(plain.results!.series.reduce((sum, s) => sum + (s.lostUpdates ?? 0), 0)).toBe(p.lost);
      expect(plain.results!.lockWait).toBeNull();
      expect(locking.results!.lockWait?.count).toBeGreaterThan(0);
      expect(output).toMatch(new RegExp(`lost updates\\s+${p.lost} of ${p.acknowledged} acknowledged writes`));

      const html = readFileSync(join(out, "report.html"), "utf8");
      expect(html).toContain("Lost updates (acknowledged writes a later read did not show)");
      expect(html).toContain(
        `Lost updates versus latency: dynamodb lost ${p.lost.toLocaleString("en-US")} of ${p.acknowledged.toLocaleString("en-US")} acknowledged writes`,
      );
      expect(html).toContain(
        `dynamodb-locking lost 0 of ${l.acknowledged.toLocaleString("en-US")} acknowledged writes`,
      );
      expect(html).toContain("Lost updates <span");
    },
    chaosBudgetMs(2, 15),
  );
});
