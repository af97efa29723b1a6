// A crash while holding a session's lock: an instance (a real process) is SIGKILLed while one of its requests holds
// the lock; another instance serves that user again once the lock lapses, no later than the lock's bound.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverTimingMs } from "../../scenarios/lib/server-timing.ts";
import { DynamoDbLockingStore } from "../src/stores/dynamodb-locking-store.ts";
import { createSessionTable } from "../src/stores/dynamodb-table.ts";
import { Person, type RunningApp, sessionIdOf, startApp, testConfig } from "./helpers/app-server.ts";
import { type Dynalite, dynaliteMissingReason, localClient, startDynalite } from "./helpers/dynalite.ts";

const missing = dynaliteMissingReason();
if (missing) console.warn(`SKIPPED session-lock-crash.int.test.ts: ${missing}`);

const repo = resolve(import.meta.dirname, "../..");
const TABLE = "lock-crash-sessions";
const LOCK_TTL_MS = 1500;
/** Slack for scheduling on a busy 2-core machine: the retry pause (at most 50 ms) and a few dynalite calls. */
const SLACK_MS = 600;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(missing !== null)("a crash while a session's lock is held", () => {
  let local: Dynalite | undefined;
  let child: ChildProcess | undefined;
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    local = await startDynalite();
    const setup = localClient(local.endpoint);
    await createSessionTable(setup, TABLE);
    setup.destroy();
  });
  afterAll(async () => {
    // Only the process this file started, by its PID.
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all(apps.map((app) => app.close()));
    await local?.stop();
  });

  it(`blocks the user's session for at most the lock's bound (${LOCK_TTL_MS} ms), then serves it`, async () => {
    const endpoint = local?.endpoint ?? "";
    const config = testConfig("survivor", {
      kind: "dynamodb-locking",
      table: TABLE,
      region: "us-east-1",
      endpoint,
      consistentRead: true,
      localCredentials: true,
    });
    const lockConfig = { client: localClient(endpoint), table: TABLE, lockTtlMs: LOCK_TTL_MS, lockWaitMs: 4000 };
    const survivor = await startApp(config, new DynamoDbLockingStore(lockConfig));
    const impatient = await startApp(
      { ...config, instanceId: "impatient" },
      new DynamoDbLockingStore({ ...lockConfig, client: localClient(endpoint), lockWaitMs: 300 }),
    );
    apps.push(survivor, impatient);

    // The instance that will crash: the real entry point, sharing the table and the cookie secret.
    child = spawn(process.execPath, ["--import", "tsx", "target-app/src/main.ts"], {
      cwd: repo,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        PORT: "0",
        INSTANCE_ID: "victim",
        SESSION_STORE: "dynamodb-locking",
        SESSION_LOCK_TTL_MS: String(LOCK_TTL_MS),
        DYNAMODB_ENDPOINT: endpoint,
        DYNAMODB_TABLE: TABLE,
        AWS_REGION: "us-east-1",
        SESSION_SECRET: config.sessionSecret,
        TARGET_APP_TEST_ROUTES: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const victimUrl = await waitFor("the victim's listening line", async () => {
      if (child?.exitCode !== null) throw new Error(`the victim exited early: ${stdout}`);
      return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    });

    const person = new Person();
    expect((await person.request(survivor.url, "POST", "/login", { json: { username: "crash-user" } })).status).toBe(
      200,
    );
    const sid = sessionIdOf(person.cookie) ?? "";
    // A request on the victim loads the session, so takes its lock, and holds it for 30 s.
    void person.request(victimUrl, "GET", "/__test/hold?ms=30000").catch(() => undefined);
    const client = localClient(endpoint);
    const lockExpires = await waitFor("the victim's lock on the session", async () => {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: TABLE, Key: { id: { S: sid } }, ConsistentRead: true }),
      );
      return Item?.lock ? Number(Item.lockExpires?.N) : undefined;
    });
    client.destroy();
    child.kill("SIGKILL");
    const killedAt = Date.now();
    await new Promise((r) => child?.once("exit", r));

    // A request that waits less than the lock's bound gives up with a 503 that says why.
    const early = await person.request(impatient.url, "GET", "/profile");
    expect(early.status).toBe(503);
    expect((early.json as { error: string }).error).toMatch(
      /^session is locked by another request; gave up after waiting \d+ ms$/,
    );

    // The survivor waits for the lock to lapse, takes it and answers: the write is kept.
    const answer = await person.request(survivor.url, "POST", "/profile", { json: { key: "after", value: "crash" } });
    const answeredAt = Date.now();
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ username: "crash-user", profile: { after: "crash" } });
    const lockMs = serverTimingMs(answer.headers.get("server-timing"), "lock") ?? -1;
    console.log(
      `lock taken at ${lockExpires - LOCK_TTL_MS}, victim killed ${killedAt - (lockExpires - LOCK_TTL_MS)} ms later; ` +
        `answered ${answeredAt - lockExpires} ms after the lock lapsed, after waiting lock;dur=${lockMs} ms`,
    );
    // Blocked until the lock lapsed (not before), and no longer than its bound from when it was taken.
    expect(answeredAt).toBeGreaterThanOrEqual(lockExpires - 50);
    expect(answeredAt - (lockExpires - LOCK_TTL_MS)).toBeLessThanOrEqual(LOCK_TTL_MS + SLACK_MS);
    expect(lockMs).toBeGreaterThan(0);

    const read = await person.request(survivor.url, "GET", "/profile");
    expect(read.json).toMatchObject({ profile: { after: "crash" } });
  });
});
