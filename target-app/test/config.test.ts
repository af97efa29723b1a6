// parseConfig: defaults, and an error naming the variable for every missing or bad value.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.ts";

const disk = {
  PORT: "8080",
  INSTANCE_ID: "app-1",
  SESSION_STORE: "disk",
  SESSION_DIR: "/tmp/sessions/app-1",
  SESSION_SECRET: "0123456789abcdef",
};
const dynamo = {
  PORT: "0",
  INSTANCE_ID: "app-2",
  SESSION_STORE: "dynamodb",
  DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
  DYNAMODB_TABLE: "sessions",
  AWS_REGION: "us-east-1",
  SESSION_SECRET: "0123456789abcdef",
};

const redis = {
  PORT: "0",
  INSTANCE_ID: "app-3",
  SESSION_STORE: "redis",
  REDIS_URL: "redis://127.0.0.1:6379",
  SESSION_SECRET: "0123456789abcdef",
};

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("parseConfig accepted the environment");
}

describe("parseConfig", () => {
  it("reads a disk configuration with defaults", () => {
    expect(parseConfig(disk)).toEqual({
      port: 8080,
      host: "127.0.0.1",
      instanceId: "app-1",
      sessionSecret: "0123456789abcdef",
      sessionTtlSeconds: 3600,
      sessionTouchAfterFraction: 0.1,
      sessionMaxAgeSeconds: 43_200,
      cookieSecure: false,
      trustProxy: 0,
      sessionLock: { ttlMs: 3000, waitMs: 4000 },
      shutdownTimeoutMs: 10_000,
      testRoutes: false,
      store: { kind: "disk", dir: "/tmp/sessions/app-1" },
    });
  });

  it("reads a DynamoDB emulator configuration: consistent reads, dummy credentials", () => {
    expect(parseConfig(dynamo).store).toEqual({
      kind: "dynamodb",
      table: "sessions",
      region: "us-east-1",
      endpoint: "http://127.0.0.1:8000",
      consistentRead: true,
      localCredentials: true,
    });
  });

  it("reads a Redis configuration: the URL, and connect-redis's key prefix by default", () => {
    expect(parseConfig(redis).store).toEqual({ kind: "redis", url: "redis://127.0.0.1:6379", keyPrefix: "sess:" });
    expect(
      parseConfig({
        ...redis,
        REDIS_URL: "rediss://:token@master.sessions.abc123.use1.cache.amazonaws.com:6379/2",
        REDIS_KEY_PREFIX: "fh:sess:",
      }).store,
    ).toEqual({
      kind: "redis",
      url: "rediss://:token@master.sessions.abc123.use1.cache.amazonaws.com:6379/2",
      keyPrefix: "fh:sess:",
    });
  });

  it("reads dynamodb-locking with its lock bounds", () => {
    const config = parseConfig({
      ...dynamo,
      SESSION_STORE: "dynamodb-locking",
      SESSION_LOCK_TTL_MS: "1500",
      SESSION_LOCK_WAIT_MS: "2000",
    });
    expect(config.store).toMatchObject({ kind: "dynamodb-locking", table: "sessions" });
    expect(config.sessionLock).toEqual({ ttlMs: 1500, waitMs: 2000 });
  });

  it("uses the environment's credentials on AWS and when keys are given", () => {
    expect(parseConfig({ ...dynamo, DYNAMODB_ENDPOINT: undefined }).store).toMatchObject({
      endpoint: undefined,
      localCredentials: false,
    });
    expect(parseConfig({ ...dynamo, AWS_ACCESS_KEY_ID: "AKIA" }).store).toMatchObject({ localCredentials: false });
  });

  it("reads the optional variables", () => {
    const config = parseConfig({
      ...dynamo,
      HOST: "0.0.0.0",
      SESSION_TTL_SECONDS: "60",
      SHUTDOWN_TIMEOUT_MS: "500",
      DYNAMODB_CONSISTENT_READ: "false",
      TARGET_APP_TEST_ROUTES: "1",
    });
    expect(config).toMatchObject({ host: "0.0.0.0", sessionTtlSeconds: 60, shutdownTimeoutMs: 500, testRoutes: true });
    expect(config.store).toMatchObject({ consistentRead: false });
  });

  const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
    ["PORT missing", { ...disk, PORT: undefined }, /^PORT is not set: expected an integer from 0 to 65535$/],
    ["PORT empty", { ...disk, PORT: "" }, /^PORT is not set/],
    ["PORT not a number", { ...disk, PORT: "http" }, /^PORT="http" is not valid: expected an integer from 0 to 65535$/],
    ["PORT too large", { ...disk, PORT: "65536" }, /^PORT="65536" is not valid/],
    ["PORT negative", { ...disk, PORT: "-1" }, /^PORT="-1" is not valid/],
    ["INSTANCE_ID missing", { ...disk, INSTANCE_ID: undefined }, /^INSTANCE_ID is not set/],
    ["INSTANCE_ID bad", { ...disk, INSTANCE_ID: "app 1" }, /^INSTANCE_ID="app 1" is not valid: expected 1 to 64/],
    ["INSTANCE_ID too long", { ...disk, INSTANCE_ID: "a".repeat(65) }, /^INSTANCE_ID="a{65}" is not valid/],
    [
      "SESSION_STORE missing",
      { ...disk, SESSION_STORE: undefined },
      /^SESSION_STORE is not set: expected "disk", "dynamodb", "dynamodb-locking" or "redis"$/,
    ],
    [
      "SESSION_STORE bad",
      { ...disk, SESSION_STORE: "memcached" },
      /^SESSION_STORE="memcached" is not valid: expected "disk", "dynamodb", "dynamodb-locking" or "redis"$/,
    ],
    ["SESSION_DIR missing", { ...disk, SESSION_DIR: undefined }, /^SESSION_DIR is not set/],
    [
      "SESSION_LOCK_TTL_MS too small",
      { ...dynamo, SESSION_STORE: "dynamodb-locking", SESSION_LOCK_TTL_MS: "50" },
      /^SESSION_LOCK_TTL_MS="50" is not valid: expected an integer from 100 to 60000$/,
    ],
    [
      "SESSION_LOCK_WAIT_MS bad",
      { ...dynamo, SESSION_STORE: "dynamodb-locking", SESSION_LOCK_WAIT_MS: "4s" },
      /^SESSION_LOCK_WAIT_MS="4s" is not valid: expected an integer from 1 to 60000$/,
    ],
    [
      "SESSION_SECRET missing",
      { ...disk, SESSION_SECRET: undefined },
      /^SESSION_SECRET is not set: expected a secret of at least 16/,
    ],
    ["SESSION_SECRET short", { ...disk, SESSION_SECRET: "short" }, /^SESSION_SECRET is too short \(5 characters\)/],
    ["SESSION_TTL_SECONDS bad", { ...disk, SESSION_TTL_SECONDS: "1h" }, /^SESSION_TTL_SECONDS="1h" is not valid/],
    ["SESSION_TTL_SECONDS zero", { ...disk, SESSION_TTL_SECONDS: "0" }, /^SESSION_TTL_SECONDS="0" is not valid/],
    [
      "SESSION_MAX_AGE_SECONDS bad",
      { ...disk, SESSION_MAX_AGE_SECONDS: "12h" },
      /^SESSION_MAX_AGE_SECONDS="12h" is not valid: expected an integer from 1 to 31536000$/,
    ],
    ["TRUST_PROXY bad", { ...disk, TRUST_PROXY: "yes" }, /^TRUST_PROXY="yes" is not valid: expected an integer from 0/],
    [
      "COOKIE_SECURE without TRUST_PROXY",
      { ...disk, COOKIE_SECURE: "true" },
      /^COOKIE_SECURE=true needs TRUST_PROXY: expected the number of proxies/,
    ],
    ["COOKIE_SECURE bad", { ...disk, COOKIE_SECURE: "on", TRUST_PROXY: "1" }, /^COOKIE_SECURE="on" is not valid/],
    [
      "a short secret under NODE_ENV=production",
      { ...disk, NODE_ENV: "production", SESSION_SECRET: "0123456789abcdef0123" },
      /^SESSION_SECRET is too short \(20 characters\): expected a secret of at least 32 characters \(NODE_ENV=production\)$/,
    ],
    [
      "compose's default secret under NODE_ENV=production",
      { ...disk, NODE_ENV: "production", SESSION_SECRET: "compose-default-secret-change-me" },
      /^SESSION_SECRET is a published default \(NODE_ENV=production\)/,
    ],
    [
      "a change-me secret under NODE_ENV=production",
      { ...disk, NODE_ENV: "production", SESSION_SECRET: "please-change-me-before-going-live-ok" },
      /^SESSION_SECRET is a published default/,
    ],
    [
      "SESSION_TOUCH_AFTER_FRACTION bad",
      { ...disk, SESSION_TOUCH_AFTER_FRACTION: "10%" },
      /^SESSION_TOUCH_AFTER_FRACTION="10%" is not valid: expected a number from 0 to 1, such as 0.1$/,
    ],
    [
      "SESSION_TOUCH_AFTER_FRACTION above 1",
      { ...disk, SESSION_TOUCH_AFTER_FRACTION: "1.5" },
      /^SESSION_TOUCH_AFTER_FRACTION="1.5" is not valid/,
    ],
    ["SHUTDOWN_TIMEOUT_MS bad", { ...disk, SHUTDOWN_TIMEOUT_MS: "soon" }, /^SHUTDOWN_TIMEOUT_MS="soon" is not valid/],
    ["DYNAMODB_TABLE missing", { ...dynamo, DYNAMODB_TABLE: undefined }, /^DYNAMODB_TABLE is not set/],
    ["DYNAMODB_TABLE bad", { ...dynamo, DYNAMODB_TABLE: "a b" }, /^DYNAMODB_TABLE="a b" is not valid/],
    ["AWS_REGION missing", { ...dynamo, AWS_REGION: undefined }, /^AWS_REGION is not set: expected an AWS region/],
    ["AWS_REGION bad", { ...dynamo, AWS_REGION: "US East" }, /^AWS_REGION="US East" is not valid/],
    [
      "DYNAMODB_ENDPOINT bad",
      { ...dynamo, DYNAMODB_ENDPOINT: "localhost:8000" },
      /^DYNAMODB_ENDPOINT="localhost:8000" is not valid: expected an http\(s\) URL/,
    ],
    [
      "DYNAMODB_CONSISTENT_READ bad",
      { ...dynamo, DYNAMODB_CONSISTENT_READ: "yes" },
      /^DYNAMODB_CONSISTENT_READ="yes" is not valid: expected "true" or "false"$/,
    ],
    [
      "REDIS_URL missing",
      { ...redis, REDIS_URL: undefined },
      /^REDIS_URL is not set: expected a URL such as redis:\/\/127\.0\.0\.1:6379/,
    ],
    [
      "REDIS_URL without a port",
      { ...redis, REDIS_URL: "redis://127.0.0.1" },
      /^REDIS_URL="redis:\/\/127\.0\.0\.1" is not valid: expected a URL such as redis:\/\/127\.0\.0\.1:6379/,
    ],
    ["REDIS_URL of another scheme", { ...redis, REDIS_URL: "http://127.0.0.1:6379" }, /^REDIS_URL="http:/],
    ["REDIS_URL with a db above 15", { ...redis, REDIS_URL: "redis://127.0.0.1:6379/16" }, /^REDIS_URL="redis:/],
    [
      "REDIS_KEY_PREFIX bad",
      { ...redis, REDIS_KEY_PREFIX: "sess *" },
      /^REDIS_KEY_PREFIX="sess \*" is not valid: expected 1 to 32 characters/,
    ],
  ];

  it.each(cases)("rejects %s, naming the variable", (_name, env, message) => {
    expect(errorOf(env).message).toMatch(message);
  });

  it("reads the cookie options and the maximum session age", () => {
    expect(
      parseConfig({ ...disk, COOKIE_SECURE: "true", TRUST_PROXY: "1", SESSION_MAX_AGE_SECONDS: "600" }),
    ).toMatchObject({ cookieSecure: true, trustProxy: 1, sessionMaxAgeSeconds: 600 });
  });

  it("accepts compose's default secret outside production, and a long own secret in production", () => {
    const composeDefault = "compose-default-secret-change-me";
    expect(parseConfig({ ...disk, SESSION_SECRET: composeDefault }).sessionSecret).toBe(composeDefault);
    const own = "f3a9c1d27b4e8a6f0c5d9e2b7a1f4c8d";
    expect(parseConfig({ ...disk, NODE_ENV: "production", SESSION_SECRET: own }).sessionSecret).toBe(own);
  });

  it("reads the touch fraction (0 touches on every read, as express-session does)", () => {
    expect(parseConfig({ ...disk, SESSION_TOUCH_AFTER_FRACTION: "0" }).sessionTouchAfterFraction).toBe(0);
    expect(parseConfig({ ...disk, SESSION_TOUCH_AFTER_FRACTION: "0.25" }).sessionTouchAfterFraction).toBe(0.25);
    expect(parseConfig({ ...disk, SESSION_TOUCH_AFTER_FRACTION: "1" }).sessionTouchAfterFraction).toBe(1);
  });

  it("never echoes the session secret", () => {
    expect(
      errorOf({ ...disk, NODE_ENV: "production", SESSION_SECRET: "compose-default-secret-change-me" }).message,
    ).not.toContain("compose-default");
    expect(errorOf({ ...disk, SESSION_SECRET: "hunter2" }).message).not.toContain("hunter2");
  });

  it("never echoes a password inside REDIS_URL", () => {
    const message = errorOf({ ...redis, REDIS_URL: "redis://:hunter2@cache.example.com" }).message;
    expect(message).toMatch(/^REDIS_URL="redis:\/\/\*\*\*@cache\.example\.com" is not valid/);
    expect(message).not.toContain("hunter2");
  });

  it("does not require the other store's variables", () => {
    expect(() => parseConfig({ ...disk, DYNAMODB_TABLE: undefined, AWS_REGION: undefined })).not.toThrow();
    expect(() => parseConfig({ ...dynamo, SESSION_DIR: undefined })).not.toThrow();
    expect(() => parseConfig({ ...redis, SESSION_DIR: undefined, DYNAMODB_TABLE: undefined })).not.toThrow();
  });
});
