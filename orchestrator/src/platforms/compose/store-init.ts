// The compose project's one-shot store-init job (bundled into the target-app image): waits for
// the DynamoDB server (dynalite), then creates the sessions table with the target app's own createSessionTable().
import { createSessionTable } from "../../../../target-app/src/stores/dynamodb-table.ts";
import { createDynamoDbClient } from "../../../../target-app/src/stores/index.ts";

const timeoutMs = 60_000;

async function main(): Promise<number> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const table = process.env.DYNAMODB_TABLE;
  const region = process.env.AWS_REGION;
  if (!endpoint || !table || !region) {
    console.error("store-init: DYNAMODB_ENDPOINT, DYNAMODB_TABLE and AWS_REGION must all be set");
    return 2;
  }
  const client = createDynamoDbClient({ endpoint, region, localCredentials: !process.env.AWS_ACCESS_KEY_ID });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await createSessionTable(client, table);
      console.log(`store-init: table ${table} is ready at ${endpoint}`);
      return 0;
    } catch (err) {
      if (Date.now() > deadline) {
        console.error(`store-init: no table ${table} at ${endpoint} after ${timeoutMs} ms: ${(err as Error).message}`);
        return 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

main().then((code) => process.exit(code));
