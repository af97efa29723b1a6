// Session store on local disk: one JSON file per session, `<dir>/<sid>.json`, written atomically.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SessionData } from "express-session";
import { SessionStore, StoreUnavailableError, sessionExpiresMs, withStoredExpiry } from "./session-store.ts";

/** Session ids as express-session makes them (base64url); anything else never touches the filesystem. */
const SID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** The file layout the orchestrator's store audit reads: `sess.username` is the logged-in user. */
export interface SessionFile {
  sess: SessionData;
  /** Epoch milliseconds. */
  expires: number;
}

export interface DiskStoreOptions {
  dir: string;
  /** Expiry for sessions whose cookie has none. */
  defaultTtlMs?: number;
  /** The clock, in epoch milliseconds; tests replace it. */
  now?: () => number;
}

type Callback = (err?: unknown) => void;

export class DiskStore extends SessionStore {
  readonly kind = "disk";
  readonly dir: string;
  private readonly defaultTtlMs: number;
  private readonly now: () => number;
  /** Per-session queue, so that touch's read-modify-write never overwrites a concurrent set. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: DiskStoreOptions) {
    super();
    this.dir = options.dir;
    this.defaultTtlMs = options.defaultTtlMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
    mkdirSync(this.dir, { recursive: true });
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    if (!SID_PATTERN.test(sid)) {
      callback(null, null);
      return;
    }
    this.serialized(sid, () => this.readLive(sid)).then(
      (file) => callback(null, file ? withStoredExpiry(file.sess, file.expires) : null),
      (err: unknown) => callback(new StoreUnavailableError("get", err)),
    );
  }

  override set(sid: string, sess: SessionData, callback?: Callback): void {
    if (!SID_PATTERN.test(sid)) {
      callback?.(new Error(`refusing to store a session with an unsafe id: ${JSON.stringify(sid.slice(0, 40))}`));
      return;
    }
    const file: SessionFile = { sess, expires: sessionExpiresMs(sess, this.now(), this.defaultTtlMs) };
    this.serialized(sid, () => this.write(sid, file)).then(
      () => callback?.(),
      (err: unknown) => callback?.(new StoreUnavailableError("set", err)),
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

  /** The session file, or null when it is missing, unreadable as a session, or expired (then it is deleted). */
  private async readLive(sid: string): Promise<SessionFile | null> {
    let text: string;
    try {
      text = await readFile(this.pathOf(sid), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    const file = parseSessionFile(text);
    if (!file) {
      console.warn(`disk store: ${this.pathOf(sid)} is not a session file; treating it as a miss and removing it`);
      await rm(this.pathOf(sid), { force: true });
      return null;
    }
    if (file.expires <= this.now()) {
      await rm(this.pathOf(sid), { force: true });
      return null;
    }
    return file;
  }

  /** Whole-file atomic write: a temporary file in the same folder, then rename over the session file. */
  private async write(sid: string, file: SessionFile): Promise<void> {
    const temp = join(this.dir, `.${sid}.${process.pid}.${randomUUID()}.tmp`);
    const text = JSON.stringify(file);
    try {
      await writeFile(temp, text);
    } catch (err) {
      // The folder may have been wiped under a running instance: recreate it once.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      await mkdir(this.dir, { recursive: true });
      await writeFile(temp, text);
    }
    try {
      await rename(temp, this.pathOf(sid));
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
