// Strategy `dynamodb`: one DynamoDB table shared by every instance, round robin: no session is
// lost with an instance; only requests in flight on it can fail.
import type { StrategyUnit } from "../types.ts";
import { dynamodbStore } from "./store.ts";

export const dynamodbStrategy: StrategyUnit = {
  name: "dynamodb",
  summary: "sessions in one shared DynamoDB table, round robin",
  store: dynamodbStore,
  sessionStore: "dynamodb",
  sticky: false,
};
