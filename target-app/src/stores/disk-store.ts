// Session store on local disk: one JSON file per session, `<dir>/<sid>.json`, written atomically.
import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { mkdir, open, readdir, rename, rm, unlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { SessionData } from "express-session";
import {
  currentRequestScope,
  currentSaveMode,
  Lease,
  LocalSessionLocks,
  type RequestScope,
  SessionEndedError,
  SessionLockTimeoutError,
} from "./session-lease.ts";
import { SessionStore, StoreUnavailableError, sessionExpiresMs, withStoredExpiry } from "./session-store.ts";

/** Session ids as express-session makes them (base64url); anything else never touches the filesystem. */
const SID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** A temporary file of `write`, `.<sid>.<pid>.<uuid>.tmp`; any found at start was left by a killed process. */
const TEMP_PATTERN = /^\.[A-Za-z0-9_-]{1,128}\.\d+\.[0-9a-f-]{36}\.tmp$/;
/**
 * A request that reads a session moves its file's time when it is older than this, so that the orchestrator's
 * store audit (file time within its window, at least 3 s) counts users who only read, without a write per read.
 */
export const USE_MARK_MS = 1000;
/** Only this user may read sessions: files 0600 in a 0700 folder. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** The file layout the orchestrator's store audit reads: `sess.username` is the logged-in user. */
export interface SessionFile {
  sess: SessionData;
  /** Epoch milliseconds. */
  expires: number;
}

/** A session file as read, with its modification time (epoch ms). */
interface ReadSession extends SessionFile {
  mtimeMs: number;
}

export interface DiskStoreOptions {
  dir: string;
  /** Expiry for sessions whose cookie has none. */
  defaultTtlMs?: number;
  /** The clock, in epoch milliseconds; tests replace it. */
  now?: () => number;
  /** How often expired files are swept (also once at start); 0: never. Default 10 minutes. */
  sweepIntervalMs?: number;
  /** At most this many files are read per sweep, so a huge folder never stalls the instance. Default 1000. */
  sweepLimit?: number;
  /** How long a request waits for a session another request of this instance holds, before a 503. Default 4000. */
  lockWaitMs?: number;
}

type Callback = (err?: unknown) => void;

export class DiskStore extends SessionStore {
  readonly kind = "disk";
  readonly dir: string;
  private readonly defaultTtlMs: number;
  private readonly now: () => number;
  /** Per-session queue, so that touch's read-modify-write never overwrites a concurrent set. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly sweepLimit: number;
  /** A request holds its session from load to its end, so that two requests of one user never interleave. */
  private readonly requestLocks = new LocalSessionLocks();
  readonly lockWaitMs: number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  /** Files found that are not sessions (corrupt), each answered as a miss and removed; logged as they come. */
  unreadableSessions = 0;
  /** Temporary files of a killed process, removed at start. */
  readonly orphansRemoved: number;

  constructor(options: DiskStoreOptions) {
    super();
    this.dir = options.dir;
    this.defaultTtlMs = options.defaultTtlMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
    this.sweepLimit = options.sweepLimit ?? 1000;
    this.lockWaitMs = options.lockWaitMs ?? 4000;
    mkdirSync(this.dir, { recursive: true, mode: DIR_MODE });
    try {
      chmodSync(this.dir, DIR_MODE); // mkdir leaves an existing folder's mode as it was
    } catch (err) {
      console.warn(`disk store: cannot make ${this.dir} private (0700): ${(err as Error).message}`);
    }
    this.orphansRemoved = this.removeOrphanedTempFiles();
    const interval = options.sweepIntervalMs ?? 600_000;
    if (interval > 0) {
      void this.sweepExpired();
      this.sweepTimer = setInterval(() => void this.sweepExpired(), interval);
      this.sweepTimer.unref();
    }
  }

  /**
   * Deletes expired session files, reading at most `sweepLimit` of them; returns how many it deleted. One sweep at a
   * time; each file goes through its session's queue, so a sweep never races a write.
   */
  sweepExpired(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    let ids: string[];
    try {
      ids = (await this.sessionIds()).slice(0, this.sweepLimit);
    } catch {
      return 0; // the folder is gone (a wiped instance): nothing to sweep
    }
    let removed = 0;
    for (const sid of ids) {
      // readLive deletes an expired or corrupt file; a live one stays.
      const present = await this.serialized(sid, async () => {
        const before = await this.exists(sid);
        const live = await this.readLive(sid).catch(() => null);
        return before && !live;
      });
      if (present) removed++;
    }
    return removed;
  }

  private async exists(sid: string): Promise<boolean> {
    try {
      await (await open(this.pathOf(sid), "r")).close();
      return true;
    } catch {
      return false;
    }
  }

  private removeOrphanedTempFiles(): number {
    let removed = 0;
    for (const name of readdirSync(this.dir)) {
      if (!TEMP_PATTERN.test(name)) continue;
      rmSync(join(this.dir, name), { force: true });
      removed++;
    }
    if (removed > 0)
      console.warn(`disk store: removed ${removed} temporary file(s) left in ${this.dir} by a stopped process`);
    return removed;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    if (!SID_PATTERN.test(sid)) {
      callback(null, null);
      return;
    }
    const scope = currentRequestScope();
    const load = scope ? this.lockAndRead(sid, scope) : this.serialized(sid, () => this.readLive(sid));
    load.then(
      (file) => callback(null, file ? withStoredExpiry(file.sess, file.expires) : null),
      (err: unknown) => callback(err instanceof SessionLockTimeoutError ? err : new StoreUnavailableError("get", err)),
    );
  }

  override get locksSessions(): boolean {
    return true;
  }

  /**
   * In a request: waits for the session (another request of this instance may hold it), then holds it until the
   * request's end (the hold lives on the request's scope). Marks the use on the file's time when that is older than
   * USE_MARK_MS.
   */
  private async lockAndRead(sid: string, scope: RequestScope): Promise<SessionFile | null> {
    const started = performance.now();
    const release = await this.requestLocks.acquire(sid, this.lockWaitMs);
    scope.lockWaitMs += performance.now() - started;
    try {
      const file = await this.serialized(sid, async () => {
        const read = await this.readLive(sid);
        if (read && this.now() - read.mtimeMs > USE_MARK_MS) await this.markUse(sid);
        return read;
      });
      if (file) scope.hold(new Lease(sid, async () => release()));
      else release();
      return file;
    } catch (err) {
      release();
      throw err;
    }
  }

  override set(sid: string, sess: SessionData, callback?: Callback): void {
    if (!SID_PATTERN.test(sid)) {
      callback?.(new Error(`refusing to store a session with an unsafe id: ${JSON.stringify(sid.slice(0, 40))}`));
      return;
    }
    let mode: ReturnType<typeof currentSaveMode>;
    try {
      mode = currentSaveMode(sid); // a request that is over (its client gone) cannot save
    } catch (err) {
      callback?.(err);
      return;
    }
    const file: SessionFile = { sess, expires: sessionExpiresMs(sess, this.now(), this.defaultTtlMs) };
    this.serialized(sid, async () => {
      // A loaded session is saved only while it exists: a logout meanwhile wins. Only a login creates one.
      if (mode === "update" && !(await this.exists(sid))) throw new SessionEndedError();
      await this.write(sid, file);
    }).then(
      () => callback?.(),
      (err: unknown) => callback?.(err instanceof SessionEndedError ? err : new StoreUnavailableError("set", err)),
    );
  }

  override touch(sid: string, sess: SessionData, callback?: Callback): void {
    if (!SID_PATTERN.test(sid)) {
      callback?.();
      return;
    }
    const expires = sessionExpiresMs(sess, this.now(), this.defaultTtlMs);
    this.serialized(sid, async () => {
      const file = await this.readLive(sid);
      // A session destroyed meanwhile stays destroyed: touch only moves an existing expiry.
      if (file) await this.write(sid, { sess: file.sess, expires });
    }).then(
      () => callback?.(),
      (err: unknown) => callback?.(new StoreUnavailableError("touch", err)),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    if (!SID_PATTERN.test(sid)) {
      callback?.();
      return;
    }
    this.serialized(sid, () => rm(this.pathOf(sid), { force: true })).then(
      () => callback?.(),
      (err: unknown) => callback?.(new StoreUnavailableError("destroy", err)),
    );
  }

  override all(callback: (err: unknown, obj?: { [sid: string]: SessionData } | null) => void): void {
    this.liveSessions().then(
      (sessions) => callback(null, Object.fromEntries(sessions)),
      (err: unknown) => callback(new StoreUnavailableError("all", err)),
    );
  }

  override length(callback: (err: unknown, length?: number) => void): void {
    this.liveSessions().then(
      (sessions) => callback(null, sessions.length),
      (err: unknown) => callback(new StoreUnavailableError("length", err)),
    );
  }

  override clear(callback?: Callback): void {
    this.sessionIds()
      .then((ids) => Promise.all(ids.map((sid) => this.serialized(sid, () => rm(this.pathOf(sid), { force: true })))))
      .then(
        () => callback?.(),
        (err: unknown) => callback?.(new StoreUnavailableError("clear", err)),
      );
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.sweeping;
    await Promise.allSettled([...this.queues.values()]);
  }

  private pathOf(sid: string): string {
    return join(this.dir, `${sid}.json`);
  }

  /** Runs `task` after every earlier task for the same session id. */
  private serialized<T>(sid: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(sid) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(sid, settled);
    void settled.then(() => {
      if (this.queues.get(sid) === settled) this.queues.delete(sid);
    });
    return next;
  }

  /** Sets the file's time to now (a use, for the store audit); a file gone meanwhile is left gone. */
  private async markUse(sid: string): Promise<void> {
    const now = new Date(this.now());
    await utimes(this.pathOf(sid), now, now).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  }

  /** The session file, or null when it is missing, unreadable as a session, or expired (then it is deleted). */
  private async readLive(sid: string): Promise<ReadSession | null> {
    let text: string;
    let mtimeMs: number;
    try {
      const handle = await open(this.pathOf(sid), "r");
      try {
        mtimeMs = (await handle.stat()).mtimeMs;
        text = await handle.readFile("utf8");
      } finally {
        await handle.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    const file = parseSessionFile(text);
    if (!file) {
      this.unreadableSessions++;
      console.warn(
        `disk store: ${this.dir}/${sid.slice(0, 6)}...json is not a session file; treating it as a miss and removing it (${this.unreadableSessions} so far)`,
      );
      await rm(this.pathOf(sid), { force: true });
      return null;
    }
    if (file.expires <= this.now()) {
      await rm(this.pathOf(sid), { force: true });
      return null;
    }
    return { ...file, mtimeMs };
  }

  /**
   * Whole-file atomic and durable write: a private temporary file in the same folder, flushed to disk, renamed over
   * the session file, then the folder flushed, so that an acknowledged write survives a crash or power cut.
   */
  private async write(sid: string, file: SessionFile): Promise<void> {
    const temp = join(this.dir, `.${sid}.${process.pid}.${randomUUID()}.tmp`);
    const text = JSON.stringify(file);
    try {
      await writeDurably(temp, text);
    } catch (err) {
      // The folder may have been wiped under a running instance: recreate it once.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
      await writeDurably(temp, text);
    }
    try {
      await rename(temp, this.pathOf(sid));
      await syncFolder(this.dir);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  private async sessionIds(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names
      .filter((name) => name.endsWith(".json"))
      .map((name) => name.slice(0, -".json".length))
      .filter((sid) => SID_PATTERN.test(sid));
  }

  private async liveSessions(): Promise<[string, SessionData][]> {
    const ids = await this.sessionIds();
    const files = await Promise.all(ids.map((sid) => this.serialized(sid, () => this.readLive(sid))));
    return ids.flatMap((sid, i) => {
      const file = files[i];
      return file ? [[sid, file.sess] as [string, SessionData]] : [];
    });
  }
}

/** Creates `path` (0600, never an existing file), writes `text` and flushes it to disk before returning. */
async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, "wx", FILE_MODE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await handle.close();
}

/** Flushes a folder's entries (a rename) to disk. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function parseSessionFile(text: string): SessionFile | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const { sess, expires } = value as Record<string, unknown>;
    if (typeof sess !== "object" || sess === null || typeof expires !== "number") return null;
    return { sess: sess as SessionData, expires };
  } catch {
    return null;
  }
}
