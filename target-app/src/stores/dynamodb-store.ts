// Session store on DynamoDB, in the AWS SDK session handler's layout: hash key `id`, JSON `data`, `expires` (epoch s).
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { SessionData } from "express-session";
import { SessionStore, StoreUnavailableError, sessionExpiresMs, withStoredExpiry } from "./session-store.ts";

export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  table: string;
  /** Strongly consistent reads (the default): a session written on one instance is read on the next. */
  consistentRead?: boolean;
  /** Expiry for sessions whose cookie has none. */
  defaultTtlMs?: number;
  /** The clock, in epoch milliseconds; tests replace it. */
  now?: () => number;
}

type Callback = (err?: unknown) => void;

export class DynamoDbStore extends SessionStore {
  readonly kind = "dynamodb";
  readonly table: string;
  private readonly client: DynamoDBClient;
  private readonly consistentRead: boolean;
  private readonly defaultTtlMs: number;
  private readonly now: () => number;

  constructor(options: DynamoDbStoreOptions) {
    super();
    this.client = options.client;
    this.table = options.table;
    this.consistentRead = options.consistentRead ?? true;
    this.defaultTtlMs = options.defaultTtlMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.read(sid).then(
      (sess) => callback(null, sess),
      (err: unknown) => callback(new StoreUnavailableError("get", err)),
    );
  }

  override set(sid: string, sess: SessionData, callback?: Callback): void {
    const command = new PutItemCommand({
      TableName: this.table,
      Item: {
        id: { S: sid },
        data: { S: JSON.stringify(sess) },
        expires: { N: String(this.expiresSeconds(sess)) },
      },
    });
    this.client.send(command).then(
      () => callback?.(),
      (err: unknown) => callback?.(new StoreUnavailableError("set", err)),
    );
  }

  /** Moves `expires` only; a session deleted meanwhile is not brought back as an item without data. */
  override touch(sid: string, sess: SessionData, callback?: Callback): void {
    const command = new UpdateItemCommand({
      TableName: this.table,
      Key: { id: { S: sid } },
      UpdateExpression: "SET #expires = :expires",
      ConditionExpression: "attribute_exists(#id)",
      ExpressionAttributeNames: { "#expires": "expires", "#id": "id" },
      ExpressionAttributeValues: { ":expires": { N: String(this.expiresSeconds(sess)) } },
    });
    this.client.send(command).then(
      () => callback?.(),
      (err: unknown) => {
        if (err instanceof ConditionalCheckFailedException) callback?.();
        else callback?.(new StoreUnavailableError("touch", err));
      },
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    const command = new DeleteItemCommand({ TableName: this.table, Key: { id: { S: sid } } });
    this.client.send(command).then(
      () => callback?.(),
      (err: unknown) => callback?.(new StoreUnavailableError("destroy", err)),
    );
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private expiresSeconds(sess: SessionData): number {
    return Math.ceil(sessionExpiresMs(sess, this.now(), this.defaultTtlMs) / 1000);
  }

  /** The session, or null when the item is missing, expired (DynamoDB's TTL deletes days late) or has no data. */
  private async read(sid: string): Promise<SessionData | null> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { id: { S: sid } }, ConsistentRead: this.consistentRead }),
    );
    const data = item?.data?.S;
    const expires = Number(item?.expires?.N);
    if (data === undefined || !Number.isFinite(expires)) return null;
    if (expires * 1000 <= this.now()) return null;
    const sess: unknown = JSON.parse(data);
    return typeof sess === "object" && sess !== null ? withStoredExpiry(sess as SessionData, expires * 1000) : null;
  }
}
