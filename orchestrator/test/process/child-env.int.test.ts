// The processes a local run starts (apps, HAProxy, dynalite, k6) do not inherit the user's credentials:
// read from /proc/<pid>/environ of each, with canary credentials in the orchestrator's own environment.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPlatform } from "../../src/platforms/index.ts";
import { startedChildren } from "../../src/process/child.ts";
import { pollUntil } from "../../src/process/poll.ts";
import { startK6 } from "../../src/run/k6.ts";
import { planFromOptions } from "../../src/run/plan-from-options.ts";

const canaries = {
  AWS_ACCESS_KEY_ID: "AKIACANARYCANARY",
  AWS_SECRET_ACCESS_KEY: "fh-canary-secret",
  AWS_SESSION_TOKEN: "fh-canary-token",
  K6_CLOUD_TOKEN: "fh-canary-k6",
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

  it("k6 gets no user credential", async () => {
    const out = mkdtempSync(join(tmpdir(), "fh-child-env-k6-"));
    const plan = planFromOptions({ strategy: "dynamodb", faults: false, out });
    // A stand-in k6 that stays alive long enough to be read.
    mkdirSync(join(out, "logs"));
    const standIn = join(out, "k6-stand-in.sh");
    writeFileSync(standIn, "#!/bin/sh\nexec sleep 30\n", { mode: 0o755 });
    const previous = process.env.K6_BIN;
    process.env.K6_BIN = standIn;
    try {
      const run = startK6(plan, out, "http://127.0.0.1:9", 0);
      const pid = run.child.pid as number;
      // Until the fork has exec'd the stand-in, /proc shows the parent's environment: wait for the child's own.
      const env = await pollUntil(async () => (environOf(pid).BASE_URL ? environOf(pid) : null), {
        timeoutMs: 5000,
        intervalMs: 20,
        what: "the stand-in k6 to start",
      });
      expect(env.BASE_URL).toBe("http://127.0.0.1:9");
      expectNoCanary("k6", env);
      await run.child.stop(2000);
    } finally {
      if (previous === undefined) delete process.env.K6_BIN;
      else process.env.K6_BIN = previous;
    }
  });
});
