// Runs a store server (store-servers/<name>/) as a child process on loopback: started in its own process group,
// waited for with its own readiness probe within its bound, stopped by PID. A server that does not come up in time
// fails with its name, port and the last lines of its log, and is stopped.
import { mkdirSync } from "node:fs";
import { HarnessError } from "../errors.ts";
import { ManagedChild } from "../process/child.ts";
import { childEnv } from "../process/child-env.ts";
import { pollUntil } from "../process/poll.ts";
import type { ServerPlace, StoreServer } from "./types.ts";

export interface StoreProcess {
  server: StoreServer;
  place: ServerPlace;
  child: ManagedChild;
  /** "DynamoDB emulator dynalite 4.0.0 (in memory)": for the run record. */
  version: string;
  /** store-down with the data kept: the server's own save-and-exit, else SIGKILL. */
  storeDown(): Promise<void>;
}

/** How many of its last output lines a start failure quotes. */
const tailLines = 15;

export async function startStoreProcess(
  server: StoreServer,
  place: ServerPlace,
  options: { logFile?: string; echo?: boolean; name?: string; signal?: AbortSignal } = {},
): Promise<StoreProcess> {
  const version = server.version();
  if (!version) throw new HarnessError(`${server.name} cannot run here: ${server.installHint}`);
  mkdirSync(place.workDir, { recursive: true, mode: 0o700 });
  if (place.dataDir) mkdirSync(place.dataDir, { recursive: true, mode: 0o700 });
  const { command, args, cwd } = server.command(place);
  const tail: string[] = [];
  const child = new ManagedChild({
    name: options.name ?? "store",
    command,
    args,
    cwd: cwd ?? place.workDir,
    // Allow-listed: no user credentials.
    env: childEnv({}),
    logFile: options.logFile,
    echo: options.echo ?? false,
    onLine: (line) => {
      tail.push(line);
      if (tail.length > tailLines) tail.shift();
    },
  });
  // An exit ends the wait at once (the poll alone would wait out the bound).
  const stopPolling = new AbortController();
  const exitedEarly = child.exited.then((info) => {
    throw new Error(`${server.name} exited (${info.signal ?? `code ${info.code}`})`);
  });
  exitedEarly.catch(() => undefined);
  try {
    await Promise.race([
      pollUntil(() => server.ready(place.host, place.port), {
        timeoutMs: server.readyTimeoutMs,
        intervalMs: 100,
        what: `${server.name} on ${place.host}:${place.port}`,
        signal: options.signal ? AbortSignal.any([options.signal, stopPolling.signal]) : stopPolling.signal,
      }),
      exitedEarly,
    ]);
  } catch (err) {
    stopPolling.abort();
    await child.stop(2000);
    if (options.signal?.aborted) throw err;
    const log = tail.length ? `; its log ends:\n  ${tail.join("\n  ")}` : "; it printed nothing";
    throw new HarnessError(
      `${server.name} did not come up on ${place.host}:${place.port}: ${(err as Error).message}${log}`,
    );
  }
  stopPolling.abort();
  server.afterStart?.(place);
  return {
    server,
    place,
    child,
    version: `${version} (${server.dataText(place)})`,
    storeDown: async () => {
      if (server.saveAndExit) {
        await server.saveAndExit.run(place, child.exited, () => child.stop(0, "SIGKILL").then(() => undefined));
        return;
      }
      child.signal("SIGKILL");
      await child.exited;
    },
  };
}
