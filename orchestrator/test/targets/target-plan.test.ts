// --target at the edge (run/plan-from-options.ts) and what a target gives the platform: the instance's command and
// environment (targets/instance-command.ts) and its store audit's formats (targets/audit-formats.ts).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { countDiskSessions, targetAppSessionFormat } from "../../src/platforms/disk-sessions.ts";
import { planFromOptions } from "../../src/run/plan-from-options.ts";
import { diskSessionFiles, redisSessions } from "../../src/targets/audit-formats.ts";
import { instanceCommand } from "../../src/targets/instance-command.ts";
import { loadTarget } from "../../src/targets/target-file.ts";

/** A small target of one's own, written to a temporary folder. */
function ownTarget(): string {
  const dir = mkdtempSync(join(tmpdir(), "fh-target-"));
  const file = join(dir, "target.yaml");
  writeFileSync(
    file,
    stringify({
      name: "own-app",
      summary: "a test app",
      health: "/up",
      local: { command: ["serve", "--port={port}"], cwd: "bin", env: { ID: "{instance}" } },
      strategies: {
        sticky: { env: { DIR: "{sessionDir}" } },
        redis: { env: { ADDR: "{storeHost}:{storePort}" } },
      },
      protocol: {
        login: { path: "/login", fields: { user: "{username}" } },
        read: { path: "/", user: { pattern: "user=(\\w+)" }, value: { pattern: "{key}=(\\w*);" } },
        loggedOut: { redirectTo: "/login" },
      },
      audit: {
        disk: { files: "^sess_", user: { pattern: 'user\\|s:\\d+:"([^"]*)"' } },
        redis: { keyPrefix: "PHPREDIS_SESSION:", user: { pattern: 'user\\|s:\\d+:"([^"]*)"' } },
      },
    }),
  );
  return file;
}

describe("--target", () => {
  it("the default is target-app, recorded in the plan with its protocol for the scenario", () => {
    const plan = planFromOptions({ strategy: "sticky", seed: "1", out: "/tmp/fh-target-plan" });
    expect(plan.target?.name).toBe("target-app");
    expect(plan.load.scenario).toBe("scenarios/login-profile.ts");
    expect(plan.load.scenarioOptions).toMatchObject({ protocol: { read: { path: "/profile" } } });
  });

  it("a target file by path; its first scenario is the default", () => {
    const file = ownTarget();
    const plan = planFromOptions({ strategy: "redis", target: file, seed: "1", out: "/tmp/fh-target-plan" });
    expect(plan.target).toEqual({ name: "own-app", file });
    expect(plan.load.scenario).toBe("scenarios/protocol-profile.ts");
  });

  it("a strategy the target does not list is refused with the list it has", () => {
    expect(() =>
      planFromOptions({ strategy: "dynamodb", target: ownTarget(), seed: "1", out: "/tmp/fh-target-plan" }),
    ).toThrow(/--strategy dynamodb: target own-app .* does not support it; it supports sticky, redis/);
  });

  it("a scenario or a platform the target does not list is refused", () => {
    const target = ownTarget();
    expect(() =>
      planFromOptions({ strategy: "sticky", target, scenario: "login-profile", seed: "1", out: "/tmp/fh-target-plan" }),
    ).toThrow(/--scenario login-profile: target own-app .* is driven by protocol-profile/);
    expect(() =>
      planFromOptions({ strategy: "sticky", target, platform: "compose", seed: "1", out: "/tmp/fh-target-plan" }),
    ).toThrow(/--platform compose: target own-app .* runs on local/);
  });
});

describe("an instance of a target", () => {
  it("its command and environment have every placeholder filled, the strategy's environment last", () => {
    const target = loadTarget(ownTarget());
    const values = {
      port: "8081",
      instance: "app-2",
      sessionDir: "/s/app-2",
      storeHost: "127.0.0.1",
      storePort: "6390",
    };
    expect(instanceCommand(target, "sticky", values)).toEqual({
      command: "serve",
      args: ["--port=8081"],
      env: { ID: "app-2", DIR: "/s/app-2" },
      cwd: join(target.dir, "bin"),
    });
    expect(instanceCommand(target, "redis", values).env).toEqual({ ID: "app-2", ADDR: "127.0.0.1:6390" });
    expect(() => instanceCommand(target, "local", values)).toThrow(/does not support strategy local/);
  });
});

describe("a target's store audit", () => {
  const now = 1_000_000;
  it("PHP's session files: the user from its serialized session, the window from the file's time", () => {
    const files = diskSessionFiles(loadTarget(ownTarget()))!;
    expect(files.names.test("sess_abc")).toBe(true);
    expect(files.names.test("abc.json")).toBe(false);
    const audit = countDiskSessions(
      [
        { text: 'user|s:2:"u1";k0|s:1:"v";', mtimeMs: now - 100 },
        { text: 'user|s:2:"u2";', mtimeMs: now - 60_000 },
        { text: "", mtimeMs: now }, // a session that never logged in
      ],
      5000,
      now,
      files.format,
    );
    expect(audit).toEqual({ activeSessions: 1, storedSessions: 2, shared: false });
  });

  it("target-app's file format, described in its target file, counts as the built-in one", () => {
    const files = diskSessionFiles(loadTarget("target-app"))!;
    const sessions = [
      { text: JSON.stringify({ sess: { username: "a" }, expires: now + 1 }), mtimeMs: now },
      { text: JSON.stringify({ sess: { username: "b" }, expires: now - 1 }), mtimeMs: now },
      { text: JSON.stringify({ sess: {}, expires: now + 1 }), mtimeMs: now },
      { text: "{broken", mtimeMs: now },
      { text: JSON.stringify({ sess: { username: "c" }, expires: now + 1 }), mtimeMs: now - 10_000 },
    ];
    const builtIn = countDiskSessions(sessions, 5000, now, targetAppSessionFormat);
    expect(countDiskSessions(sessions, 5000, now, files.format)).toEqual(builtIn);
    expect(builtIn).toEqual({ activeSessions: 1, storedSessions: 2, shared: false });
  });

  it("Redis keys: the target's prefix, the user read from the value", () => {
    const sessions = redisSessions(loadTarget(ownTarget()))!;
    expect(sessions.keyPrefix).toBe("PHPREDIS_SESSION:");
    expect(sessions.user('user|s:2:"u1";')).toBe("u1");
    expect(redisSessions(loadTarget("target-app"))!.user('{"username":"u9"}')).toBe("u9");
  });
});
