// The processes a local run starts (apps, HAProxy, dynalite, the load engine) do not inherit the user's credentials:
// read from /proc/<pid>/environ of each, with canary credentials in the orchestrator's own environment.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPlatform } from "../../src/platforms/index.ts";
import { startedChildren } from "../../src/process/child.ts";
import { pollUntil } from "../../src/process/poll.ts";
import { LoadRun, loadConfigOf } from "../../src/run/load-run.ts";
import { planFromOptions } from "../../src/run/plan-from-options.ts";

const canaries = {
  AWS_ACCESS_KEY_ID: "AKIACANARYCANARY",
  AWS_SECRET_ACCESS_KEY: "fh-canary-secret",
  AWS_SESSION_TOKEN: "fh-canary-token",
  GITHUB_TOKEN: "fh-canary-github",
};
const missing = existsSync("/proc/self/environ") ? null : "no /proc/<pid>/environ on this system";
if (missing) console.warn(`SKIPPED child environment test: ${missing}`);

function environOf(pid: number): Record<string, string> {
  const text = readFileSync(`/proc/${pid}/environ`, "utf8");
  return Object.fromEntries(
    text
      .split("\0")
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
}

function expectNoCanary(name: string, env: Record<string, string>): void {
  const leaked = Object.entries(env).filter(([, value]) => /CANARY|fh-canary/.test(value));
  expect(leaked, `${name} inherited ${leaked.map(([k]) => k).join(", ")}`).toEqual([]);
}

describe.skipIf(missing !== null)("children's environment", () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const [name, value] of Object.entries(canaries)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("apps, HAProxy and dynalite of a dynamodb run get no user credential (the apps: dynalite's dummy keys)", async () => {
    const out = mkdtempSync(join(tmpdir(), "fh-child-env-"));
    const plan = planFromOptions({ strategy: "dynamodb", instances: "2", faults: false, out });
    const platform = createPlatform(plan, out);
    const before = startedChildren().length;
    try {
      await platform.up();
      const children = startedChildren().slice(before);
      expect(children.map((c) => c.name).sort()).toEqual(["app-1", "app-2", "lb", "store"]);
      for (const child of children) {
        const env = environOf(child.pid);
        expectNoCanary(child.name, env);
        expect(env.PATH, child.name).toBeDefined();
        if (child.name.startsWith("app-")) expect(env.AWS_ACCESS_KEY_ID).toBe("local");
      }
    } finally {
      await platform.down();
    }
  });

  it("the load engine gets no user credential", async () => {
    const out = mkdtempSync(join(tmpdir(), "fh-child-env-load-"));
    const plan = planFromOptions({ strategy: "dynamodb", faults: false, out });
    // Against a closed port on loopback: every request is refused, which does not matter here.
    const config = loadConfigOf(plan, "http://127.0.0.1:9", join(out, "records.tsv.gz"));
    const run = new LoadRun(config, { logFile: join(out, "logs", "load.log"), echo: false });
    try {
      const pid = run.child.pid as number;
      // Until the fork has exec'd node, /proc shows the parent's environment: wait for the child's own.
      const env = await pollUntil(async () => (environOf(pid).FH_SUPERVISED ? environOf(pid) : null), {
        timeoutMs: 5000,
        intervalMs: 20,
        what: "the load engine to start",
      });
      expect(env.PATH).toBeDefined();
      expectNoCanary("load", env);
    } finally {
      await run.stop();
    }
  });
});
