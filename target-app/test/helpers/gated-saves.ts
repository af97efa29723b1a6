// Test helper: holds a store's save of a chosen profile field at a gate, so that a test can put that save after
// other requests (a save still in flight when its client goes away, or when the user logs out elsewhere).
import type { SessionData } from "express-session";
import type { SessionStore } from "../../src/stores/session-store.ts";

export interface GatedSave {
  /** Resolves when the store is asked to save a session whose profile has the field: the save now waits. */
  reached: Promise<void>;
  /** Lets the held save go on to the store. */
  release(): void;
  /** Resolves once the held save has ended: with its error, or undefined when the store accepted it. */
  settled: Promise<unknown>;
}

type Callback = (err?: unknown) => void;

/**
 * Patches `store.set` (the instance, not the class): the first save of a session whose profile holds `key` waits at
 * the gate; every other save goes through at once. The held save runs in the request's own async context.
 */
export function gateSave(store: SessionStore, key: string): GatedSave {
  const inner = store.set.bind(store);
  let release!: () => void;
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached!: () => void;
  const reachedPromise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let settle!: (err: unknown) => void;
  const settled = new Promise<unknown>((resolve) => {
    settle = resolve;
  });
  let used = false;
  store.set = (sid: string, sess: SessionData, callback?: Callback) => {
    if (used || !Object.hasOwn(sess.profile ?? {}, key)) {
      inner(sid, sess, callback);
      return;
    }
    used = true;
    reached();
    void open.then(() =>
      inner(sid, sess, (err?: unknown) => {
        settle(err);
        callback?.(err);
      }),
    );
  };
  return { reached: reachedPromise, release, settled };
}

/** Polls `probe` every 20 ms until it returns true; throws after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
