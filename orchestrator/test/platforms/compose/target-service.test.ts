// A target's service on the compose platform (platforms/compose/target-service.ts): target-app's target file gives
// the compose services of before targets, and php-sessions' file its PHP image, command and per-strategy environment.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { healthProfiles } from "../../../src/plan/health-profiles.ts";
import {
  type ComposeModel,
  composeHaproxyConfig,
  composeObject,
  sessionDir,
  storeAppEnv,
} from "../../../src/platforms/compose/compose-file.ts";
import { composeApp } from "../../../src/platforms/compose/target-service.ts";
import { strategyUnit } from "../../../src/strategies/index.ts";
import { loadTarget, repoRoot, targetsDir } from "../../../src/targets/target-file.ts";

const images = { node: "failover-harness/node:22", lb: "haproxy:2.6", redis: "redis:7.0" };
const secret = "0123456789abcdef0123456789abcdef";

function model(targetName: string | undefined, strategy: string): ComposeModel {
  const unit = strategyUnit(strategy);
  const shared = unit.store.server;
  const service = unit.store.name;
  const base: ComposeModel = {
    instances: 3,
    strategy: unit,
    context: repoRoot,
    haproxyConfig: "/run/haproxy.cfg",
    sessionSecret: secret,
    images,
  };
  if (!targetName) return base;
  const app = composeApp(loadTarget(targetName), {
    strategy,
    nodeImage: images.node,
    baseImage: "failover-harness/debian:bookworm-minbase",
    sessionSecret: secret,
    sessionDir,
    ...(shared
      ? { store: { host: service, port: shared.server.container.port, env: storeAppEnv(service, shared) } }
      : {}),
  });
  return { ...base, app };
}
type Services = Record<string, Record<string, unknown>>;
const servicesOf = (m: ComposeModel) => composeObject(m).services as Services;

describe("a target's compose service", () => {
  it("target-app's target file gives the services of before, for every strategy", () => {
    for (const strategy of ["local", "sticky", "redis", "dynamodb", "dynamodb-locking"]) {
      expect(composeObject(model("target-app", strategy)), strategy).toEqual(composeObject(model(undefined, strategy)));
    }
  });

  it("php-sessions: its image built from its Dockerfile on the Debian base, PHP's built-in server on port 8080", () => {
    const app1 = servicesOf(model("php-sessions", "sticky"))["app-1"]!;
    expect(app1.image).toBe("failover-harness/php-sessions:local");
    expect(app1.build).toEqual({
      context: join(targetsDir, "php-sessions"),
      dockerfile: "Dockerfile",
      args: { BASE: "failover-harness/debian:bookworm-minbase" },
    });
    expect(app1.command).toEqual(["php", "-q", "-c", "/app/php.ini", "-S", "0.0.0.0:8080", "/app/app.php"]);
    expect(app1.volumes).toEqual(["sessions-app-1:/sessions"]);
  });

  it("php-sessions: each strategy's session handler, filled with the container's values", () => {
    const sticky = servicesOf(model("php-sessions", "sticky"))["app-2"]!.environment;
    expect(sticky).toEqual({
      INSTANCE_ID: "app-2",
      PHP_CLI_SERVER_WORKERS: "4",
      PHP_SESSION_HANDLER: "files",
      PHP_SESSION_PATH: "/sessions",
    });
    const services = servicesOf(model("php-sessions", "redis"));
    expect(services["app-3"]!.environment).toMatchObject({
      INSTANCE_ID: "app-3",
      PHP_SESSION_HANDLER: "redis",
      PHP_SESSION_PATH: "tcp://redis:6379",
    });
    expect(Object.keys(services).sort()).toEqual(["app-1", "app-2", "app-3", "lb", "redis"]);
  });

  it("a target of the user's own image: no build; a store-init job builds target-app's image for itself", () => {
    const target = { ...loadTarget("target-app"), name: "mine", compose: { image: "mine:1", env: {}, port: 3000 } };
    const app = composeApp(target, {
      strategy: "dynamodb",
      nodeImage: images.node,
      baseImage: "debian:bookworm-slim",
      sessionSecret: secret,
      sessionDir,
    });
    expect(app.build).toBeUndefined();
    const services = servicesOf({ ...model(undefined, "dynamodb"), app });
    expect(services["app-1"]!.image).toBe("mine:1");
    expect(services["app-1"]!.build).toBeUndefined();
    expect(services["store-init"]!.build).toMatchObject({ dockerfile: "target-app/Dockerfile" });
  });

  it("the balancer checks the target's health path on its port, and names the server on each answer", () => {
    const cfg = composeHaproxyConfig({
      instances: 2,
      sticky: true,
      health: healthProfiles.fast,
      appPort: 3000,
      healthPath: "/health.php",
    });
    expect(cfg).toContain("option httpchk GET /health.php");
    expect(cfg).toContain("server app-2 app-2:3000");
    expect(cfg).toContain("http-response set-header X-Served-By %s");
  });
});
