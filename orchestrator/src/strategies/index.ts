// The strategies, listed once: a new strategy is a folder strategies/<name>/index.ts and one line here.
import { InputError } from "../errors.ts";
import { dynamodbStrategy } from "./dynamodb/index.ts";
import { dynamodbLockingStrategy } from "./dynamodb-locking/index.ts";
import { localStrategy } from "./local/index.ts";
import { stickyStrategy } from "./sticky/index.ts";
import type { StrategyUnit } from "./types.ts";

/** In the order `npm run chaos` runs them by default. */
export const strategyUnits: readonly StrategyUnit[] = [
  localStrategy,
  stickyStrategy,
  dynamodbStrategy,
  dynamodbLockingStrategy,
];

export const strategyNames: readonly string[] = strategyUnits.map((s) => s.name);

export function strategyUnit(name: string): StrategyUnit {
  const unit = strategyUnits.find((s) => s.name === name);
  if (!unit) throw new InputError(`strategy ${JSON.stringify(name)}: expected one of ${strategyNames.join(", ")}`);
  return unit;
}
