// Starts a real DynamoDB Local (the jar tools/setup.mjs installs) on a free loopback port, and stops it by its PID.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { dynamoDbLocalJar } from "../../../tools/tool-paths.mjs";

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** SIGTERM, then SIGKILL after a bound; resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a port (to restart the store where the app expects it); default: a free one. */
  port?: number;
  readyTimeoutMs?: number;
}

/** Why DynamoDB Local cannot be started here, or null when it can. */
export function dynamoDbLocalMissingReason(): string | null {
  return dynamoDbLocalJar() ? null : "DynamoDB Local is not installed (run `npm run setup`)";
}

/** A port that was free a moment ago: bind port 0 on loopback, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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

export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  const installed = dynamoDbLocalJar();
  if (!installed) throw new Error(dynamoDbLocalMissingReason() ?? "DynamoDB Local is missing");
  const port = options.port ?? (await freePort());
  const child = spawn(
    "java",
    [`-Djava.library.path=${installed.libDir}`, "-jar", installed.jar, "-inMemory", "-sharedDb", "-port", String(port)],
    { cwd: dirname(installed.jar), stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child, exited);

  try {
    await waitUntilReady(endpoint, child, options.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    throw new Error(`DynamoDB Local on port ${port} did not start: ${(err as Error).message}\n${output}`);
  }
  return { endpoint, port, stop };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = localClient(endpoint);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`it exited (${child.exitCode ?? child.signalCode})`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`not accepting requests after ${timeoutMs} ms: ${err}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), graceMs);
  });
  const killed = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (killed) {
    child.kill("SIGKILL");
    await exited;
  }
}
