// The sticky crash's ground truth counts users who only read: users homed on a real app process (disk sessions) read,
// write or idle; the store audit taken just before the victim is SIGKILLed counts the readers and the writer, not
// the idle user, and exactly that many find their session gone on the survivor.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiskStore } from "../../../../target-app/src/stores/disk-store.ts";
import { Person, type RunningApp, startApp, testConfig } from "../../../../target-app/test/helpers/app-server.ts";
import { auditDiskSessions } from "../../../src/platforms/local/disk-audit.ts";

const repo = resolve(import.meta.dirname, "../../../..");
const root = mkdtempSync(join(tmpdir(), "read-audit-"));
/** The audit's window, as a run's smallest (run-scenario's activeWindowMs). */
const WINDOW_MS = 3000;
const POLL_MS = 500;
const SECRET = "test-secret-0123456789";

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the sticky store audit and users who only read", () => {
  let child: ChildProcess | undefined;
  let survivor: RunningApp | undefined;

  afterAll(async () => {
    // Only the process this file started, by its PID.
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await survivor?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("counts a reader as live, and the crash loses exactly the audit's number", async () => {
    const victimDir = join(root, "victim");
    child = spawn(process.execPath, ["--import", "tsx", "target-app/src/main.ts"], {
      cwd: repo,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        PORT: "0",
        INSTANCE_ID: "victim",
        SESSION_STORE: "disk",
        SESSION_DIR: victimDir,
        SESSION_SECRET: SECRET,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const victim = await waitFor("the victim's listening line", () => {
      if (child?.exitCode !== null) throw new Error(`the victim exited early: ${stdout}`);
      return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    });
    const survivorDir = join(root, "survivor");
    survivor = await startApp(
      testConfig("survivor", { kind: "disk", dir: survivorDir }),
      new DiskStore({ dir: survivorDir, sweepIntervalMs: 0 }),
    );

    const login = async (name: string) => {
      const person = new Person();
      expect((await person.request(victim, "POST", "/login", { json: { username: name } })).status).toBe(200);
      return person;
    };
    const readers = await Promise.all(["reader-1", "reader-2", "reader-3"].map(login));
    const writer = await login("writer");
    await login("idle"); // logs in, then never comes back

    // Longer than the window: the logins' own writes are older than it by the time of the audit.
    const until = Date.now() + WINDOW_MS + 1500;
    const use = async (person: Person, write: boolean, i: number) => {
      for (let n = 0; Date.now() < until; n++) {
        const answer = write
          ? await person.request(victim, "POST", "/profile", { json: { key: "n", value: String(n) } })
          : await person.request(victim, "GET", "/profile");
        expect(answer.status, `user ${i} request ${n}`).toBe(200);
        await sleep(POLL_MS);
      }
    };
    await Promise.all([...readers.map((p, i) => use(p, false, i)), use(writer, true, 9)]);

    const audit = await auditDiskSessions(victimDir, WINDOW_MS);
    child.kill("SIGKILL");
    await new Promise((r) => child?.once("exit", r));

    // The balancer sends each user who comes back to the survivor: who finds their session gone lost it.
    const lost = (
      await Promise.all(
        [...readers, writer].map(
          async (person) => (await person.request(survivor?.url ?? "", "GET", "/profile")).status,
        ),
      )
    ).filter((status) => status === 401).length;
    console.log(`audit: ${audit.activeSessions} live of ${audit.storedSessions} stored; lost at the crash: ${lost}`);
    expect(audit.storedSessions).toBe(5);
    expect(audit.activeSessions).toBe(4);
    expect(lost).toBe(audit.activeSessions);
  });
});
