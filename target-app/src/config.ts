// The target app's configuration: parsed and validated from environment variables, in one pure function.

/** A missing or bad environment variable; the message names the variable, its value and what was expected. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface DiskStoreConfig {
  kind: "disk";
  /** One folder per instance; created when missing. */
  dir: string;
}

export interface DynamoDbStoreConfig {
  /** "dynamodb-locking" locks each session from load to the end of the request (DynamoDbLockingStore). */
  kind: "dynamodb" | "dynamodb-locking";
  table: string;
  region: string;
  /** The DynamoDB emulator's URL (dynalite); undefined on AWS. */
  endpoint: string | undefined;
  consistentRead: boolean;
  /** The emulator still wants signed requests: use dummy credentials when none are configured. */
  localCredentials: boolean;
}

export interface RedisStoreConfig {
  kind: "redis";
  /** REDIS_URL: `redis://host:port` (or `rediss://` for TLS, as ElastiCache with encryption in transit), optional `/db`. */
  url: string;
  /** REDIS_KEY_PREFIX: every session is the key `<prefix><session id>` (connect-redis's default, `sess:`). */
  keyPrefix: string;
}

export type StoreConfig = DiskStoreConfig | DynamoDbStoreConfig | RedisStoreConfig;

/** Session locks (the disk and dynamodb-locking stores hold a session from its load to the end of the request). */
export interface SessionLockConfig {
  /** A lock nobody releases (its holder crashed) lapses after this long: dynamodb-locking only. */
  ttlMs: number;
  /** A request waits at most this long for a session another request holds, then answers 503. */
  waitMs: number;
}

export interface AppConfig {
  port: number;
  host: string;
  instanceId: string;
  sessionSecret: string;
  sessionTtlSeconds: number;
  /** SESSION_TOUCH_AFTER_FRACTION: a read touches the stored expiry only when it moves by more than this share of the TTL. */
  sessionTouchAfterFraction: number;
  /** Absolute session lifetime from login (SESSION_MAX_AGE_SECONDS): older sessions are a miss, however active. */
  sessionMaxAgeSeconds: number;
  /** COOKIE_SECURE: the cookie carries `Secure` (the app is only reached over HTTPS, through a balancer). */
  cookieSecure: boolean;
  /** TRUST_PROXY: how many proxies in front of the app to trust for X-Forwarded-* (0: none). */
  trustProxy: number;
  /** SESSION_LOCK_TTL_MS / SESSION_LOCK_WAIT_MS: how long a session lock lasts unreleased, and a request waits for one. */
  sessionLock: SessionLockConfig;
  /** How long a graceful shutdown may take before the process force-exits with 1. */
  shutdownTimeoutMs: number;
  /** TARGET_APP_TEST_ROUTES=1 mounts test-only routes (a slow request for shutdown tests). */
  testRoutes: boolean;
  store: StoreConfig;
}

type Env = NodeJS.ProcessEnv;

/** The variable's value, with an empty string treated as unset. */
function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

function required(env: Env, name: string, expected: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigError(`${name} is not set: expected ${expected}`);
  return value;
}

function bad(name: string, value: string, expected: string): ConfigError {
  return new ConfigError(`${name}=${JSON.stringify(value)} is not valid: expected ${expected}`);
}

function integer(name: string, value: string, min: number, max: number): number {
  const expected = `an integer from ${min} to ${max}`;
  if (!/^\d+$/.test(value)) throw bad(name, value, expected);
  const n = Number(value);
  if (n < min || n > max) throw bad(name, value, expected);
  return n;
}

function fraction(name: string, value: string): number {
  const expected = "a number from 0 to 1, such as 0.1";
  if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(value)) throw bad(name, value, expected);
  return Number(value);
}

function matching(env: Env, name: string, pattern: RegExp, expected: string): string {
  const value = required(env, name, expected);
  if (!pattern.test(value)) throw bad(name, value, expected);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw bad(name, value, '"true" or "false"');
}

/** Secrets published in this repository (compose's default, docs/target-app.md's example); never accepted in production. */
export const KNOWN_SECRETS: readonly string[] = ["compose-default-secret-change-me", "change-me-0123456789"];
const PRODUCTION_SECRET_LENGTH = 32;

function parseSecret(env: Env): string {
  const production = read(env, "NODE_ENV") === "production";
  const min = production ? PRODUCTION_SECRET_LENGTH : 16;
  const expected = `a secret of at least ${min} characters${production ? " (NODE_ENV=production)" : ""}`;
  const secret = required(env, "SESSION_SECRET", expected);
  if (secret.length < min) {
    // Never echo a secret back: name its length instead of its value.
    throw new ConfigError(`SESSION_SECRET is too short (${secret.length} characters): expected ${expected}`);
  }
  if (production && (KNOWN_SECRETS.includes(secret) || /change-?me/i.test(secret))) {
    throw new ConfigError(
      "SESSION_SECRET is a published default (NODE_ENV=production): expected a secret of your own, e.g. `openssl rand -hex 24`",
    );
  }
  return secret;
}

