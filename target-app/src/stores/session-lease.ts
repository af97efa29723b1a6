// Per-request session leases: a store that locks a session on load registers the lock with the request's
// scope, and the app ends the scope (releasing every lock still held) before the answer is sent.
import { AsyncLocalStorage } from "node:async_hooks";

/** Whatever a store must do once the request that loaded a session is over (release its lock). */
export type LeaseEnd = () => Promise<void>;

/** A store's hold on one session for one request; stores keep their own details in a subclass. */
export class Lease {
  constructor(
    readonly sid: string,
    readonly end: LeaseEnd,
  ) {}
}

/**
 * One request's leases and the time it spent waiting for session locks. A save belongs to the request that loaded
 * the session: a store finds its hold here (never in a map keyed by session id, which a later request of the same
 * session would share), and refuses a save once the request is over (its client gone).
 */
export class RequestScope {
  private readonly leases: Lease[] = [];
  private readonly creatable = new Set<string>();
  private ended: Promise<void> | undefined;
  /** Milliseconds this request waited for session locks (local queue and the store's lock). */
  lockWaitMs = 0;

  /** Registers a lease; its `end` is called once, when the request's scope ends. */
  hold(lease: Lease): void {
    if (this.ended) {
      void lease.end(); // a lease taken after the request ended (a late callback): released at once
      return;
    }
    this.leases.push(lease);
  }

  /** This request's lease on `sid`, if it holds one. */
  leaseOf(sid: string): Lease | undefined {
    return this.leases.find((lease) => lease.sid === sid);
  }

  /** True while some lease waits for the end of the request. */
  get holding(): boolean {
    return this.leases.length > 0;
  }

  /** True once the request is over (answered, or its client gone): it may no longer save. */
  get over(): boolean {
    return this.ended !== undefined;
  }

  /** Lets this request create the session `sid` (only a login does): other saves update an existing session. */
  allowCreate(sid: string): void {
    this.creatable.add(sid);
  }

  /** How a save of `sid` may write: see SaveMode. Throws RequestEndedError once the request is over. */
  saveMode(sid: string): SaveMode {
    if (this.ended) throw new RequestEndedError();
    return this.creatable.has(sid) ? "create" : "update";
  }

  /** Ends every lease of this request (once; later calls return the same promise). Never rejects. */
  end(): Promise<void> {
    this.ended ??= Promise.allSettled(this.leases.splice(0).map((lease) => lease.end())).then(() => undefined);
    return this.ended;
  }
}

/**
 * `create`: a login's new session, written whatever is stored; `update`: a loaded session, written only while it
 * still exists (a logout meanwhile wins); `upsert`: outside any request (tests, tools), written as given.
 */
export type SaveMode = "create" | "update" | "upsert";

/** The save mode of `sid` in the request being served (upsert outside one); throws RequestEndedError when it is over. */
export function currentSaveMode(sid: string): SaveMode {
  return currentRequestScope()?.saveMode(sid) ?? "upsert";
}

/** A save of a request that is already over (its client went away): refused, so that it never lands late. */
export class RequestEndedError extends Error {
  override name = "RequestEndedError";
  constructor() {
    super("the client went away while the request held the session; not saved");
  }
}

/** A save of a session that no longer exists (logged out meanwhile): refused, so that logout stays final. */
export class SessionEndedError extends Error {
  override name = "SessionEndedError";
  constructor() {
    super("the session ended (logged out) while this request ran; not saved");
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
