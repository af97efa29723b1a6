// The disk store: the shared contract, plus its file layout, unsafe ids and atomic writes.
import { mkdtempSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiskStore } from "../src/stores/disk-store.ts";
import { describeStoreContract, FakeClock, sessionAt, storeGet, storeSet, storeTouch } from "./store-contract.ts";

const root = mkdtempSync(join(tmpdir(), "disk-store-test-"));
afterAll(() => rm(root, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => join(root, `instance-${dirs++}`);

describeStoreContract("disk", async (now) => new DiskStore({ dir: freshDir(), now }));

describe("disk store", () => {
  it("creates its folder and writes <sid>.json as {sess, expires (epoch ms)} with sess.username", async () => {
    const dir = join(freshDir(), "nested");
    const store = new DiskStore({ dir });
    const sess = sessionAt(Date.now(), 60_000, { username: "alice", profile: {} });
    await storeSet(store, "abcDEF_123-xyz", sess);
    const file = JSON.parse(await readFile(join(dir, "abcDEF_123-xyz.json"), "utf8"));
    expect(file.sess.username).toBe("alice");
    expect(file.expires).toBe(new Date(sess.cookie.expires ?? 0).getTime());
    expect(await readdir(dir)).toEqual(["abcDEF_123-xyz.json"]); // no temporary files left behind
  });

  it("answers a miss at once (no retries)", async () => {
    const store = new DiskStore({ dir: freshDir() });
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect(await storeGet(store, `missing${i}`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("never touches the filesystem for an unsafe id", async () => {
    const base = freshDir();
    const dir = join(base, "sessions");
    await mkdir(dir, { recursive: true });
    await writeFile(join(base, "secret.json"), JSON.stringify({ sess: { username: "x" }, expires: Date.now() + 1e6 }));
    const store = new DiskStore({ dir });
    for (const sid of ["../secret", "a/b", "..", "", "x".repeat(200), "a.b", "a\0b"]) {
      expect(await storeGet(store, sid)).toBeNull();
    }
    await expect(storeSet(store, "../escaped", sessionAt(Date.now(), 1000))).rejects.toThrow(/unsafe id/);
    expect((await readdir(base)).sort()).toEqual(["secret.json", "sessions"]);
  });

  it("deletes an expired session's file when it is read", async () => {
    const dir = freshDir();
    const clock = new FakeClock(Date.now());
    const store = new DiskStore({ dir, now: clock.now });
    await storeSet(store, "old", sessionAt(clock.ms, 1000, { username: "old" }));
    clock.advance(2000);
    expect(await storeGet(store, "old")).toBeNull();
    expect(await readdir(dir)).toEqual([]);
  });

  it("treats a file that is not a session as a miss", async () => {
    const dir = freshDir();
    const store = new DiskStore({ dir });
    await writeFile(join(dir, "broken.json"), "{not json");
    expect(await storeGet(store, "broken")).toBeNull();
  });

  it("keeps a concurrent set when touch rewrites the file (writes are serialized per session)", async () => {
    const dir = freshDir();
    const store = new DiskStore({ dir });
    const now = Date.now();
    await storeSet(store, "race", sessionAt(now, 60_000, { username: "u", profile: { v: "1" } }));
    await Promise.all([
      storeTouch(store, "race", sessionAt(now, 120_000, { username: "u", profile: { v: "1" } })),
      storeSet(store, "race", sessionAt(now, 60_000, { username: "u", profile: { v: "2" } })),
    ]);
    expect(await storeGet(store, "race")).toMatchObject({ profile: { v: "2" } });
  });

  it("counts, lists and clears live sessions", async () => {
    const store = new DiskStore({ dir: freshDir() });
    await storeSet(store, "one", sessionAt(Date.now(), 60_000, { username: "one" }));
    await storeSet(store, "two", sessionAt(Date.now(), 60_000, { username: "two" }));
    const length = await new Promise<number | undefined>((resolve, reject) =>
      store.length((err, n) => (err ? reject(err) : resolve(n))),
    );
    expect(length).toBe(2);
    const all = await new Promise<object | null | undefined>((resolve, reject) =>
      store.all((err, sessions) => (err ? reject(err) : resolve(sessions))),
    );
    expect(Object.keys(all ?? {}).sort()).toEqual(["one", "two"]);
    await new Promise<void>((resolve, reject) => store.clear((err) => (err ? reject(err) : resolve())));
    expect(await storeGet(store, "one")).toBeNull();
  });
});
