// The contract every session store passes (express-session's Store: get/set/destroy/touch, expiry), run per store.
import type { SessionData } from "express-session";
import { afterEach, describe, expect, it } from "vitest";
import type { SessionStore } from "../src/stores/session-store.ts";

/** A clock that only moves when the test moves it. */
export class FakeClock {
  constructor(public ms: number) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A session as express-session hands it to a store: a cookie expiring `ttlMs` after `nowMs`, plus our fields. */
export function sessionAt(nowMs: number, ttlMs: number, fields: Partial<SessionData> = {}): SessionData {
  const cookie = {
    originalMaxAge: ttlMs,
    expires: new Date(nowMs + ttlMs),
    httpOnly: true,
    path: "/",
    sameSite: "lax" as const,
  };
  return { ...fields, cookie } as unknown as SessionData;
}

export const storeGet = (store: SessionStore, sid: string) =>
  new Promise<SessionData | null | undefined>((resolve, reject) =>
    store.get(sid, (err, sess) => (err ? reject(err) : resolve(sess))),
  );
export const storeSet = (store: SessionStore, sid: string, sess: SessionData) =>
  new Promise<void>((resolve, reject) => store.set(sid, sess, (err) => (err ? reject(err) : resolve())));
export const storeDestroy = (store: SessionStore, sid: string) =>
  new Promise<void>((resolve, reject) => store.destroy(sid, (err) => (err ? reject(err) : resolve())));
export const storeTouch = (store: SessionStore, sid: string, sess: SessionData) =>
  new Promise<void>((resolve, reject) =>
    store.touch?.(sid, sess, ((err?: unknown) => (err ? reject(err) : resolve())) as () => void),
  );

const MINUTE = 60_000;
let counter = 0;
/** A fresh, valid session id per test (the same shape express-session generates). */
const newSid = () => `contract_${process.pid}_${Date.now().toString(36)}_${counter++}`;

export function describeStoreContract(name: string, makeStore: (now: () => number) => Promise<SessionStore>): void {
  describe(`${name} store contract`, () => {
    let store: SessionStore | undefined;
    let clock: FakeClock;

    async function open(): Promise<SessionStore> {
      clock = new FakeClock(Date.now());
      store = await makeStore(clock.now);
      return store;
    }

    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it("answers an unknown id with null, not an error", async () => {
      const s = await open();
      expect(await storeGet(s, newSid())).toBeNull();
    });

    it("returns what was set (round trip)", async () => {
      const s = await open();
      const sid = newSid();
      const sess = sessionAt(clock.ms, 10 * MINUTE, { username: "alice", profile: { colour: "blue", "a-b": "<x>" } });
      await storeSet(s, sid, sess);
      const read = await storeGet(s, sid);
      expect(read).toMatchObject({ username: "alice", profile: { colour: "blue", "a-b": "<x>" } });
      expect(new Date(read?.cookie.expires ?? 0).getTime()).toBe(clock.ms + 10 * MINUTE);
    });

    it("overwrites a session on a second set and keeps sessions apart", async () => {
      const s = await open();
      const [a, b] = [newSid(), newSid()];
      await storeSet(s, a, sessionAt(clock.ms, MINUTE, { username: "a1" }));
      await storeSet(s, b, sessionAt(clock.ms, MINUTE, { username: "b1" }));
      await storeSet(s, a, sessionAt(clock.ms, MINUTE, { username: "a2", profile: { k: "v" } }));
      expect(await storeGet(s, a)).toMatchObject({ username: "a2", profile: { k: "v" } });
      expect(await storeGet(s, b)).toMatchObject({ username: "b1" });
    });

    it("forgets a destroyed session; destroying an unknown id is not an error", async () => {
      const s = await open();
      const sid = newSid();
      await storeSet(s, sid, sessionAt(clock.ms, MINUTE, { username: "bob" }));
      await storeDestroy(s, sid);
      expect(await storeGet(s, sid)).toBeNull();
      await expect(storeDestroy(s, newSid())).resolves.toBeUndefined();
    });

    it("treats an expired session as missing", async () => {
      const s = await open();
      const sid = newSid();
      await storeSet(s, sid, sessionAt(clock.ms, MINUTE, { username: "carol" }));
      clock.advance(MINUTE - 5_000);
      expect(await storeGet(s, sid)).toMatchObject({ username: "carol" });
      clock.advance(10_000);
      expect(await storeGet(s, sid)).toBeNull();
    });

    it("extends the expiry on touch, keeping the data", async () => {
      const s = await open();
      const sid = newSid();
      await storeSet(s, sid, sessionAt(clock.ms, MINUTE, { username: "dave", profile: { k: "v" } }));
      clock.advance(MINUTE / 2);
      await storeTouch(s, sid, sessionAt(clock.ms, MINUTE, { username: "dave", profile: { k: "v" } }));
      clock.advance(MINUTE * 0.75); // past the first expiry, before the touched one
      expect(await storeGet(s, sid)).toMatchObject({ username: "dave", profile: { k: "v" } });
      clock.advance(MINUTE);
      expect(await storeGet(s, sid)).toBeNull();
    });

    it("gives a touched session's stored expiry back in cookie.expires (what the app's touch policy compares)", async () => {
      const s = await open();
      const sid = newSid();
      await storeSet(s, sid, sessionAt(clock.ms, MINUTE, { username: "fay" }));
      clock.advance(MINUTE / 2);
      const touched = sessionAt(clock.ms, MINUTE, { username: "fay" });
      await storeTouch(s, sid, touched);
      const read = await storeGet(s, sid);
      const expiresMs = new Date(read?.cookie.expires ?? 0).getTime();
      // DynamoDB keeps whole seconds (rounded up).
      expect(expiresMs).toBeGreaterThanOrEqual(clock.ms + MINUTE);
      expect(expiresMs).toBeLessThan(clock.ms + MINUTE + 1000);
      expect(read).toMatchObject({ username: "fay" });
    });

    it("does not bring back a destroyed session on touch", async () => {
      const s = await open();
      const sid = newSid();
      await storeSet(s, sid, sessionAt(clock.ms, MINUTE, { username: "erin" }));
      await storeDestroy(s, sid);
      await storeTouch(s, sid, sessionAt(clock.ms, MINUTE, { username: "erin" }));
      expect(await storeGet(s, sid)).toBeNull();
    });
  });
}
