// Starts moto in server mode (an EC2/ELBv2 emulator from PyPI, installed by `node tools/setup.mjs
// moto`) on a free loopback port, and stops it by its PID: SIGTERM, then SIGKILL after a grace period.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { motoServerPath } from "../../../tools/tool-paths.mjs";
import { pollUntil } from "../../src/process/poll.ts";
import { freePort } from "../../src/process/ports.ts";

/** Why moto cannot run here, or null when it can. */
export function motoMissing(): string | null {
  const bin = motoServerPath();
  return existsSync(bin) ? null : `no moto_server at ${bin} (node tools/setup.mjs moto installs it)`;
}

export interface MotoServer {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(motoServerPath(), ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
        const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        return res.ok;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "moto_server to answer" },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, pid: child.pid!, stop };
}
