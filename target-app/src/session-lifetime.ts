// The absolute session lifetime: a logged-in session older than its maximum age since login is a miss, however active.
import type { SessionData } from "express-session";
import { SessionStore } from "./stores/session-store.ts";

declare module "express-session" {
  interface SessionData {
    /** Epoch milliseconds of the login that started this session. */
    loginAt: number;
  }
}

/** True when the session started more than `maxAgeMs` ago, or carries no valid login time (then it cannot be judged). */
export function isPastMaxAge(loginAt: unknown, nowMs: number, maxAgeMs: number): boolean {
  if (typeof loginAt !== "number" || !Number.isFinite(loginAt)) return true;
  return nowMs - loginAt >= maxAgeMs;
}

type Callback = (err?: unknown) => void;

/**
 * Wraps a store so that `get` answers a miss for a logged-in session past its maximum age (and deletes it). A miss
 * at load time, unlike a regenerate in a route, leaves express-session with a fresh, unsaved session: nothing is written.
 */
export class MaxAgeStore extends SessionStore {
  readonly kind: SessionStore["kind"];

  constructor(
    private readonly inner: SessionStore,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.kind = inner.kind;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.inner.get(sid, (err, sess) => {
      if (err || !sess || sess.username === undefined) return callback(err, sess);
      if (!isPastMaxAge(sess.loginAt, this.now(), this.maxAgeMs)) return callback(null, sess);
      this.inner.destroy(sid, (destroyErr) => callback(destroyErr ?? null, null));
    });
  }

  override set(sid: string, sess: SessionData, callback?: Callback): void {
    this.inner.set(sid, sess, callback);
  }

  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    if (this.inner.touch) this.inner.touch(sid, sess, callback);
    else callback?.();
  }

  override destroy(sid: string, callback?: Callback): void {
    this.inner.destroy(sid, callback);
  }

  override get locksSessions(): boolean {
    return this.inner.locksSessions;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
