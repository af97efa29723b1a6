// Session store on DynamoDB that locks a session from load to save (as the AWS SDK for PHP's locking session handler):
// concurrent requests of one user are served one after the other, so none overwrites another's change.
import { randomUUID } from "node:crypto";
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { SessionData } from "express-session";
import { DynamoDbStore, type DynamoDbStoreOptions } from "./dynamodb-store.ts";
import {
  currentRequestScope,
  currentSaveMode,
  Lease,
  LocalSessionLocks,
  type RequestScope,
  SessionEndedError,
  SessionLockTimeoutError,
} from "./session-lease.ts";
import { StoreUnavailableError } from "./session-store.ts";

export interface DynamoDbLockingStoreOptions extends DynamoDbStoreOptions {
  /** How long a lock holds without being released (a crashed holder blocks its session at most this long). */
  lockTtlMs?: number;
  /** How long a request waits for a session's lock before it gives up (503). */
  lockWaitMs?: number;
  /** Pause between two attempts at a taken lock, drawn from [min, max] ms (the PHP handler's 10 to 50 ms). */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** The lock attributes on the session item: a holder's token and when the lock lapses (epoch ms). */
const LOCK = "lock";
const LOCK_EXPIRES = "lockExpires";

/** A save came after the lock had lapsed and another request had taken it: the write was not applied. */
export class SessionLockLostError extends Error {
  override name = "SessionLockLostError";
  constructor(lockTtlMs: number) {
    super(`the session's lock lapsed (held longer than ${lockTtlMs} ms) and another request took it; not saved`);
  }
}

/** One request's lock on one session: lives on that request's scope, so no other request can use its token. */
class Hold extends Lease {
  /** The lock is still on the item (a save or a delete removes it). */
  inStore = true;
  constructor(
    sid: string,
    readonly token: string,
    readonly releaseLocal: () => void,
    end: (hold: Hold) => Promise<void>,
  ) {
    super(sid, () => end(this));
  }
}

/** The calling request's hold on `sid`, if it has one. */
function holdOf(sid: string): Hold | undefined {
  const lease = currentRequestScope()?.leaseOf(sid);
  return lease instanceof Hold ? lease : undefined;
}

type Callback = (err?: unknown) => void;

export class DynamoDbLockingStore extends DynamoDbStore {
  override readonly kind = "dynamodb-locking";
  readonly lockTtlMs: number;
  readonly lockWaitMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly localLocks = new LocalSessionLocks();
  /** Attempts that found the session locked by another instance (each one a conditional write that failed). */
  lockRetries = 0;

  constructor(options: DynamoDbLockingStoreOptions) {
    super(options);
    this.lockTtlMs = options.lockTtlMs ?? 3000;
    this.lockWaitMs = options.lockWaitMs ?? 4000;
    this.retryMinMs = options.retryMinMs ?? 10;
    this.retryMaxMs = options.retryMaxMs ?? 50;
  }

  override get locksSessions(): boolean {
    return true;
  }

  /**
   * Inside a request: waits for the session's lock (first this process's queue, then the lock on the item), takes
   * it and reads the session in one conditional UpdateItem. The request's scope releases it when the request ends.
   * Outside a request (tests, audits): a plain read, no lock.
   */
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const scope = currentRequestScope();
    if (!scope) {
      super.get(sid, callback);
      return;
    }
    this.lockAndRead(sid, scope).then(
      (sess) => callback(null, sess),
      (err: unknown) =>
        callback(err instanceof SessionLockTimeoutError ? err : new StoreUnavailableError("get (locking)", err)),
    );
  }

