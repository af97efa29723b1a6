// The plan at the edge: plan/ builds and validates the generic plan; the strategy and platform
// names come from their registries, and the platform's own flags become its platformOptions,
// validated by its descriptor, so that plan/ stays a leaf that knows no platform or strategy.
import { checkOutDir } from "../plan/out-dir.ts";
import { buildPlan, type Plan, type ScenarioOptions, validatePlan } from "../plan/plan.ts";
import { platformNames, platformOptionsFromFlags, platformOptionsOf } from "../platforms/index.ts";
import type { FlagValue } from "../platforms/types.ts";
import { strategyNames } from "../strategies/index.ts";

/**
 * Resolves options into a validated plan: defaults < flags. `platformFlags`: the platforms' own
 * flags by name ("region", "ec2-filter", ...). Throws InputError on bad input, before any side effect.
 */
export function planFromOptions(options: ScenarioOptions, platformFlags: Record<string, FlagValue> = {}): Plan {
  const generic = buildPlan(options, { strategies: strategyNames, platforms: platformNames });
  const platformOptions = platformOptionsFromFlags(generic.platform, platformFlags);
  const plan = platformOptions ? validatePlan({ ...generic, platformOptions }) : generic;
  platformOptionsOf(plan);
  checkOutDir(plan.outDir, options.force);
  return plan;
}
