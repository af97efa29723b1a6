// Keeps DynamoDB Local on loopback: builds (once, into the tool cache) an LD_PRELOAD shim that turns its bind to
// every interface into a bind to 127.0.0.1, and says plainly when that is not possible here.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "../../../../tools/tool-paths.mjs";

const source = fileURLToPath(new URL("./loopback-bind.c", import.meta.url));

export type LoopbackBind =
  | { loopbackOnly: true; env: Record<string, string> }
  | { loopbackOnly: false; env: Record<string, string>; reason: string };

/** What the exposure is when the shim cannot be used, for logs and `npm run store`. */
export const exposedWarning = (port: number, reason: string) =>
  `DynamoDB Local listens on every interface (0.0.0.0:${port}; the jar has no bind option) because ${reason}: anyone who can reach this machine on port ${port} can read and write its tables. Firewall the port or use a machine on a trusted network.`;

let cached: LoopbackBind | undefined;

/** The environment that makes the JVM bind to loopback only (IPv4 sockets, the shim preloaded), or why not. */
export function loopbackBind(): LoopbackBind {
  cached ??= build();
  return cached;
}

function build(): LoopbackBind {
  if (process.platform !== "linux") return { loopbackOnly: false, env: {}, reason: `LD_PRELOAD is Linux-only here` };
  const text = readFileSync(source);
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 12);
  const dir = join(cacheDir(), "loopback-bind");
  const library = join(dir, `loopback-bind-${hash}.so`);
  if (!existsSync(library)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${library}.${process.pid}.tmp`;
    const cc = spawnSync("cc", ["-shared", "-fPIC", "-O2", "-o", temp, source, "-ldl"], { encoding: "utf8" });
    if (cc.error || cc.status !== 0) {
      const why = cc.error ? cc.error.message : cc.stderr.trim().split("\n")[0];
      return { loopbackOnly: false, env: {}, reason: `no C compiler could build its loopback shim (cc: ${why})` };
    }
    renameSync(temp, library);
  }
  // IPv4 sockets only, so that the shim's 0.0.0.0 -> 127.0.0.1 applies (a dual-stack :: socket would become ::1).
  return {
    loopbackOnly: true,
    env: { LD_PRELOAD: library, JAVA_TOOL_OPTIONS: "-Djava.net.preferIPv4Stack=true" },
  };
}
