// Strategy `dynamodb-locking`: the `dynamodb` table and balancer, with the app's locking store: a request holds its
// session's lock from load to its end, so concurrent requests of one user lose no update (they wait instead).
import { dynamodbStore } from "../dynamodb/store.ts";
import type { StrategyUnit } from "../types.ts";

export const dynamodbLockingStrategy: StrategyUnit = {
  name: "dynamodb-locking",
  summary: "dynamodb, each session locked from load to the end of its request (no lost updates)",
  store: dynamodbStore,
  sessionStore: "dynamodb-locking",
  sticky: false,
};
