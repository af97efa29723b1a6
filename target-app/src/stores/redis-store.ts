// Session store on Redis, in connect-redis's layout: the key `sess:<sid>` holds the session JSON, with the expiry as
// the key's own absolute expiry (PXAT), so that Redis deletes an expired session itself.
import type { SessionData } from "express-session";
import { Redis } from "ioredis";
import { readRedisSession } from "./redis-value.ts";
import { currentSaveMode, SessionEndedError } from "./session-lease.ts";
import { SessionStore, StoreUnavailableError, sessionExpiresMs, withStoredExpiry } from "./session-store.ts";

export interface RedisStoreOptions {
  /** `redis://host:port[/db]`, or `rediss://` for TLS (ElastiCache with encryption in transit). */
  url: string;
  /** Every session is the key `<keyPrefix><sid>`. Default `sess:`, as connect-redis. */
  keyPrefix?: string;
  /** Expiry for sessions whose cookie has none. */
  defaultTtlMs?: number;
  /** The clock, in epoch milliseconds; tests replace it. */
  now?: () => number;
  /** A command without an answer fails after this long (a frozen server). Default 2000 ms, as the DynamoDB client. */
  commandTimeoutMs?: number;
  /** How long a call waits for the first connection, or for a reconnection in progress. Default 1000 ms. */
  connectWaitMs?: number;
}

type Callback = (err?: unknown) => void;

/** Reconnect attempts while the server is unreachable: quickly (a refused loopback connection costs nothing), at most every 200 ms. */
export const reconnectDelayMs = (attempt: number): number => Math.min(50 * attempt, 200);

export class RedisStore extends SessionStore {
  readonly kind = "redis";
  readonly keyPrefix: string;
  /** `host:port` of the server, for logs (never the URL, which may hold a password). */
  readonly address: string;
  private readonly client: Redis;
  private readonly defaultTtlMs: number;
  private readonly now: () => number;
  private readonly connectWaitMs: number;
  /** Why the server is unreachable, since the last connection failed; undefined while connected. */
  private lastError: Error | undefined;
  private closing = false;
  /** Keys found that are not sessions (not JSON, no expiry), each answered as a miss; logged as they come. */
  unreadableSessions = 0;

  constructor(options: RedisStoreOptions) {
    super();
    this.keyPrefix = options.keyPrefix ?? "sess:";
    this.defaultTtlMs = options.defaultTtlMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
    this.connectWaitMs = options.connectWaitMs ?? 1000;
    const url = new URL(options.url);
    this.address = `${url.hostname}:${url.port}`;
    this.client = new Redis(options.url, {
      // While the server is unreachable a call fails at once (503), instead of waiting in ioredis's queue.
      enableOfflineQueue: false,
      // A command in flight when the connection drops fails (an indeterminate write), it is not sent again later.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      connectTimeout: 1000,
      retryStrategy: reconnectDelayMs,
    });
    this.client.on("error", (err: Error) => {
      if (this.closing) return;
      if (!this.lastError) {
        console.warn(`redis store: ${this.address} unreachable (${err.message}); reconnecting every 200 ms or less`);
      }
      this.lastError = err;
    });
    this.client.on("ready", () => {
      if (this.lastError) console.warn(`redis store: connected to ${this.address} again`);
      this.lastError = undefined;
    });
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.call("get", () => this.read(sid)).then((sess) => callback(null, sess), callback);
  }

  /**
   * Writes the session. In a request, a loaded session is written only while its key exists (`SET ... XX`: a logout
   * meanwhile wins) and only a login creates one; a request that is over (its client gone) cannot save.
   */
  override set(sid: string, sess: SessionData, callback?: Callback): void {
    let mode: ReturnType<typeof currentSaveMode>;
    try {
      mode = currentSaveMode(sid);
    } catch (err) {
      callback?.(err);
      return;
    }
    const expires = sessionExpiresMs(sess, this.now(), this.defaultTtlMs);
    const key = this.keyOf(sid);
    const value = JSON.stringify(sess);
    this.call("set", () =>
      mode === "update"
        ? this.client.set(key, value, "PXAT", expires, "XX")
        : this.client.set(key, value, "PXAT", expires),
    ).then(
      (reply) => callback?.(reply === null ? new SessionEndedError() : undefined),
      (err: unknown) => callback?.(err),
    );
  }

  /** Moves the key's expiry only: PEXPIREAT on a key deleted meanwhile does nothing (no session brought back). */
  override touch(sid: string, sess: SessionData, callback?: Callback): void {
    const expires = sessionExpiresMs(sess, this.now(), this.defaultTtlMs);
    this.call("touch", () => this.client.pexpireat(this.keyOf(sid), expires)).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.call("destroy", () => this.client.del(this.keyOf(sid))).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.client.status === "ready") {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }

  private keyOf(sid: string): string {
    return this.keyPrefix + sid;
  }

  /** Runs one store call once the connection is ready; any failure becomes a StoreUnavailableError (a 503). */
  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      if (this.client.status !== "ready") await this.ready();
      return await run();
    } catch (err) {
      // ioredis names its own option when the socket has just closed; say what happened instead.
      const lost = err instanceof Error && err.message.includes("enableOfflineQueue");
      throw new StoreUnavailableError(
        operation,
        lost ? (this.lastError ?? new Error(`the connection to ${this.address} was lost`)) : err,
      );
    }
  }

  /**
   * Resolves when the connection is ready; rejects at once with the last error while the server is known to be
   * unreachable, else (first connection, a reconnection in progress) after the next error or connectWaitMs.
   */
  private ready(): Promise<void> {
    if (this.lastError) return Promise.reject(this.lastError);
    if (this.client.status === "end") return Promise.reject(new Error("the store is closed"));
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.client.off("ready", onReady);
        this.client.off("error", onError);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const onError = (err: Error) => done(err);
      const timer = setTimeout(
        () => done(new Error(`no connection to ${this.address} within ${this.connectWaitMs} ms`)),
        this.connectWaitMs,
      );
      this.client.once("ready", onReady);
      this.client.once("error", onError);
    });
  }

  /** The session, or null when the key is missing, expired (by this store's clock) or unreadable (counted, logged). */
  private async read(sid: string): Promise<SessionData | null> {
    const key = this.keyOf(sid);
    const replies = await this.client.multi().get(key).pexpiretime(key).exec();
    if (!replies) throw new Error("the transaction was aborted");
    const [[getErr, value], [ttlErr, expiresAt]] = replies as [[Error | null, unknown], [Error | null, unknown]];
    if (getErr) throw getErr;
    if (ttlErr) throw ttlErr;
    const read = readRedisSession(value, expiresAt, this.now());
    if (read.kind === "unreadable") {
      this.unreadableSessions++;
      // A session id is a credential: name only its start.
      console.warn(
        `redis store: key ${this.keyPrefix}${sid.slice(0, 6)}... is not a session (${read.reason}); treating it as a miss (${this.unreadableSessions} so far)`,
      );
    }
    return read.kind === "session" ? withStoredExpiry(read.sess, read.expiresMs) : null;
  }
}
