// Strategies as units: names listed once, each platform's start-up asked of the store, not of a name.
import { describe, expect, it } from "vitest";
import { composeObject } from "../../src/platforms/compose/compose-file.ts";
import { planFromOptions } from "../../src/run/plan-from-options.ts";
import type { StoreServer } from "../../src/store-servers/types.ts";
import { diskStore } from "../../src/strategies/disk-store.ts";
import {
  defaultStrategyNames,
  strategyNames,
  strategyUnit,
  unappliedStoreOptions,
} from "../../src/strategies/index.ts";
import { persistencesOf, type SessionStoreKind, type StrategyUnit } from "../../src/strategies/types.ts";

const model = (strategy: StrategyUnit) => ({
  instances: 2,
  strategy,
  context: "/repo",
  haproxyConfig: "/run/haproxy.cfg",
  sessionSecret: "0123456789abcdef0123",
  images: { node: "node:22-slim", lb: "haproxy:2.6", redis: "redis:7.0" },
});

describe("strategies", () => {
  it("are listed once, chaos's default first, and an unknown name is refused naming the choices", () => {
    expect(strategyNames).toEqual(["local", "sticky", "dynamodb", "dynamodb-locking", "redis"]);
    expect(defaultStrategyNames).toEqual(["local", "sticky", "dynamodb"]);
    expect(() => strategyUnit("redis-typo")).toThrow(
      'strategy "redis-typo": expected one of local, sticky, dynamodb, dynamodb-locking, redis',
    );
  });

  it("redis: a shared store with persistence, round robin, and its own compose service", () => {
    expect(strategyUnit("redis")).toMatchObject({ sticky: false, sessionStore: "redis", store: { shared: true } });
    expect(persistencesOf(strategyUnit("redis").store)).toEqual(["none", "aof-everysec"]);
    const services = composeObject(model(strategyUnit("redis"))).services as Record<
      string,
      { image?: string; command?: string[]; environment?: Record<string, string> }
    >;
    expect(Object.keys(services)).toEqual(["redis", "app-1", "app-2", "lb"]);
    expect(services.redis?.image).toBe("redis:7.0");
    // In memory; a store-down (SIGTERM) saves a snapshot first, a store-restart (SIGKILL) keeps nothing.
    expect(services.redis?.command).toEqual(expect.arrayContaining(["--save", "", "--shutdown-on-sigterm", "save"]));
    expect(services["app-1"]?.environment).toMatchObject({ SESSION_STORE: "redis", REDIS_URL: "redis://redis:6379" });
  });

  it("warn about a store persistence their store does not take, and only then", () => {
    const plan = (strategy: string, storePersistence?: string) => planFromOptions({ strategy, storePersistence });
    expect(unappliedStoreOptions(plan("redis", "aof-everysec"))).toEqual([]);
    expect(unappliedStoreOptions(plan("dynamodb"))).toEqual([]);
    expect(unappliedStoreOptions(plan("sticky", "none"))).toEqual([]);
    expect(unappliedStoreOptions(plan("dynamodb", "aof-everysec"))).toEqual([
      "--store-persistence aof-everysec does not apply to strategy dynamodb (its dynamodb store has no such option; redis takes it): it runs without",
    ]);
  });

  it("say their store, balancer mode and the app's SESSION_STORE", () => {
    expect(strategyUnit("sticky")).toMatchObject({ sticky: true, sessionStore: "disk", store: { shared: false } });
    expect(strategyUnit("dynamodb")).toMatchObject({
      sticky: false,
      sessionStore: "dynamodb",
      store: { shared: true },
    });
  });

  it("a new strategy on an existing store needs no platform change: compose takes its services and env from it", () => {
    const locking: StrategyUnit = {
      ...strategyUnit("dynamodb"),
      name: "dynamodb-locking",
      sessionStore: "dynamodb-locking",
    };
    const services = composeObject(model(locking)).services as Record<string, { environment?: Record<string, string> }>;
    expect(Object.keys(services)).toEqual(["dynamodb", "store-init", "app-1", "app-2", "lb"]);
    expect(services["app-1"]?.environment).toMatchObject({
      SESSION_STORE: "dynamodb-locking",
      DYNAMODB_ENDPOINT: "http://dynamodb:8000",
    });
    const disk: StrategyUnit = { name: "x", summary: "", store: diskStore, sessionStore: "disk", sticky: false };
    expect(Object.keys(composeObject(model(disk)).services as object)).toEqual(["app-1", "app-2", "lb"]);
  });

  it("a new store kind is its server and its store kind: compose runs it without naming it", () => {
    const server: StoreServer = {
      name: "kv-server",
      version: () => "kv-server 1.0",
      installHint: "none",
      command: ({ host, port }) => ({ command: "kv-server", args: ["--bind", host, "--port", String(port)] }),
      ready: async () => true,
      readyTimeoutMs: 1000,
      dataText: () => "in memory",
      container: {
        port: 7000,
        image: { role: "redis" },
        command: ["kv-server", "--bind", "0.0.0.0"],
        gracefulStop: false,
      },
    };
    const store: SessionStoreKind = {
      name: "kv",
      shared: true,
      server: { server, appEnv: (host, port) => ({ KV_URL: `kv://${host}:${port}` }) },
      managed: { version: "none" },
    };
    const unit: StrategyUnit = { name: "kv", summary: "", store, sessionStore: "kv", sticky: false };
    const services = composeObject(model(unit)).services as Record<
      string,
      { image?: string; command?: string[]; environment?: Record<string, string> }
    >;
    expect(Object.keys(services)).toEqual(["kv", "app-1", "app-2", "lb"]);
    expect(services.kv).toMatchObject({ image: "redis:7.0", command: ["kv-server", "--bind", "0.0.0.0"] });
    expect(services["app-2"]?.environment).toMatchObject({ SESSION_STORE: "kv", KV_URL: "kv://kv:7000" });
  });
});
