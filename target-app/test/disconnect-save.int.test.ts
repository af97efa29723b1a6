// A client that goes away while its request holds the session: the request's late save must not land, so that every
// write the app acknowledged survives. Real app over HTTP, real stores; the late save is held at a gate (a slow store
// call) until the other requests have run.
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SESSION_COOKIE } from "../src/app.ts";
import { DiskStore } from "../src/stores/disk-store.ts";
import { DynamoDbLockingStore } from "../src/stores/dynamodb-locking-store.ts";
import { createSessionTable } from "../src/stores/dynamodb-table.ts";
import { type Answer, Person, type RunningApp, startApp, testConfig } from "./helpers/app-server.ts";
import { type Dynalite, dynaliteMissingReason, localClient, startDynalite } from "./helpers/dynalite.ts";
import { gateSave, waitUntil } from "./helpers/gated-saves.ts";

const missing = dynaliteMissingReason();
if (missing) console.warn(`SKIPPED disconnect-save.int.test.ts (dynamodb-locking part): ${missing}`);

const TABLE = "disconnect-sessions";
const root = mkdtempSync(join(tmpdir(), "disconnect-"));

/** A POST /profile whose client gives up: `abort()` closes the connection while the request is served. */
function abortableWrite(app: RunningApp, cookie: string, key: string) {
  const controller = new AbortController();
  const sent = fetch(`${app.url}/profile`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: `${SESSION_COOKIE}=${cookie}` },
    body: JSON.stringify({ key, value: "1" }),
    signal: controller.signal,
  }).then(
    () => "answered",
    () => "aborted",
  );
  return { abort: () => controller.abort(), sent };
}

/** A second person holding the same cookie: another tab of the same user. */
function tab(of: Person): Person {
  const other = new Person();
  other.cookie = of.cookie;
  return other;
}

const profileOf = (answer: Answer) => (answer.json as { profile?: Record<string, string> }).profile ?? {};

/** Logs of the app in this process: the refused late save must be said. */
function captureLogs(): () => string {
  const lines: string[] = [];
  for (const level of ["warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
  }
  return () => lines.join("\n");
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a client gone while its request holds the session", () => {
  const apps: RunningApp[] = [];
  let local: Dynalite | undefined;

  beforeAll(async () => {
    if (missing) return;
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

  it.skipIf(missing !== null)(
    "dynamodb-locking: the aborted request's late save is refused; the second tab's and the other instance's writes both survive",
    async () => {
      const endpoint = local?.endpoint ?? "";
      const config = (id: string) =>
        testConfig(id, {
          kind: "dynamodb-locking",
          table: TABLE,
          region: "us-east-1",
          endpoint,
          consistentRead: true,
          localCredentials: true,
        });
      const store = () => new DynamoDbLockingStore({ client: localClient(endpoint), table: TABLE });
      const one = await startApp(config("lock-one"), store());
      const two = await startApp(config("lock-two"), store());
      apps.push(one, two);
      const logs = captureLogs();

      const person = new Person();
      expect((await person.request(one.url, "POST", "/login", { json: { username: "tabs" } })).status).toBe(200);
      const late = gateSave(one.store, "a");
      const second = gateSave(one.store, "b");

      // A: loads the session (takes its lock), then its save is slow; its client gives up meanwhile.
      const a = abortableWrite(one, person.cookie ?? "", "a");
      await late.reached;
      a.abort();
      expect(await a.sent).toBe("aborted");
      // B, a second tab on the same instance: takes the lock once A's request is over; its save is held too.
      const b = tab(person).request(one.url, "POST", "/profile", { json: { key: "b", value: "1" } });
      await second.reached;
      // A's late save now reaches the store, while B holds the lock.
      late.release();
      await late.settled;
      // C, on the other instance: must wait for B, or at least not be overwritten by B.
      const lockStore = two.store as DynamoDbLockingStore;
      let cDone = false;
      const c = tab(person)
        .request(two.url, "POST", "/profile", { json: { key: "c", value: "1" } })
        .finally(() => {
          cDone = true;
        });
      await waitUntil("C answered or waiting for the lock", () => cDone || lockStore.lockRetries > 0);
      second.release();
      const [bAnswer, cAnswer] = await Promise.all([b, c]);

      const final = await tab(person).request(two.url, "GET", "/profile");
      const acknowledged = [
        ["b", bAnswer],
        ["c", cAnswer],
      ]
        .filter(([, answer]) => (answer as Answer).status === 200)
        .map(([key]) => key as string);
      console.log(
        `B ${bAnswer.status}, C ${cAnswer.status}; final profile ${JSON.stringify(profileOf(final))}; A's late save: ${String(await late.settled)}`,
      );
      expect(acknowledged).toEqual(["b", "c"]);
      for (const key of acknowledged) expect(profileOf(final)).toHaveProperty(key);
      expect(profileOf(final)).not.toHaveProperty("a");
      expect(await late.settled).toBeInstanceOf(Error);
      expect(logs()).toMatch(/client went away.*not saved/);
    },
  );

  it("disk: the aborted request's late save is refused; the second tab's acknowledged write survives", async () => {
    const app = await startApp(testConfig("disk-one", { kind: "disk", dir: join(root, "disk") }), diskStore());
    apps.push(app);
    const logs = captureLogs();

    const person = new Person();
    expect((await person.request(app.url, "POST", "/login", { json: { username: "disk-tabs" } })).status).toBe(200);
    const late = gateSave(app.store, "a");

    const a = abortableWrite(app, person.cookie ?? "", "a");
    await late.reached;
    a.abort();
    expect(await a.sent).toBe("aborted");
    // B, a second tab: served once A's request is over, and answered.
    const b = await tab(person).request(app.url, "POST", "/profile", { json: { key: "b", value: "1" } });
    expect(b.status).toBe(200);
    // A's late save reaches the store after B's acknowledged one.
    late.release();
    const refused = await late.settled;

    const final = await tab(person).request(app.url, "GET", "/profile");
    console.log(`B ${b.status}; final profile ${JSON.stringify(profileOf(final))}; A's late save: ${String(refused)}`);
    expect(profileOf(final)).toEqual({ b: "1" });
    expect(refused).toBeInstanceOf(Error);
    expect(logs()).toMatch(/client went away.*not saved/);
  });
});

function diskStore(): DiskStore {
  return new DiskStore({ dir: join(root, "disk"), sweepIntervalMs: 0 });
}
