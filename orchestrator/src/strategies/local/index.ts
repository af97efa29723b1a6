// Strategy `local`: sessions on each instance's own disk, round robin without stickiness. Broken
// even without faults (most requests miss the session): the problem the seeds start from.
import { diskStore } from "../disk-store.ts";
import type { StrategyUnit } from "../types.ts";

export const localStrategy: StrategyUnit = {
  name: "local",
  summary: "sessions on each instance's disk, round robin (no stickiness)",
  store: diskStore,
  sessionStore: "disk",
  sticky: false,
};
