// The strategies, listed once: a new strategy is a folder strategies/<name>/index.ts and one line here.
import { InputError } from "../errors.ts";
import { type Plan, persistenceOf } from "../plan/plan.ts";
import { dynamodbStrategy } from "./dynamodb/index.ts";
import { dynamodbLockingStrategy } from "./dynamodb-locking/index.ts";
import { localStrategy } from "./local/index.ts";
import { redisStrategy } from "./redis/index.ts";
import { stickyStrategy } from "./sticky/index.ts";
import { persistencesOf, type StrategyUnit } from "./types.ts";

/** In the order --help lists them and `npm run chaos --strategies` runs them. */
export const strategyUnits: readonly StrategyUnit[] = [
  localStrategy,
  stickyStrategy,
  dynamodbStrategy,
  dynamodbLockingStrategy,
  redisStrategy,
];

export const strategyNames: readonly string[] = strategyUnits.map((s) => s.name);

/**
 * What `npm run chaos` compares without --strategies (issue 14: the three of the origin story); dynamodb-locking
 * and redis run when asked for (`--strategies local,sticky,dynamodb,redis`).
 */
export const defaultStrategyNames: readonly string[] = ["local", "sticky", "dynamodb"];

export function strategyUnit(name: string): StrategyUnit {
  const unit = strategyUnits.find((s) => s.name === name);
  if (!unit) throw new InputError(`strategy ${JSON.stringify(name)}: expected one of ${strategyNames.join(", ")}`);
  return unit;
}

/** Store options of the plan that its strategy's store cannot apply: each a line the run and --dry-run print. */
export function unappliedStoreOptions(plan: Plan): string[] {
  const persistence = persistenceOf(plan);
  const store = strategyUnit(plan.strategy).store;
  if (persistence === "none" || persistencesOf(store).includes(persistence)) return [];
  const takers = strategyUnits.filter((s) => persistencesOf(s.store).includes(persistence)).map((s) => s.name);
  return [
    `--store-persistence ${persistence} does not apply to strategy ${plan.strategy} (its ${store.name} store has no such option; ${takers.join(", ")} takes it): it runs without`,
  ];
}
