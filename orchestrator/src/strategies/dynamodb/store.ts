// The DynamoDB session store, described once: a table `sessions` (hash key `id`) on dynalite, the DynamoDB
// emulator (store-servers/dynalite/), on the local and compose platforms; the stack's own table on ec2.
import { createSessionTable } from "../../../../target-app/src/stores/dynamodb-table.ts";
import { createDynamoDbClient } from "../../../../target-app/src/stores/index.ts";
import { dynaliteServer } from "../../store-servers/dynalite/index.ts";
import type { SessionStoreKind } from "../types.ts";

const table = "sessions";
const region = "us-east-1";

export const dynamodbStore: SessionStoreKind = {
  name: "dynamodb",
  shared: true,
  server: {
    server: dynaliteServer,
    // Dummy keys: dynalite takes any; the apps never see the user's own credentials.
    appEnv: (host, port) => ({
      DYNAMODB_ENDPOINT: `http://${host}:${port}`,
      DYNAMODB_TABLE: table,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
    }),
    setUp: {
      async run(env) {
        const client = createDynamoDbClient({ endpoint: env.DYNAMODB_ENDPOINT, region, localCredentials: true });
        try {
          await createSessionTable(client, table);
        } finally {
          client.destroy();
        }
      },
      // compose: orchestrator/src/platforms/compose/store-init.ts, bundled into the app's image.
      command: ["node", "--enable-source-maps", "store-init.cjs"],
    },
  },
  managed: { version: "DynamoDB table (the stack's)" },
};
