// Starts a real dynalite (the DynamoDB emulator, a dependency of this repository) in memory on a loopback port for
// tests, through the orchestrator's own store-server runner, and stops it by its PID.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { freePort } from "../../../orchestrator/src/process/ports.ts";
import { dynaliteServer } from "../../../orchestrator/src/store-servers/dynalite/index.ts";
import { startStoreProcess } from "../../../orchestrator/src/store-servers/process.ts";

export { freePort };

export interface Dynalite {
  endpoint: string;
  port: number;
  /** SIGTERM, then SIGKILL after a bound; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Why dynalite cannot be started here, or null when it can. */
export function dynaliteMissingReason(): string | null {
  return dynaliteServer.version() ? null : dynaliteServer.installHint;
}

/** A client with dummy credentials and short timeouts, for tests and table set-up. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 500, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
}

/** `port`: reuse a port (to restart the store where the app expects it); default: a free one. In memory. */
export async function startDynalite(options: { port?: number } = {}): Promise<Dynalite> {
  const port = options.port ?? (await freePort());
  const workDir = mkdtempSync(join(tmpdir(), "fh-dynalite-test-"));
  const store = await startStoreProcess(
    dynaliteServer,
    { host: "127.0.0.1", port, workDir, persistence: "none" },
    { name: "test-store" },
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await store.child.stop(5000);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
