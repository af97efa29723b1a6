// Concurrent writes of one user against real stores: 20 overlapping POST /profile, each adding its own field, all
// answered 200. The dynamodb store keeps only some of them (last writer wins: the figure); the
// dynamodb-locking store (across two instances) and the disk store (per-session serialisation) keep all 20.

import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverTimingMs } from "../../scenarios/lib/server-timing.ts";
import { DiskStore } from "../src/stores/disk-store.ts";
import { DynamoDbLockingStore } from "../src/stores/dynamodb-locking-store.ts";
import { DynamoDbStore } from "../src/stores/dynamodb-store.ts";
import { createSessionTable } from "../src/stores/dynamodb-table.ts";
import type { SessionStore } from "../src/stores/session-store.ts";
import { Person, type RunningApp, startApp, testConfig } from "./helpers/app-server.ts";
import { type Dynalite, dynaliteMissingReason, localClient, startDynalite } from "./helpers/dynalite.ts";

const missing = dynaliteMissingReason();
if (missing) console.warn(`SKIPPED concurrent-updates.int.test.ts: ${missing}`);

const TABLE = "concurrent-sessions";
const WRITES = 20;
const root = mkdtempSync(join(tmpdir(), "concurrent-"));

interface Burst {
  statuses: number[];
  kept: number;
  lockMs: number[];
}

/** One person logs in on the first app, then sends WRITES overlapping writes, spread round robin over `apps`. */
async function burst(apps: RunningApp[], username: string): Promise<Burst> {
  const person = new Person();
  const first = apps[0] as RunningApp;
  expect((await person.request(first.url, "POST", "/login", { json: { username } })).status).toBe(200);
  const answers = await Promise.all(
    Array.from({ length: WRITES }, (_, i) =>
      person.request((apps[i % apps.length] as RunningApp).url, "POST", "/profile", {
        json: { key: `f${i}`, value: `v${i}` },
      }),
    ),
  );
  const read = await person.request(first.url, "GET", "/profile");
  expect(read.status).toBe(200);
  const profile = (read.json as { profile: Record<string, string> }).profile;
  return {
    statuses: answers.map((a) => a.status),
    kept: Object.keys(profile).length,
    lockMs: answers.map((a) => serverTimingMs(a.headers.get("server-timing"), "lock") ?? -1),
  };
}

describe.skipIf(missing !== null)("20 concurrent profile writes of one user", () => {
  let local: Dynalite | undefined;
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    local = await startDynalite();
    const setup = localClient(local.endpoint);
    await createSessionTable(setup, TABLE);
    setup.destroy();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await local?.stop();
    await rm(root, { recursive: true, force: true });
  });

  async function start(id: string, store: SessionStore): Promise<RunningApp> {
    const config = testConfig(id, {
      kind: store.kind === "dynamodb-locking" ? "dynamodb-locking" : "dynamodb",
      table: TABLE,
      region: "us-east-1",
      endpoint: local?.endpoint,
      consistentRead: true,
      localCredentials: true,
    });
    const app = await startApp(config, store);
    apps.push(app);
    return app;
  }

  const dynamo = () => new DynamoDbStore({ client: localClient(local?.endpoint ?? ""), table: TABLE });
  const locking = () => new DynamoDbLockingStore({ client: localClient(local?.endpoint ?? ""), table: TABLE });

  it("dynamodb: every write answered 200, and some of them lost (last writer wins)", async () => {
    const app = await start("plain", dynamo());
    const result = await burst([app], "plain-user");
    console.log(`dynamodb: ${result.kept} of ${WRITES} fields kept`);
    expect(result.statuses).toEqual(Array(WRITES).fill(200));
    expect(result.kept).toBeLessThan(WRITES);
    expect(result.lockMs).toEqual(Array(WRITES).fill(-1)); // no lock, so no lock;dur in Server-Timing
  });

  it("dynamodb-locking on two instances: all 20 kept, the waits in Server-Timing lock;dur", async () => {
    const pair = [await start("lock-a", locking()), await start("lock-b", locking())];
    const result = await burst(pair, "locking-user");
    console.log(`dynamodb-locking: ${result.kept} of ${WRITES} fields kept; lock waits ${result.lockMs.join(" ")}`);
    expect(result.statuses).toEqual(Array(WRITES).fill(200));
    expect(result.kept).toBe(WRITES);
    expect(result.lockMs.every((ms) => ms >= 0)).toBe(true);
    // The requests waited for each other: the last in line waited for most of the others.
    expect(Math.max(...result.lockMs)).toBeGreaterThan(0);
    const retries = pair.map((app) => (app.store as DynamoDbLockingStore).lockRetries);
    console.log(`dynamodb-locking: attempts that found the lock taken by the other instance: ${retries.join(" + ")}`);
  });

  it("disk: all 20 kept (one instance serialises a session's requests)", async () => {
    const app = await start("disk", new DiskStore({ dir: join(root, "disk"), sweepIntervalMs: 0 }));
    const result = await burst([app], "disk-user");
    console.log(`disk: ${result.kept} of ${WRITES} fields kept`);
    expect(result.statuses).toEqual(Array(WRITES).fill(200));
    expect(result.kept).toBe(WRITES);
  });
});
