// The PHP sessions target end to end (issue 23's done signal): `npm run chaos -- --target php-sessions --strategies
// local,sticky,redis` with the real load engine, HAProxy, PHP's built-in server and redis-server. Local loses
// sessions, sticky loses exactly the sessions its store audit found on the victim, redis none; the instance of each
// answer comes from the balancer's X-Served-By (the PHP app sends no X-Instance-Id).
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { redisServerVersion } from "../../src/store-servers/redis-server/index.ts";
import { alive, chaosBudgetMs, killCliChildren, readRecord, runCli } from "../helpers/run-cli.ts";
import { expectPhpSessionsVerdicts } from "./php-sessions-verdict.ts";

/** Why the test cannot run here, or null: PHP's CLI with php-redis, and redis-server. */
function missing(): string | null {
  const modules = spawnSync("php", ["-m"], { encoding: "utf8" });
  if (modules.error || modules.status !== 0) return "php is not installed (npm run setup -- php)";
  if (!/^redis$/m.test(modules.stdout)) return "php-redis is not installed (npm run setup -- php)";
  if (!redisServerVersion()) return "redis-server is not installed (npm run setup -- redis)";
  return null;
}

const why = missing();
if (why) console.warn(`SKIPPED php-sessions integration test: ${why}`);

/** PHP server processes of this repository's target still running (workers outliving their instance). */
function phpServers(): string[] {
  const ps = spawnSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return ps.stdout.split("\n").filter((line) => line.includes("php-sessions/app.php"));
}

afterAll(killCliChildren);

describe.skipIf(why !== null)("npm run chaos --target php-sessions (local platform)", () => {
  it(
    "local loses sessions, sticky loses what the audit found on the victim, redis none",
    async () => {
      const out = join(mkdtempSync(join(tmpdir(), "fh-php-")), "chaos");
      const args = [
        "--target",
        "php-sessions",
        "--strategies",
        "local,sticky,redis",
        "--duration",
        "20s",
        "--seed",
        "3",
      ];
      const { code, output } = await runCli("chaos", [...args, "--no-rate-check", "--out", out]);
      expect(code, output).toBe(0);
      const figures: string[] = [];
      for (const strategy of ["local", "sticky", "redis"]) {
        const record = readRecord(join(out, strategy));
        expect(record.status).toBe("completed");
        expect(record.plan.target?.name).toBe("php-sessions");
        expect(record.processes.filter((p) => alive(p.pid))).toEqual([]);
        const s = record.results!.sessions;
        figures.push(`${strategy}: started ${s.started}, lost ${s.lost}, audit ${s.lostExpected}`);
        expect(s.started).toBeGreaterThan(0);
      }
      console.log(`[php-sessions] ${figures.join("; ")}`);
      expectPhpSessionsVerdicts(out);
      expect(phpServers()).toEqual([]);
    },
    chaosBudgetMs(3, 20),
  );
});
