// The disk store's hardening: private files and folder, orphaned temporary files, fsync before an ack, expiry sweeps.
import { mkdirSync, mkdtempSync, statSync } from "node:fs";
import { open, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { DiskStore } from "../src/stores/disk-store.ts";
import { FakeClock, sessionAt, storeGet, storeSet } from "./store-contract.ts";

const root = mkdtempSync(join(tmpdir(), "disk-hardening-test-"));
afterAll(() => rm(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `instance-${dirs++}`);
const stores: DiskStore[] = [];
const make = (options: ConstructorParameters<typeof DiskStore>[0]) => {
  const store = new DiskStore(options);
  stores.push(store);
  return store;
};
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("disk store hardening", () => {
  it("keeps sessions private: files 0600 in a folder made 0700, even one that existed as 0755", async () => {
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o755 });
    const store = make({ dir, sweepIntervalMs: 0 });
    await storeSet(store, "private1", sessionAt(Date.now(), 60_000, { username: "eve" }));
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(dir, "private1.json"))).toBe(0o600);
  });

  it("removes temporary files left by a killed process at start, and nothing else", async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const orphan = ".abc123.4242.0f8e1c52-5a3e-4f55-9d57-5b7a3c1f9e20.tmp";
    await writeFile(join(dir, orphan), '{"sess":');
    await writeFile(join(dir, "keep.json"), JSON.stringify({ sess: { username: "k" }, expires: Date.now() + 60_000 }));
    await writeFile(join(dir, "notes.txt"), "not ours");
    const store = make({ dir, sweepIntervalMs: 0 });
    expect(store.orphansRemoved).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(["keep.json", "notes.txt"]);
  });

  it("flushes the file and then the folder to disk before a write is acknowledged", async () => {
    const dir = freshDir();
    const store = make({ dir, sweepIntervalMs: 0 });
    const probe = await open(join(root, "probe"), "w");
    const sync = vi.spyOn(Object.getPrototypeOf(probe), "sync");
    await probe.close();
    await storeSet(store, "durable1", sessionAt(Date.now(), 60_000, { username: "d" }));
    // One sync of the temporary file, one of the folder after the rename.
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it("answers a failed flush as a store error, leaving no temporary file", async () => {
    const dir = freshDir();
    const store = make({ dir, sweepIntervalMs: 0 });
    const probe = await open(join(root, "probe2"), "w");
    vi.spyOn(Object.getPrototypeOf(probe), "sync").mockRejectedValue(Object.assign(new Error("EIO"), { code: "EIO" }));
    await probe.close();
    await expect(storeSet(store, "durable2", sessionAt(Date.now(), 60_000))).rejects.toThrow(/set failed: EIO/);
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("sweeps expired and corrupt files, keeps live ones, and reads at most sweepLimit files per sweep", async () => {
    const dir = freshDir();
    const clock = new FakeClock(Date.now());
    const writer = make({ dir, now: clock.now, sweepIntervalMs: 0 });
    for (let i = 0; i < 6; i++) await storeSet(writer, `old${i}`, sessionAt(clock.ms, 1000, { username: `o${i}` }));
    await storeSet(writer, "live", sessionAt(clock.ms, 3_600_000, { username: "l" }));
    await writeFile(join(dir, "corrupt.json"), "{nope");
    clock.advance(5000);
    const sweeper = make({ dir, now: clock.now, sweepIntervalMs: 0, sweepLimit: 4 });
    const first = await sweeper.sweepExpired();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(4);
    while ((await sweeper.sweepExpired()) > 0) {}
    expect(await readdir(dir)).toEqual(["live.json"]);
    expect(sweeper.unreadableSessions).toBe(1);
    expect(await storeGet(sweeper, "live")).toMatchObject({ username: "l" });
  });

  it("sweeps once at start and then every sweepIntervalMs", async () => {
    const dir = freshDir();
    const clock = new FakeClock(Date.now());
    const writer = make({ dir, now: clock.now, sweepIntervalMs: 0 });
    await storeSet(writer, "stale", sessionAt(clock.ms, 1000, { username: "s" }));
    clock.advance(2000);
    make({ dir, now: clock.now, sweepIntervalMs: 50 });
    await vi.waitFor(async () => expect(await readdir(dir)).toEqual([]), { timeout: 2000 });
    await storeSet(writer, "stale2", sessionAt(clock.ms, 1000, { username: "s" }));
    clock.advance(2000);
    await vi.waitFor(async () => expect(await readdir(dir)).toEqual([]), { timeout: 2000 });
  });
});
