// Strategies as units: names listed once, each platform's start-up asked of the store, not of a name.
import { describe, expect, it } from "vitest";
import { composeObject } from "../../src/platforms/compose/compose-file.ts";
import { diskStore } from "../../src/strategies/disk-store.ts";
import { strategyNames, strategyUnit } from "../../src/strategies/index.ts";
import type { StrategyUnit } from "../../src/strategies/types.ts";

const model = (strategy: StrategyUnit) => ({
  instances: 2,
  strategy,
  context: "/repo",
  haproxyConfig: "/run/haproxy.cfg",
  sessionSecret: "0123456789abcdef0123",
  images: { node: "node:22-slim", lb: "haproxy:2.6", dynamodb: "amazon/dynamodb-local:3.3.1" },
});

describe("strategies", () => {
  it("are listed once, in chaos's default order, and an unknown name is refused naming the choices", () => {
    expect(strategyNames).toEqual(["local", "sticky", "dynamodb", "dynamodb-locking"]);
    expect(() => strategyUnit("redis-typo")).toThrow('strategy "redis-typo": expected one of local, sticky, dynamodb');
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
});
