// ManagedChild.stop with real child processes, checked by PID: SIGTERM first, SIGKILL only after
// the grace period, and only for a child that is still running then.
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ManagedChild, startedChildren } from "../../src/process/child.ts";

const program = (name: string) => fileURLToPath(new URL(`../fixtures/programs/${name}`, import.meta.url));

/** True while a process with this PID exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const children: ManagedChild[] = [];

/** Starts a fixture program and resolves once it says its SIGTERM handler is in place. */
async function start(name: string): Promise<{ child: ManagedChild; lines: string[] }> {
  const lines: string[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const child = new ManagedChild({
    name,
    command: process.execPath,
    args: [program(name)],
    echo: false,
    onLine: (line) => {
      lines.push(line);
      if (line === "ready") ready();
    },
  });
  children.push(child);
  await Promise.race([
    isReady,
    child.exited.then((info) => {
      throw new Error(`${name} exited before it was ready: ${JSON.stringify(info)}`);
    }),
  ]);
  return { child, lines };
}

afterAll(async () => {
  // Only if a test failed half-way: the fixtures this file started, by their own PID.
  for (const child of children) if (child.running) await child.stop(0, "SIGKILL");
});

describe("ManagedChild.stop: SIGTERM, a bounded grace period, then SIGKILL", () => {
  it("kills a child that ignores SIGTERM once the grace period is over, and not before", async () => {
    const { child, lines } = await start("ignores-sigterm.mjs");
    const pid = child.pid!;
    expect(alive(pid)).toBe(true);
    const graceMs = 800;
    const t0 = performance.now();
    const stopping = child.stop(graceMs);
    // Half-way through the grace period it has had SIGTERM, ignored it, and still runs.
    await new Promise((resolve) => setTimeout(resolve, graceMs / 2));
    expect(lines).toContain("got SIGTERM, carrying on");
    expect(alive(pid)).toBe(true);
    expect(child.running).toBe(true);
    const info = await stopping;
    const elapsed = performance.now() - t0;
    expect(info).toEqual({ code: null, signal: "SIGKILL" });
    expect(elapsed).toBeGreaterThanOrEqual(graceMs - 5);
    expect(elapsed).toBeLessThan(graceMs + 2000);
    expect(alive(pid)).toBe(false);
    expect(child.running).toBe(false);
    expect(startedChildren()).toContainEqual({ name: "ignores-sigterm.mjs", pid });
  });

  it("lets a child that exits on SIGTERM finish in its own time, without SIGKILL", async () => {
    const { child, lines } = await start("exits-on-sigterm.mjs");
    const pid = child.pid!;
    const graceMs = 5000;
    const t0 = performance.now();
    const info = await child.stop(graceMs);
    const elapsed = performance.now() - t0;
    expect(info).toEqual({ code: 0, signal: null });
    expect(lines).toEqual(["ready", "got SIGTERM, shutting down"]);
    expect(elapsed).toBeLessThan(graceMs / 2);
    expect(alive(pid)).toBe(false);
    // Stopping a child that has exited sends nothing and gives the same exit.
    expect(child.signal("SIGKILL")).toBe(false);
    await expect(child.stop(graceMs)).resolves.toEqual(info);
  });

  it("sends the signal asked for first (here SIGINT), then SIGKILL after the grace period", async () => {
    const { child } = await start("ignores-sigterm.mjs");
    // The fixture handles SIGTERM only: SIGINT takes its default action and ends it at once.
    const t0 = performance.now();
    const info = await child.stop(5000, "SIGINT");
    expect(info).toEqual({ code: null, signal: "SIGINT" });
    expect(performance.now() - t0).toBeLessThan(2500);
    expect(alive(child.pid!)).toBe(false);
  });
});
