// Strategy `redis`: sessions in one Redis server shared by every instance, round robin: an instance's loss loses no
// session; the store's own restart loses every session it had not persisted (--store-persistence).
import type { StrategyUnit } from "../types.ts";
import { redisStore } from "./store.ts";

export const redisStrategy: StrategyUnit = {
  name: "redis",
  summary: "sessions in one shared Redis server (ElastiCache on ec2), round robin",
  store: redisStore,
  sessionStore: "redis",
  sticky: false,
};
