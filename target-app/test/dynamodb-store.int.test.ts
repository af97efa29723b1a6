// The DynamoDB store against a real dynalite (the DynamoDB emulator): the shared contract, the table layout and the
// set-up function; the set-up's TTL against moto's DynamoDB (dynalite has no UpdateTimeToLive).
import { DescribeTableCommand, DescribeTimeToLiveCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { motoMissing, startMoto } from "../../orchestrator/test/helpers/moto-server.ts";
import { DynamoDbLockingStore } from "../src/stores/dynamodb-locking-store.ts";
import { DynamoDbStore } from "../src/stores/dynamodb-store.ts";
import { createSessionTable } from "../src/stores/dynamodb-table.ts";
import { type Dynalite, dynaliteMissingReason, localClient, startDynalite } from "./helpers/dynalite.ts";
import { describeStoreContract, FakeClock, sessionAt, storeGet, storeSet } from "./store-contract.ts";

const missing = dynaliteMissingReason();
if (missing) console.warn(`SKIPPED dynamodb-store.int.test.ts: ${missing}`);
const noMoto = motoMissing();
if (noMoto) console.warn(`SKIPPED dynamodb-store.int.test.ts (TTL on moto's DynamoDB): ${noMoto}`);

const TABLE = "sessions";

describe.skipIf(missing !== null)("DynamoDB store on dynalite", () => {
  let local: Dynalite;

  beforeAll(async () => {
    local = await startDynalite();
    const client = localClient(local.endpoint);
    await createSessionTable(client, TABLE);
    client.destroy();
  });
  afterAll(async () => {
    await local?.stop();
  });

  describeStoreContract(
    "dynamodb",
    async (now) => new DynamoDbStore({ client: localClient(local.endpoint), table: TABLE, now }),
  );

  // Outside a request (as the contract calls it) the locking store reads without a lock and writes when unlocked.
  describeStoreContract(
    "dynamodb-locking",
    async (now) => new DynamoDbLockingStore({ client: localClient(local.endpoint), table: TABLE, now }),
  );

  it("creates the table on demand with hash key id, idempotently (dynalite: no TTL, and the set-up goes on)", async () => {
    const client = localClient(local.endpoint);
    await createSessionTable(client, TABLE); // second call: the table exists already
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(table?.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    expect(table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    client.destroy();
  });

  it("writes the session handler layout: id, JSON data, expires in epoch seconds", async () => {
    const client = localClient(local.endpoint);
    const clock = new FakeClock(Date.now());
    const store = new DynamoDbStore({ client, table: TABLE, now: clock.now });
    const sess = sessionAt(clock.ms, 60_000, { username: "layout", profile: { a: "b" } });
    await storeSet(store, "layout-sid", sess);
    const { Item: item } = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { id: { S: "layout-sid" } }, ConsistentRead: true }),
    );
    expect(item?.id?.S).toBe("layout-sid");
    expect(JSON.parse(item?.data?.S ?? "{}")).toMatchObject({ username: "layout", profile: { a: "b" } });
    expect(Number(item?.expires?.N)).toBe(Math.ceil((clock.ms + 60_000) / 1000));
    await store.close();
  });

  it("passes a DynamoDB error to the callback as a store failure", async () => {
    const store = new DynamoDbStore({ client: localClient(local.endpoint), table: "no-such-table" });
    await expect(storeGet(store, "x")).rejects.toThrow(/session store get failed: .*(non-existent|not found)/i);
    await store.close();
  });
});

// dynalite answers UpdateTimeToLive with UnknownOperationException; moto's DynamoDB has TTL, as AWS has.
describe.skipIf(noMoto !== null)("the table's set-up on moto's DynamoDB", () => {
  it("creates the table on demand with hash key id and TTL on expires, idempotently", async () => {
    const moto = await startMoto();
    const client = localClient(moto.endpoint);
    try {
      await createSessionTable(client, TABLE);
      await createSessionTable(client, TABLE); // second call: the table exists already
      const { Table: table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
      expect(table?.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
      expect(table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
      expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: "expires", TimeToLiveStatus: "ENABLED" });
    } finally {
      client.destroy();
      await moto.stop();
    }
  });
});
