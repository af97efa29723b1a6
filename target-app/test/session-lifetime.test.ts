// The absolute session lifetime from login, and the Secure cookie behind a TLS-terminating proxy.
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isPastMaxAge } from "../src/session-lifetime.ts";
import { DiskStore } from "../src/stores/disk-store.ts";
import { Person, type RunningApp, startApp, testConfig } from "./helpers/app-server.ts";
import { FakeClock } from "./store-contract.ts";

const root = mkdtempSync(join(tmpdir(), "lifetime-test-"));
const apps: RunningApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await rm(root, { recursive: true, force: true });
});

async function start(id: string, overrides: Partial<ReturnType<typeof testConfig>>, now?: () => number) {
  const dir = join(root, id);
  const app = await startApp({ ...testConfig(id, { kind: "disk", dir }), ...overrides }, new DiskStore({ dir }), now);
  apps.push(app);
  return app;
}

describe("isPastMaxAge", () => {
  it("is false before the maximum age, true at and after it, true without a login time", () => {
    expect(isPastMaxAge(1000, 1999, 1000)).toBe(false);
    expect(isPastMaxAge(1000, 2000, 1000)).toBe(true);
    expect(isPastMaxAge(undefined, 0, 1000)).toBe(true);
    expect(isPastMaxAge("1000", 1500, 1000)).toBe(true);
  });
});

describe("a session ends at its maximum age from login, however active", () => {
  it("keeps an active session until SESSION_MAX_AGE_SECONDS, then answers 401 and deletes it", async () => {
    // The cookie (TTL) slides; the store's clock is real, only the app's lifetime clock is moved.
    const clock = new FakeClock(Date.now());
    const app = await start("app-life", { sessionTtlSeconds: 3600, sessionMaxAgeSeconds: 600 }, clock.now);
    const person = new Person();
    expect((await person.request(app.url, "POST", "/login", { json: { username: "ada" } })).status).toBe(200);
    for (let minute = 1; minute < 10; minute++) {
      clock.advance(60_000);
      expect((await person.request(app.url, "GET", "/profile")).status).toBe(200);
    }
    clock.advance(60_000); // 10 minutes after login
    const res = await person.request(app.url, "GET", "/profile");
    expect(res.status).toBe(401);
    expect(await new Promise((resolve) => app.store.length?.((_err, n) => resolve(n)))).toBe(0);
    // A new login starts a new lifetime.
    expect((await person.request(app.url, "POST", "/login", { json: { username: "ada" } })).status).toBe(200);
    clock.advance(300_000);
    expect((await person.request(app.url, "GET", "/profile")).status).toBe(200);
  });
});

describe("COOKIE_SECURE with TRUST_PROXY", () => {
  it("sends a Secure cookie when the trusted balancer says https, and never over plain http", async () => {
    const app = await start("app-tls", { cookieSecure: true, trustProxy: 1 });
    const viaTls = new Person();
    const res = await viaTls.request(app.url, "POST", "/login", {
      json: { username: "grace" },
      headers: { "x-forwarded-proto": "https" },
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("fh.sid="));
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    const plain = await new Person().request(app.url, "POST", "/login", { json: { username: "grace" } });
    expect(plain.headers.getSetCookie()).toEqual([]);
  });

  it("sends no Secure flag by default", async () => {
    const app = await start("app-plain", {});
    const res = await new Person().request(app.url, "POST", "/login", { json: { username: "linus" } });
    expect(res.headers.getSetCookie().find((c) => c.startsWith("fh.sid="))).not.toMatch(/Secure/);
  });
});
