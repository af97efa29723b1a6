// `npm run store -- --port 8000 --table sessions`: dynalite (the DynamoDB emulator) in the foreground, table created.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createSessionTable } from "../../../target-app/src/stores/dynamodb-table.ts";
import { ExitCode, exitCodeFor, InputError } from "../errors.ts";
import { dynaliteServer } from "../store-servers/dynalite/index.ts";
import { startStoreProcess } from "../store-servers/process.ts";

const help = `Usage: npm run store -- [--port 8000] [--table sessions] [--region us-east-1]

Runs dynalite (npm \`dynalite\`, DynamoDB's API on LevelDB) in memory on 127.0.0.1:PORT, reachable from
this machine only, with the session table created (hash key "id"; dynalite has no TTL: the
stores ignore expired items themselves), prints "ready", and runs until Ctrl-C.`;

async function run(argv: string[]): Promise<ExitCode> {
  let values: { port?: string; table?: string; region?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string", default: "8000" },
        table: { type: "string", default: "sessions" },
        region: { type: "string", default: "us-east-1" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (err) {
    throw new InputError(`${(err as Error).message}\n\n${help}`);
  }
  if (values.help) {
    console.log(help);
    return ExitCode.ok;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port ?? "") || port < 1 || port > 65535) {
    throw new InputError(`--port ${JSON.stringify(values.port)}: expected a TCP port from 1 to 65535`);
  }
  const table = values.table ?? "sessions";
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new InputError(`--table ${JSON.stringify(table)}: expected 3-255 letters, digits, "_", "." or "-"`);
  }
  const workDir = mkdtempSync(join(tmpdir(), "fh-store-"));
  const place = { host: "127.0.0.1", port, workDir, persistence: "none" as const };
  try {
    const store = await startStoreProcess(dynaliteServer, place, { echo: true });
    const stop = () => void store.child.stop(5000);
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    try {
      const endpoint = `http://127.0.0.1:${port}`;
      const client = new DynamoDBClient({
        endpoint,
        region: values.region,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      await createSessionTable(client, table);
      client.destroy();
      console.log(
        `[store] ready: ${store.version} on ${endpoint} (reachable from this machine only), table "${table}" (Ctrl-C stops it)`,
      );
      const exit = await store.child.exited;
      return exit.code === 0 || exit.signal ? ExitCode.ok : ExitCode.harnessError;
    } catch (err) {
      await store.child.stop(5000);
      throw err;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`store: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(exitCodeFor(err));
  },
);
