// The PHP sessions target on the compose platform (issue 23's done signal on a real engine): `npm run chaos --
// --platform compose --target php-sessions --strategies local,sticky,redis` with the real load engine, the target's
// own image (targets/php-sessions/Dockerfile: Debian's php-cli and php-redis), and the harness's HAProxy and redis
// containers around it. Local loses sessions, sticky loses exactly what its store audit (the target's audit.disk, read
// from the victim's volume) found, redis none; identity from the balancer's X-Served-By; nothing left in Docker.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectName } from "../../src/platforms/compose/compose-platform.ts";
import { dockerEngineProblem, leftInDocker } from "../helpers/docker-engine.ts";
import { killCliChildren, readRecord, runCli } from "../helpers/run-cli.ts";
import { expectPhpSessionsVerdicts } from "./php-sessions-verdict.ts";

const why = dockerEngineProblem();
if (why) console.warn(`SKIPPED php-sessions on compose: ${why}`);

afterAll(killCliChildren);

describe.skipIf(why !== null)("npm run chaos --target php-sessions (compose platform)", () => {
  it("local loses sessions, sticky loses what the audit found on the victim, redis none", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "fh-php-compose-")), "chaos");
    const args = ["--platform", "compose", "--target", "php-sessions", "--strategies", "local,sticky,redis"];
    const { code, output } = await runCli("chaos", [
      ...args,
      // 30 iterations/s: PHP's built-in servers, Docker and the load engine share 2 cores in CI.
      ...["--health", "fast", "--duration", "20s", "--rate", "30", "--seed", "3", "--no-rate-check", "--out", out],
    ]);
    expect(code, output).toBe(0);
    const figures: string[] = [];
    for (const strategy of ["local", "sticky", "redis"]) {
      const record = readRecord(join(out, strategy));
      expect(record.status, `${strategy}: ${record.error ?? ""}`).toBe("completed");
      expect(record.plan.platform).toBe("compose");
      expect(record.plan.target?.name).toBe("php-sessions");
      expect(record.versions?.images).toContain("php-sessions failover-harness/php-sessions:local");
      expect(leftInDocker(projectName(record.plan.runId)), strategy).toEqual([]);
      const s = record.results!.sessions;
      figures.push(
        `${strategy}: started ${s.started}, lost ${s.lost}, audit ${s.lostExpected}, trustworthy ${record.results!.trust?.trustworthy}`,
      );
      expect(s.started).toBeGreaterThan(0);
      expect(record.results!.trust?.trustworthy, `${strategy}: ${JSON.stringify(record.results!.trust)}`).toBe(true);
    }
    console.log(`[php-sessions compose] ${figures.join("; ")}`);
    expectPhpSessionsVerdicts(out);
  }, 900_000);
});
