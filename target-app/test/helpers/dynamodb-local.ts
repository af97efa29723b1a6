// Starts a real DynamoDB Local (the jar tools/setup.mjs installs) on a loopback port for tests,
// through the orchestrator's own starter, and stops it by its PID.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startDynamoDbLocal as startStore } from "../../../orchestrator/src/platforms/local/dynamodb-local.ts";
import { freePort } from "../../../orchestrator/src/process/ports.ts";
import { dynamoDbLocalJar } from "../../../tools/tool-paths.mjs";

export { freePort };

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** SIGTERM, then SIGKILL after a bound; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Why DynamoDB Local cannot be started here, or null when it can. */
export function dynamoDbLocalMissingReason(): string | null {
  return dynamoDbLocalJar() ? null : "DynamoDB Local is not installed (run `npm run setup`)";
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

/** `port`: reuse a port (to restart the store where the app expects it); default: a free one. */
export async function startDynamoDbLocal(options: { port?: number } = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const store = await startStore({ port, echo: false, name: "test-store" });
  return {
    endpoint: store.endpoint,
    port,
    stop: async () => {
      await store.child.stop(5000);
    },
  };
}