  /**
   * Saves the session and removes the lock in one PutItem, on condition that the lock is still this request's (its
   * own hold, found on its own scope). A request that is over (its client gone) cannot save; a loaded session is
   * saved only while it exists (a logout meanwhile wins); only a login creates one.
   */
  override set(sid: string, sess: SessionData, callback?: Callback): void {
    let mode: ReturnType<typeof currentSaveMode>;
    try {
      mode = currentSaveMode(sid);
    } catch (err) {
      callback?.(err);
      return;
    }
    const hold = holdOf(sid);
    const held = hold?.inStore === true ? hold : undefined;
    const unlocked = "(attribute_not_exists(#lock) OR #lockExpires < :now)";
    // Not held (a new session at login, or a second save after the first released the lock): only when nobody
    // else holds the lock now, and, but at login, only while the session exists.
    const command = new PutItemCommand({
      TableName: this.table,
      Item: this.itemOf(sid, sess),
      ConditionExpression: held
        ? "#lock = :token"
        : mode === "update"
          ? `attribute_exists(#id) AND ${unlocked}`
          : unlocked,
      ExpressionAttributeNames: held
        ? { "#lock": LOCK }
        : { "#lock": LOCK, "#lockExpires": LOCK_EXPIRES, ...(mode === "update" ? { "#id": "id" } : {}) },
      ExpressionAttributeValues: held ? { ":token": { S: held.token } } : { ":now": { N: String(this.now()) } },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    });
    this.client.send(command).then(
      () => {
        if (held) held.inStore = false;
        callback?.();
      },
      (err: unknown) => {
        if (!(err instanceof ConditionalCheckFailedException)) {
          callback?.(new StoreUnavailableError("set", err));
          return;
        }
        if (held) held.inStore = false;
        // No item: deleted meanwhile (a logout). An item: its lock is another request's. A server that ignores
        // ReturnValuesOnConditionCheckFailure (dynalite) returns no Item either way: one read tells them apart.
        const lost = () => new SessionLockLostError(this.lockTtlMs);
        if (err.Item !== undefined) {
          callback?.(lost());
          return;
        }
        this.exists(sid).then(
          (exists) => callback?.(exists ? lost() : new SessionEndedError()),
          (readErr: unknown) => callback?.(new StoreUnavailableError("set", readErr)),
        );
      },
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    const hold = holdOf(sid);
    this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { id: { S: sid } } })).then(
      () => {
        if (hold) hold.inStore = false; // the lock went with the item
        callback?.();
      },
      (err: unknown) => callback?.(new StoreUnavailableError("destroy", err)),
    );
  }

  private async lockAndRead(sid: string, scope: RequestScope): Promise<SessionData | null> {
    const started = performance.now();
    const releaseLocal = await this.localLocks.acquire(sid, this.lockWaitMs);
    try {
      for (;;) {
        const attemptAt = performance.now();
        const token = randomUUID();
        const outcome = await this.tryLock(sid, token);
        if (outcome.kind === "locked") {
          this.lockRetries++;
          const pause = this.retryMinMs + Math.random() * (this.retryMaxMs - this.retryMinMs);
          const waited = performance.now() - started;
          if (waited + pause > this.lockWaitMs) throw new SessionLockTimeoutError(waited);
          await new Promise((resolve) => setTimeout(resolve, pause));
          continue;
        }
        scope.lockWaitMs += attemptAt - started;
        if (outcome.kind === "missing") {
          releaseLocal();
          return null;
        }
        const hold = new Hold(sid, token, releaseLocal, (h) => this.endHold(h));
        const sess = this.sessionOf(sid, outcome.item);
        if (sess === null) {
          // Expired or unreadable: nothing to serve, so nothing to hold.
          await this.endHold(hold);
          return null;
        }
        scope.hold(hold);
        return sess;
      }
    } catch (err) {
      releaseLocal();
      throw err;
    }
  }

  /** One conditional UpdateItem: the lock is taken (and the item returned), taken by another, or there is no item. */
  private async tryLock(
    sid: string,
    token: string,
  ): Promise<
    { kind: "taken"; item: Record<string, AttributeValue> | undefined } | { kind: "locked" } | { kind: "missing" }
  > {
    const now = this.now();
    try {
      const { Attributes: item } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { id: { S: sid } },
          UpdateExpression: "SET #lock = :token, #lockExpires = :lockExpires",
          ConditionExpression: "attribute_exists(#id) AND (attribute_not_exists(#lock) OR #lockExpires < :now)",
          ExpressionAttributeNames: { "#id": "id", "#lock": LOCK, "#lockExpires": LOCK_EXPIRES },
          ExpressionAttributeValues: {
            ":token": { S: token },
            ":lockExpires": { N: String(now + this.lockTtlMs) },
            ":now": { N: String(now) },
          },
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { kind: "taken", item };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // The item as it was: present and locked by another request, or absent (no session). DynamoDB returns it
      // (ReturnValuesOnConditionCheckFailure) when it exists; a server that ignores that option (dynalite) returns
      // none, so an absent Item is confirmed with a read: one GetItem, on AWS only when there is no session.
      if (err.Item !== undefined) return { kind: "locked" };
      return (await this.exists(sid)) ? { kind: "locked" } : { kind: "missing" };
    }
  }

  /** Whether the session's item exists (a strongly consistent read of its key only). */
  private async exists(sid: string): Promise<boolean> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { id: { S: sid } },
        ConsistentRead: true,
        ProjectionExpression: "#id",
        ExpressionAttributeNames: { "#id": "id" },
      }),
    );
    return item !== undefined;
  }

  /** The request is over: removes the lock if it is still on the item and still this request's, then lets the next in. */
  private async endHold(hold: Hold): Promise<void> {
    try {
      if (hold.inStore) {
        hold.inStore = false;
        await this.client
          .send(
            new UpdateItemCommand({
              TableName: this.table,
              Key: { id: { S: hold.sid } },
              UpdateExpression: "REMOVE #lock, #lockExpires",
              ConditionExpression: "#lock = :token",
              ExpressionAttributeNames: { "#lock": LOCK, "#lockExpires": LOCK_EXPIRES },
              ExpressionAttributeValues: { ":token": { S: hold.token } },
            }),
          )
          .catch((err: unknown) => {
            // Lapsed and taken by another request: nothing of ours to remove. Otherwise it lapses by itself.
            if (!(err instanceof ConditionalCheckFailedException)) {
              console.warn(
                `dynamodb-locking store: releasing a lock failed (${(err as Error).message}); it lapses within ${this.lockTtlMs} ms`,
              );
            }
          });
      }
    } finally {
      hold.releaseLocal();
    }
  }
}
