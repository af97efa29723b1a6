// Time spent waiting on the session store per request, the Server-Timing header that reports it, and the
// store views that make every store call of a request happen, and be timed, before its headers are written.
import type { ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";
import type { Store } from "express-session";
import session from "express-session";
import { RequestScope } from "./stores/session-lease.ts";

/** Wall time during which at least one store call of one request was in flight (overlapping calls count once). */
export class StoreClock {
  private inFlight = 0;
  private since = 0;
  private doneMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Marks a store call as started; call the returned function once when it ends. */
  begin(): () => void {
    if (this.inFlight++ === 0) this.since = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.inFlight === 0) this.doneMs += this.now() - this.since;
    };
  }

  /** Milliseconds so far, including a call still in flight. */
  get ms(): number {
    return this.doneMs + (this.inFlight > 0 ? this.now() - this.since : 0);
  }
}

/**
 * `store;dur=<ms>, total;dur=<ms>`, one decimal each; with a locking store `store;dur=<ms>, lock;dur=<ms>,
 * total;dur=<ms>`, where lock is the part of store spent waiting for the session's lock (the load engine's scenarios parse these).
 */
export function serverTimingValue(storeMs: number, totalMs: number, lockMs?: number): string {
  const lock = lockMs === undefined ? "" : `lock;dur=${lockMs.toFixed(1)}, `;
  return `store;dur=${storeMs.toFixed(1)}, ${lock}total;dur=${totalMs.toFixed(1)}`;
}

/** This request's store clock (made by serverTiming). */
export function storeClockOf(res: Response): StoreClock {
  const clock: unknown = res.locals.storeClock;
  if (!(clock instanceof StoreClock)) throw new Error("storeClockOf: the serverTiming middleware must run first");
  return clock;
}

/**
 * Starts this request's store clock and, just before its headers are written, sets
 * `Server-Timing: store;dur=<ms>, total;dur=<ms>` (total: from here to the headers).
 */
export function serverTiming(_req: Request, res: Response, next: NextFunction): void {
  const arrived = performance.now();
  const clock = new StoreClock();
  res.locals.storeClock = clock;
  const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!this.headersSent) {
      const lockMs = res.locals.locksSessions === true ? lockWaitOf(res) : undefined;
      this.setHeader("Server-Timing", serverTimingValue(clock.ms, performance.now() - arrived, lockMs));
    }
    return writeHead.apply(this, args);
  } as typeof res.writeHead;
  next();
}

function lockWaitOf(res: Response): number {
  const scope: unknown = res.locals.requestScope;
  return scope instanceof RequestScope ? scope.lockWaitMs : 0;
}

type Callback = (err?: unknown) => void;

/**
 * The store as express-session's middleware sees it: the same get, set and destroy, but no touch, so that
 * express-session never touches a session from `res.end`, after the headers are written. The app touches
 * sessions itself, before replying, when its touch policy says so.
 */
export class UntouchedStore extends session.Store {
  constructor(private readonly inner: Store) {
    super();
  }

  override get(sid: string, callback: (err: unknown, sess?: session.SessionData | null) => void): void {
    this.inner.get(sid, callback);
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    this.inner.set(sid, sess, callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.inner.destroy(sid, callback);
  }

  /** The wrapped store's touch, for the app's own touch policy; express-session does not see it. */
  touchNow(sid: string, sess: session.SessionData | session.Session, callback: Callback): void {
    // express-session hands stores its Session object as the data, as here.
    if (this.inner.touch) this.inner.touch(sid, sess as unknown as session.SessionData, callback);
    else callback();
  }
}
// express-session decides once whether a store implements touch; this store must not.
Object.defineProperty(UntouchedStore.prototype, "touch", { value: undefined });

/**
 * One request's view of the store, for `req.sessionStore` (which the session's save, regenerate, destroy and
 * reload use): every call timed on `clock`. A set of the same data this request last saved is acknowledged
 * without a store call (express-session saves a regenerated session again from `res.end`, after the headers).
 */
/** What `req.sessionStore` holds after the session middleware: the view, with express-session's generate(). */
export type RequestStore = UntouchedStore & Request["sessionStore"];

export function timedStoreView(store: UntouchedStore, clock: StoreClock): RequestStore {
  const timed = (callback: Callback | undefined): Callback => {
    const end = clock.begin();
    return (err?: unknown) => {
      end();
      callback?.(err);
    };
  };
  let lastSaved: string | undefined;
  // express-session has set generate() on `store`; the view inherits it, and regenerate() calls this.destroy.
  const view = Object.create(store) as RequestStore;
  view.get = (sid, callback) => {
    const end = clock.begin();
    store.get(sid, (err, sess) => {
      end();
      callback(err, sess);
    });
  };
  view.destroy = (sid, callback) => store.destroy(sid, timed(callback));
  view.touchNow = (sid, sess, callback) => store.touchNow(sid, sess, timed(callback));
  view.set = (sid, sess, callback) => {
    // The cookie left out, as express-session's own "modified" check does: its expiry moves by milliseconds.
    const text = `${sid}\n${JSON.stringify({ ...sess, cookie: undefined })}`;
    if (text === lastSaved) {
      callback?.();
      return;
    }
    store.set(
      sid,
      sess,
      timed((err) => {
        if (!err) lastSaved = text;
        callback?.(err);
      }),
    );
  };
  return view;
}
