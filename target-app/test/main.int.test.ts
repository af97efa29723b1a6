// The real entry point as a process: exit 2 on bad configuration, the listening line, graceful shutdown on SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
const root = mkdtempSync(join(tmpdir(), "main-test-"));
const started: ChildProcess[] = [];

afterEach(() => {
  // Only the processes this file started, by PID.
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runApp(vars: Record<string, string>): Running {
  const child = spawn(process.execPath, ["--import", "tsx", "target-app/src/main.ts"], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...vars },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once("exit", (code, signal) => resolveExit({ code, signal })),
  );
  return { child, output: () => ({ stdout, stderr }), exit };
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const goodEnv = (id: string) => ({
  PORT: "0",
  INSTANCE_ID: id,
  SESSION_STORE: "disk",
  SESSION_DIR: join(root, id),
  SESSION_SECRET: "0123456789abcdef",
  TARGET_APP_TEST_ROUTES: "1",
});

async function startListening(vars: Record<string, string>): Promise<Running & { url: string }> {
  const app = runApp(vars);
  const url = await waitFor("the listening line", () => {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+) \(store=disk\)/.exec(app.output().stdout);
    if (app.child.exitCode !== null) throw new Error(`exited early: ${JSON.stringify(app.output())}`);
    return match?.[1];
  });
  return { ...app, url };
}

describe("target-app process", () => {
  it.each([
    ["PORT", { PORT: "eighty" }, /^target-app: PORT="eighty" is not valid: expected an integer from 0 to 65535\n$/],
    [
      "SESSION_STORE",
      { SESSION_STORE: "" },
      /^target-app: SESSION_STORE is not set: expected "disk", "dynamodb", "dynamodb-locking" or "redis"\n$/,
    ],
    ["SESSION_SECRET", { SESSION_SECRET: "short" }, /^target-app: SESSION_SECRET is too short/],
  ])("exits 2 naming %s when it is bad", async (_name, bad, message) => {
    const app = runApp({ ...goodEnv("bad"), ...bad });
    expect(await app.exit).toEqual({ code: 2, signal: null });
    expect(app.output().stderr).toMatch(message);
    expect(app.output().stdout).toBe("");
  });

  it("prints the listening line with the real port, serves, and exits 0 promptly on SIGTERM", async () => {
    const app = await startListening(goodEnv("main-1"));
    expect(app.output().stdout).toMatch(/^\[main-1\] listening on http:\/\/127\.0\.0\.1:\d+ \(store=disk\)\n$/);
    const ping = await fetch(`${app.url}/ping.html`);
    expect(ping.status).toBe(200);
    expect(ping.headers.get("x-instance-id")).toBe("main-1");

    const signalled = Date.now();
    app.child.kill("SIGTERM");
    expect(await app.exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(3000); // the idle keep-alive connection did not hold it up
    expect(app.output().stdout).toContain("[main-1] stopped");
  });

  it("finishes a request in flight on SIGTERM, refuses new connections, then exits 0", async () => {
    const app = await startListening(goodEnv("main-2"));
    const slow = fetch(`${app.url}/__test/slow?ms=1500`);
    await new Promise((r) => setTimeout(r, 300));
    app.child.kill("SIGTERM");
    await waitFor("the draining line", () => (app.output().stdout.includes("SIGTERM") ? true : undefined));
    await expect(fetch(`${app.url}/ping.html`)).rejects.toThrow();

    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ slept: 1500, instance: "main-2" });
    const answered = Date.now();
    expect(await app.exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - answered).toBeLessThan(1000); // not held up by the now idle keep-alive connection
  });

  it("force-exits 1 when draining takes longer than SHUTDOWN_TIMEOUT_MS", async () => {
    const app = await startListening({ ...goodEnv("main-3"), SHUTDOWN_TIMEOUT_MS: "300" });
    const slow = fetch(`${app.url}/__test/slow?ms=5000`).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    app.child.kill("SIGTERM");
    expect(await app.exit).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalled).toBeLessThan(2000);
    expect(app.output().stderr).toMatch(/shutdown took longer than 300 ms/);
    expect(await slow).toBeInstanceOf(Error);
  });
});
