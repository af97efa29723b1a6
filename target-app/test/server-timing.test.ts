// Server-Timing covers every store call of a request: a store that takes a known time per call, the calls each
// route makes, and the header's store time against them; the touch policy decides which reads write.
import type { SessionData } from "express-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreClock, serverTimingValue } from "../src/store-timing.ts";
import { SessionStore } from "../src/stores/session-store.ts";
import { touchDue } from "../src/touch-policy.ts";
import { type Answer, Person, type RunningApp, startApp, testConfig } from "./helpers/app-server.ts";

const DELAY_MS = 25;
type Callback = (err?: unknown) => void;

/** In memory, every call answered after DELAY_MS; records each call's operation. */
class SlowStore extends SessionStore {
  readonly kind = "disk";
  readonly calls: string[] = [];
  private readonly data = new Map<string, { json: string; expires: number }>();

  private later(op: string, run: () => void): void {
    this.calls.push(op);
    setTimeout(run, DELAY_MS);
  }

  override get(sid: string, callback: (err: unknown, sess?: SessionData | null) => void): void {
    this.later("get", () => {
      const item = this.data.get(sid);
      if (!item) return callback(null, null);
      const sess = JSON.parse(item.json) as SessionData;
      (sess.cookie as { expires?: unknown }).expires = new Date(item.expires).toISOString();
      callback(null, sess);
    });
  }

  override set(sid: string, sess: SessionData, callback?: Callback): void {
    const expires = new Date(sess.cookie?.expires ?? Date.now() + 3_600_000).getTime();
    this.later("set", () => {
      this.data.set(sid, { json: JSON.stringify(sess), expires });
      callback?.();
    });
  }

  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    this.later("touch", () => {
      const item = this.data.get(sid);
      if (item && sess.cookie?.expires) item.expires = new Date(sess.cookie.expires).getTime();
      callback?.();
    });
  }

  override destroy(sid: string, callback?: Callback): void {
    this.later("destroy", () => {
      this.data.delete(sid);
      callback?.();
    });
  }

  async close(): Promise<void> {}
}

const TIMING = /^store;dur=(\d+\.\d), total;dur=(\d+\.\d)$/;

function timingOf(answer: Answer): { store: number; total: number } {
  const header = answer.headers.get("server-timing") ?? "";
  const match = TIMING.exec(header);
  if (!match) throw new Error(`Server-Timing ${JSON.stringify(header)} does not match ${TIMING}`);
  return { store: Number(match[1]), total: Number(match[2]) };
}

/** Sends one request and returns the answer with the store calls it made; fails on a call after the answer. */
async function callsOf(store: SlowStore, run: () => Promise<Answer>): Promise<{ answer: Answer; calls: string[] }> {
  const before = store.calls.length;
  const answer = await run();
  const calls = store.calls.slice(before);
  await new Promise((resolve) => setTimeout(resolve, 3 * DELAY_MS));
  expect(store.calls.slice(before), "no store call after the answer").toEqual(calls);
  return { answer, calls };
}

/** The header's store time covers every call (each takes DELAY_MS), and total covers store. */
function expectCovers(answer: Answer, calls: string[]): void {
  const { store, total } = timingOf(answer);
  expect(store).toBeGreaterThanOrEqual(calls.length * DELAY_MS - 1);
  expect(total).toBeGreaterThanOrEqual(store);
}

describe("StoreClock and the header value", () => {
  it("counts overlapping calls once and a call still in flight so far", () => {
    let t = 0;
    const clock = new StoreClock(() => t);
    const a = clock.begin();
    t = 10;
    const b = clock.begin();
    t = 15;
    a();
    a(); // ending twice changes nothing
    t = 30;
    b();
    expect(clock.ms).toBe(30);
    const c = clock.begin();
    t = 34;
    expect(clock.ms).toBe(34);
    c();
    t = 50;
    expect(clock.ms).toBe(34);
  });

  it("formats milliseconds with one decimal", () => {
    expect(serverTimingValue(12.345, 14)).toBe("store;dur=12.3, total;dur=14.0");
  });
});

describe("touchDue", () => {
  const ttl = 3_600_000;
  it("writes only when the expiry moves by more than the fraction of the TTL", () => {
    expect(touchDue(1_000_000, 1_000_000 + 0.1 * ttl, ttl, 0.1)).toBe(false);
    expect(touchDue(1_000_000, 1_000_001 + 0.1 * ttl, ttl, 0.1)).toBe(true);
    expect(touchDue(1_000_000, 1_000_001, ttl, 0)).toBe(true);
    // Fraction 0 touches on every request, even one in the same millisecond as the stored expiry.
    expect(touchDue(1_000_000, 1_000_000, ttl, 0)).toBe(true);
    expect(touchDue(1_000_000, 1_000_000 + ttl, ttl, 1)).toBe(false);
    expect(touchDue(undefined, 5, ttl, 0.5)).toBe(true);
  });
});

describe.each([
  { fraction: 0, touches: true },
  { fraction: 0.5, touches: false },
])("Server-Timing with SESSION_TOUCH_AFTER_FRACTION=$fraction", ({ fraction, touches }) => {
  let app: RunningApp;
  let store: SlowStore;
  beforeAll(async () => {
    store = new SlowStore();
    app = await startApp(
      { ...testConfig("app-t", { kind: "disk", dir: "/unused" }), sessionTouchAfterFraction: fraction },
      store,
    );
  });
  afterAll(async () => app?.close());

  it("covers every store call of every session route, all made before the answer", async () => {
    const person = new Person();
    const touch = touches ? ["touch"] : [];

    const anonymous = await callsOf(store, () => person.request(app.url, "GET", "/profile"));
    expect(anonymous.answer.status).toBe(401);
    expect(anonymous.calls).toEqual([]);
    expectCovers(anonymous.answer, []);

    const login = await callsOf(store, () => person.request(app.url, "POST", "/login", { json: { username: "tim" } }));
    expect(login.answer.status).toBe(200);
    expect(login.calls).toEqual(["set"]);
    expectCovers(login.answer, login.calls);

    const read = await callsOf(store, () => person.request(app.url, "GET", "/profile"));
    expect(read.answer.status).toBe(200);
    expect(read.calls).toEqual(["get", ...touch]);
    expectCovers(read.answer, read.calls);

    const write = await callsOf(store, () =>
      person.request(app.url, "POST", "/profile", { json: { key: "k", value: "v" } }),
    );
    expect(write.answer.status).toBe(200);
    expect(write.calls).toEqual(["get", ...touch, "set"]);
    expectCovers(write.answer, write.calls);

    // A login over a live session: the old one destroyed, the new one saved once (express-session would save
    // the regenerated session a second time from res.end, after the headers).
    const relogin = await callsOf(store, () =>
      person.request(app.url, "POST", "/login", { json: { username: "tim" } }),
    );
    expect(relogin.answer.status).toBe(200);
    expect(relogin.calls).toEqual(["get", ...touch, "destroy", "set"]);
    expectCovers(relogin.answer, relogin.calls);

    const logout = await callsOf(store, () => person.request(app.url, "POST", "/logout"));
    expect(logout.answer.status).toBe(200);
    expect(logout.calls).toEqual(["get", ...touch, "destroy"]);
    expectCovers(logout.answer, logout.calls);
  });

  it("is not sent by the health check, which never reads the store", async () => {
    const ping = await new Person().request(app.url, "GET", "/ping.html");
    expect(ping.headers.get("server-timing")).toBeNull();
  });
});
