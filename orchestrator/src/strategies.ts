// What each session strategy means for the store and the balancer (DESIGN.md "Strategies").
import type { Strategy } from "./plan/plan.ts";

export interface StrategyTraits {
  /** Where sessions live: a folder per instance, or one shared DynamoDB table. */
  store: "disk" | "dynamodb";
  /** Whether the balancer pins each user to one instance with a cookie. */
  sticky: boolean;
}

export const strategyTraits: Record<Strategy, StrategyTraits> = {
  local: { store: "disk", sticky: false },
  sticky: { store: "disk", sticky: true },
  dynamodb: { store: "dynamodb", sticky: false },
};