function parseCookieOptions(env: Env): { cookieSecure: boolean; trustProxy: number } {
  const proxy = read(env, "TRUST_PROXY");
  const trustProxy = proxy === undefined ? 0 : integer("TRUST_PROXY", proxy, 0, 10);
  const cookieSecure = boolean(env, "COOKIE_SECURE", false);
  if (cookieSecure && trustProxy === 0) {
    // The app speaks plain HTTP; without a trusted proxy saying "https", express-session would never send the cookie.
    throw new ConfigError(
      "COOKIE_SECURE=true needs TRUST_PROXY: expected the number of proxies in front of the app (1 behind one balancer that terminates TLS)",
    );
  }
  return { cookieSecure, trustProxy };
}

const STORE_KINDS = '"disk", "dynamodb", "dynamodb-locking" or "redis"';

function parseRedis(env: Env): RedisStoreConfig {
  const expected = "a URL such as redis://127.0.0.1:6379 (rediss:// for TLS; an optional /db number from 0 to 15)";
  const url = required(env, "REDIS_URL", expected);
  if (!/^rediss?:\/\/(?:[^@/\s]*@)?[^/\s:@]+:\d{1,5}(?:\/(?:\d|1[0-5]))?$/.test(url)) {
    // A password may sit in the URL (an AUTH token): never echo it.
    throw bad("REDIS_URL", url.replace(/\/\/[^@/]*@/, "//***@"), expected);
  }
  const prefix = read(env, "REDIS_KEY_PREFIX");
  const prefixExpected = "1 to 32 characters [A-Za-z0-9_:.-], such as sess:";
  if (prefix !== undefined && !/^[A-Za-z0-9_:.-]{1,32}$/.test(prefix)) {
    throw bad("REDIS_KEY_PREFIX", prefix, prefixExpected);
  }
  return { kind: "redis", url, keyPrefix: prefix ?? "sess:" };
}

function parseStore(env: Env): StoreConfig {
  const kind = required(env, "SESSION_STORE", STORE_KINDS);
  if (kind === "disk") {
    return { kind, dir: required(env, "SESSION_DIR", "a folder for this instance's session files") };
  }
  if (kind === "redis") return parseRedis(env);
  if (kind !== "dynamodb" && kind !== "dynamodb-locking") throw bad("SESSION_STORE", kind, STORE_KINDS);

  const endpoint = read(env, "DYNAMODB_ENDPOINT");
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    throw bad("DYNAMODB_ENDPOINT", endpoint, "an http(s) URL such as http://127.0.0.1:8000, or unset on AWS");
  }
  return {
    kind,
    table: matching(
      env,
      "DYNAMODB_TABLE",
      /^[A-Za-z0-9_.-]{3,255}$/,
      "a table name of 3 to 255 characters [A-Za-z0-9_.-]",
    ),
    region: matching(env, "AWS_REGION", /^[a-z0-9-]{1,32}$/, "an AWS region such as us-east-1"),
    endpoint,
    consistentRead: boolean(env, "DYNAMODB_CONSISTENT_READ", true),
    localCredentials: endpoint !== undefined && read(env, "AWS_ACCESS_KEY_ID") === undefined,
  };
}

function parseSessionLock(env: Env): SessionLockConfig {
  const ttl = read(env, "SESSION_LOCK_TTL_MS");
  const wait = read(env, "SESSION_LOCK_WAIT_MS");
  return {
    ttlMs: ttl === undefined ? 3000 : integer("SESSION_LOCK_TTL_MS", ttl, 100, 60_000),
    waitMs: wait === undefined ? 4000 : integer("SESSION_LOCK_WAIT_MS", wait, 1, 60_000),
  };
}

/** Reads the app's configuration from `env`; throws ConfigError naming the first bad variable. */
export function parseConfig(env: Env): AppConfig {
  const portExpected = "an integer from 0 to 65535";
  const instanceExpected = "1 to 64 characters [A-Za-z0-9_.-]";
  const ttl = read(env, "SESSION_TTL_SECONDS");
  const maxAge = read(env, "SESSION_MAX_AGE_SECONDS");
  const touchAfter = read(env, "SESSION_TOUCH_AFTER_FRACTION");
  const shutdown = read(env, "SHUTDOWN_TIMEOUT_MS");
  return {
    port: integer("PORT", required(env, "PORT", portExpected), 0, 65535),
    host: read(env, "HOST") ?? "127.0.0.1",
    instanceId: matching(env, "INSTANCE_ID", /^[A-Za-z0-9_.-]{1,64}$/, instanceExpected),
    sessionSecret: parseSecret(env),
    sessionTtlSeconds: ttl === undefined ? 3600 : integer("SESSION_TTL_SECONDS", ttl, 1, 31_536_000),
    sessionTouchAfterFraction: touchAfter === undefined ? 0.1 : fraction("SESSION_TOUCH_AFTER_FRACTION", touchAfter),
    sessionMaxAgeSeconds: maxAge === undefined ? 43_200 : integer("SESSION_MAX_AGE_SECONDS", maxAge, 1, 31_536_000),
    ...parseCookieOptions(env),
    sessionLock: parseSessionLock(env),
    shutdownTimeoutMs: shutdown === undefined ? 10_000 : integer("SHUTDOWN_TIMEOUT_MS", shutdown, 1, 600_000),
    testRoutes: read(env, "TARGET_APP_TEST_ROUTES") === "1",
    store: parseStore(env),
  };
}
