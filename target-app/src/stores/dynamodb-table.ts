// Creates the sessions table (on-demand, hash key `id`, TTL on `expires` where the server has TTL). Tests and the
// orchestrator call it; the app never does.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";

export interface CreateSessionTableOptions {
  /** How long to wait for the table to become ACTIVE. */
  timeoutMs?: number;
}

/**
 * Creates `tableName` if it does not exist, waits until it is ACTIVE and enables TTL on `expires`. Idempotent. A
 * server without UpdateTimeToLive (dynalite answers UnknownOperationException) is said so once and the table is
 * used without TTL: the stores ignore expired items themselves (on AWS the CloudFormation stack sets TTL).
 */
export async function createSessionTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateSessionTableOptions = {},
): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilActive(client, tableName, options.timeoutMs ?? 60_000);

  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === "ENABLED" || status === "ENABLING") {
    const attribute = ttl.TimeToLiveDescription?.AttributeName;
    if (attribute !== "expires") {
      throw new Error(`table ${tableName} has TTL on "${attribute}", expected "expires"`);
    }
    return;
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: "expires", Enabled: true },
      }),
    );
  } catch (err) {
    if ((err as Error).name !== "UnknownOperationException") throw err;
    if (!saidNoTtl) {
      saidNoTtl = true;
      console.warn(
        `table ${tableName}: this DynamoDB server has no UpdateTimeToLive (UnknownOperationException); no TTL, the stores ignore expired items themselves`,
      );
    }
  }
}

/** The no-TTL notice is printed once per process. */
let saidNoTtl = false;

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (table?.TableStatus === "ACTIVE") return;
    if (Date.now() > deadline) {
      throw new Error(`table ${tableName} is ${table?.TableStatus} after ${timeoutMs} ms, expected ACTIVE`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
