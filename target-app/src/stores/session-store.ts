// What every session store of the target app provides beyond express-session's Store, and its error type.
import session from "express-session";

declare module "express-session" {
  /** What the target app keeps in a session; `username` is what the orchestrator's store audit reads. */
  interface SessionData {
    username: string;
    /** The user's key/value profile; keys are validated, so no prototype keys ever reach it. */
    profile: Record<string, string>;
  }
}

/** The store could not be reached or failed; the app answers 503 and keeps serving. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  /** A short, human-readable reason, e.g. "connect ECONNREFUSED 127.0.0.1:8000". */
  readonly reason: string;

  constructor(operation: string, cause: unknown) {
    const reason = describeCause(cause);
    super(`session store ${operation} failed: ${reason}`, { cause });
    this.reason = reason;
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  // Node reports a refused connection to a name with several addresses as an AggregateError with no message.
  if (cause.message) return cause.message;
  if (cause instanceof AggregateError && cause.errors.length > 0) return describeCause(cause.errors[0]);
  return typeof code === "string" ? code : cause.name;
}

/** express-session's Store plus what the app needs to run and stop it. */
export abstract class SessionStore extends session.Store {
  abstract readonly kind: "disk" | "dynamodb" | "dynamodb-locking" | "redis";
  /** True when a request's load takes the session's lock until the request ends (Server-Timing then has lock;dur=). */
  get locksSessions(): boolean {
    return false;
  }
  /** Releases connections and handles; called once at shutdown. */
  abstract close(): Promise<void>;
}

/** The epoch-millisecond expiry of a session: its cookie's expiry, else now + the default TTL. */
export function sessionExpiresMs(sess: session.SessionData, nowMs: number, defaultTtlMs: number): number {
  const expires = sess.cookie?.expires;
  if (expires) {
    const ms = new Date(expires).getTime();
    if (Number.isFinite(ms)) return ms;
  }
  return nowMs + defaultTtlMs;
}

/**
 * The session as read, its cookie's expiry set to the one the store holds (a touch moves only the stored expiry,
 * not the copy inside the session data), so that the app's touch policy compares against what is stored.
 * Left as it is when both agree to the second (DynamoDB keeps whole seconds).
 */
export function withStoredExpiry(sess: session.SessionData, storedExpiresMs: number): session.SessionData {
  const cookie = sess.cookie as { expires?: unknown } | undefined;
  if (!cookie || typeof cookie !== "object") return sess;
  const current = cookie.expires ? new Date(cookie.expires as string).getTime() : Number.NaN;
  if (Number.isFinite(current) && Math.ceil(current / 1000) === Math.ceil(storedExpiresMs / 1000)) return sess;
  cookie.expires = new Date(storedExpiresMs).toISOString();
  return sess;
}
