// Session store on DynamoDB, in the AWS SDK session handler's layout: hash key `id`, JSON `data`, `expires` (epoch s).
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { SessionData } from "express-session";
import { readSessionItem } from "./dynamodb-item.ts";
import { currentSaveMode, SessionEndedError } from "./session-lease.ts";
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
  readonly kind: SessionStore["kind"] = "dynamodb";
  readonly table: string;
  protected readonly client: DynamoDBClient;
  protected readonly consistentRead: boolean;
  protected readonly defaultTtlMs: number;
  protected readonly now: () => number;
  /** Items found that are not sessions (corrupt data), each answered as a miss; logged as they come. */
  unreadableSessions = 0;

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

  /**
   * Writes the session. In a request, a loaded session is written only while it exists (`attribute_exists(id)`: a
   * logout meanwhile wins) and only a login creates one; a request that is over (its client gone) cannot save.
   */
  override set(sid: string, sess: SessionData, callback?: Callback): void {
    let mode: ReturnType<typeof currentSaveMode>;
    try {
      mode = currentSaveMode(sid);
    } catch (err) {
      callback?.(err);
      return;
    }
    const command = new PutItemCommand({
      TableName: this.table,
      Item: this.itemOf(sid, sess),
      ...(mode === "update"
        ? { ConditionExpression: "attribute_exists(#id)", ExpressionAttributeNames: { "#id": "id" } }
        : {}),
    });
    this.client.send(command).then(
      () => callback?.(),
      (err: unknown) =>
        callback?.(
          err instanceof ConditionalCheckFailedException
            ? new SessionEndedError()
            : new StoreUnavailableError("set", err),
        ),
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

  /** The stored item of one session: its id, its JSON and its expiry (the table's TTL attribute). */
  protected itemOf(sid: string, sess: SessionData): Record<string, AttributeValue> {
    return {
      id: { S: sid },
      data: { S: JSON.stringify(sess) },
      expires: { N: String(this.expiresSeconds(sess)) },
    };
  }

  protected expiresSeconds(sess: SessionData): number {
    return Math.ceil(sessionExpiresMs(sess, this.now(), this.defaultTtlMs) / 1000);
  }

  /** The session, or null when the item is missing, expired or unreadable (counted and logged, never a 503 for ever). */
  protected async read(sid: string): Promise<SessionData | null> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { id: { S: sid } }, ConsistentRead: this.consistentRead }),
    );
    return this.sessionOf(sid, item);
  }

  /** The session an item holds, or null when it is missing, expired or unreadable (counted and logged). */
  protected sessionOf(sid: string, item: Record<string, AttributeValue> | undefined): SessionData | null {
    const read = readSessionItem(item, this.now());
    if (read.kind === "unreadable") {
      this.unreadableSessions++;
      // A session id is a credential: name only its start.
      console.warn(
        `dynamodb store: item ${sid.slice(0, 6)}... in ${this.table} is not a session (${read.reason}); treating it as a miss (${this.unreadableSessions} so far)`,
      );
    }
    return read.kind === "session" ? withStoredExpiry(read.sess, read.expiresMs) : null;
  }
}
