// A store server that does not come up within its bound fails with its name, port and the last lines of its log,
// and is stopped (nothing left running): a stand-in that never answers, and a real dynalite whose port is taken.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startedChildren } from "../../src/process/child.ts";
import { freePort } from "../../src/process/ports.ts";
import { dynaliteServer } from "../../src/store-servers/dynalite/index.ts";
import { startStoreProcess } from "../../src/store-servers/process.ts";
import type { StoreServer } from "../../src/store-servers/types.ts";

const workDir = mkdtempSync(join(tmpdir(), "fh-store-process-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The PID of the last child started under `name`. */
const lastPid = (name: string) =>
  startedChildren()
    .filter((c) => c.name === name)
    .at(-1)?.pid;

describe("a store server that does not come up", () => {
  it("fails after its bound with its name, port and log tail, and is stopped", async () => {
    // Prints, then never listens.
    const standIn: StoreServer = {
      ...dynaliteServer,
      name: "never-ready",
      version: () => "never-ready 1",
      command: () => ({
        command: process.execPath,
        args: [
          "-e",
          'console.log("booting"); console.error("config: no such table space"); setInterval(() => {}, 1000)',
        ],
      }),
      ready: async () => false,
      readyTimeoutMs: 1500,
    };
    const port = await freePort();
    const started = startStoreProcess(
      standIn,
      { host: "127.0.0.1", port, workDir, persistence: "none" },
      {
        name: "stand-in",
      },
    );
    await expect(started).rejects.toThrow(
      new RegExp(
        `never-ready did not come up on 127\\.0\\.0\\.1:${port}: timed out after 1500 ms[^]*its log ends:[^]*booting[^]*config: no such table space`,
      ),
    );
    const pid = lastPid("stand-in");
    expect(pid).toBeDefined();
    expect(alive(pid as number)).toBe(false);
  });

  it.skipIf(dynaliteServer.version() === null)(
    "dynalite on a port that is taken: exits, and the error quotes its EADDRINUSE",
    async () => {
      const port = await freePort();
      const squatter: Server = createServer();
      await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
      try {
        await expect(
          startStoreProcess(
            dynaliteServer,
            { host: "127.0.0.1", port, workDir, persistence: "none" },
            {
              name: "taken",
            },
          ),
        ).rejects.toThrow(new RegExp(`dynalite did not come up on 127\\.0\\.0\\.1:${port}: [^]*EADDRINUSE`));
        expect(alive(lastPid("taken") as number)).toBe(false);
      } finally {
        squatter.close();
      }
    },
  );
});
