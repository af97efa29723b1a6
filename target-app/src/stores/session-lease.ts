// Per-request session leases: a store that locks a session on load registers the lock with the request's
// scope, and the app ends the scope (releasing every lock still held) before the answer is sent.
import { AsyncLocalStorage } from "node:async_hooks";

/** Whatever a store must do once the request that loaded a session is over (release its lock). */
export type LeaseEnd = () => Promise<void>;

/** One request's leases and the time it spent waiting for session locks. */
export class RequestScope {
  private readonly ends: LeaseEnd[] = [];
  private ended: Promise<void> | undefined;
  /** Milliseconds this request waited for session locks (local queue and the store's lock). */
  lockWaitMs = 0;

  /** Registers a lease; `end` is called once, when the request's scope ends. */
  hold(end: LeaseEnd): void {
    if (this.ended) {
      void end(); // a lease taken after the request ended (a late callback): released at once
      return;
    }
    this.ends.push(end);
  }

  /** True while some lease waits for the end of the request. */
  get holding(): boolean {
    return this.ends.length > 0;
  }

  /** Ends every lease of this request (once; later calls return the same promise). Never rejects. */
  end(): Promise<void> {
    this.ended ??= Promise.allSettled(this.ends.splice(0).map((end) => end())).then(() => undefined);
    return this.ended;
  }
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** Runs `task` (the session middleware) in `scope`: store calls made from it, and from its continuations, see it. */
export function inRequestScope<T>(scope: RequestScope, task: () => T): T {
  return scopes.run(scope, task);
}

/** The scope of the request being served, or undefined outside a request (tests, the orchestrator's audit). */
export function currentRequestScope(): RequestScope | undefined {
  return scopes.getStore();
}

/** A lock wait ran out: the session stays locked by another request. The app answers 503. */
export class SessionLockTimeoutError extends Error {
  override name = "SessionLockTimeoutError";
  constructor(readonly waitedMs: number) {
    super(`session is locked by another request; gave up after waiting ${Math.round(waitedMs)} ms`);
  }
}

/**
 * Per-session serialisation within one process: at most one request holds a session id at a time; the others wait
 * in arrival order, each for at most its own bound.
 */
export class LocalSessionLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Resolves with a release function once `sid` is this caller's; rejects with SessionLockTimeoutError after `waitMs`. */
  acquire(sid: string, waitMs: number): Promise<() => void> {
    const previous = this.tails.get(sid) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The next caller waits for this one's release, and for nothing else (a timed-out waiter releases at once).
    const tail = previous.then(() => mine);
    this.tails.set(sid, tail);
    void tail.then(() => {
      if (this.tails.get(sid) === tail) this.tails.delete(sid);
    });
    const started = performance.now();
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        release();
        reject(new SessionLockTimeoutError(performance.now() - started));
      }, waitMs);
      void previous.then(() => {
        if (timedOut) return;
        clearTimeout(timer);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          release();
        });
      });
    });
  }

  /** Session ids held or waited for right now (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
