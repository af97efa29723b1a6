// Strategy `sticky`: sessions on each instance's own disk, the balancer pins each user to one
// instance with a cookie (redispatched when it dies): a dead instance loses the sessions it held.
import { diskStore } from "../disk-store.ts";
import type { StrategyUnit } from "../types.ts";

export const stickyStrategy: StrategyUnit = {
  name: "sticky",
  summary: "sessions on each instance's disk, cookie stickiness",
  store: diskStore,
  sessionStore: "disk",
  sticky: true,
};
