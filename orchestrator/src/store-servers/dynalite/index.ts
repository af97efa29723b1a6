// dynalite (npm `dynalite`, Apache-2.0: DynamoDB's API on LevelDB) as a store server: in memory, or on disk in the
// run folder's store-data/ when the plan takes the store down (a store-down is a SIGKILL, an outage; a store-up
// opens the same folder again). Run by our serve.cjs, which listens on the given host only and refuses browsers.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { StoreServer } from "../types.ts";

const require = createRequire(import.meta.url);
const serveScript = fileURLToPath(new URL("./serve.cjs", import.meta.url));

/** dynalite's version as installed (a regular dependency), or null when it is not. */
export function dynaliteVersion(): string | null {
  try {
    return (require("dynalite/package.json") as { version: string }).version;
  } catch {
    return null;
  }
}

/** The port it listens on in a compose project's network (8000, DynamoDB's usual local port). */
const containerPort = 8000;

export const dynaliteServer: StoreServer = {
  name: "dynalite",
  version: () => {
    const v = dynaliteVersion();
    return v ? `DynamoDB emulator dynalite ${v}` : null;
  },
  installHint: "dynalite is a dependency of this repository: run `npm install`",
  command: ({ host, port, dataDir }) => ({
    command: process.execPath,
    args: [serveScript, "--host", host, "--port", String(port), ...(dataDir ? ["--path", dataDir] : [])],
  }),
  // Any HTTP answer means it takes requests (a bare GET answers 200 "healthy: ...").
  async ready(host, port) {
    const res = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return true;
  },
  readyTimeoutMs: 20_000,
  dataText: ({ dataDir }) => (dataDir ? "on disk" : "in memory"),
  container: {
    port: containerPort,
    image: {
      build: {
        name: `failover-harness/dynalite:${dynaliteVersion() ?? "missing"}`,
        dockerfile: "orchestrator/src/store-servers/dynalite/Dockerfile",
        args: { DYNALITE_VERSION: dynaliteVersion() ?? "4" },
      },
    },
    // On disk in the container's own layer: a store-down (kill) and a store-up (start) keep it.
    command: ["--host", "0.0.0.0", "--port", String(containerPort), "--path", "/home/node/dynalite"],
    gracefulStop: false,
  },
};
