// The plan at the edge: plan/ builds and validates the generic plan; the strategy and platform
// names come from their registries, the target (--target) says which strategies and scenarios it
// takes and what the scenario is told (its session protocol), and the platform's own flags become
// its platformOptions, validated by its descriptor, so that plan/ stays a leaf that knows no
// platform, strategy or target.
import { InputError } from "../errors.ts";
import { checkOutDir } from "../plan/out-dir.ts";
import { buildPlan, type Plan, type ScenarioOptions, validatePlan } from "../plan/plan.ts";
import { platformNames, platformOptionsFromFlags, platformOptionsOf } from "../platforms/index.ts";
import type { FlagValue } from "../platforms/types.ts";
import { strategyNames } from "../strategies/index.ts";
import { defaultTargetName, loadTarget, type Target } from "../targets/target-file.ts";

/** The strategies a target supports, in the registry's order. */
export function targetStrategies(target: Target): string[] {
  return strategyNames.filter((s) => Object.hasOwn(target.strategies, s));
}

/**
 * Resolves options into a validated plan: defaults < flags. `platformFlags`: the platforms' own
 * flags by name ("region", "ec2-filter", ...). Throws InputError on bad input, before any side effect.
 */
export function planFromOptions(options: ScenarioOptions, platformFlags: Record<string, FlagValue> = {}): Plan {
  const target = loadTarget(options.target ?? defaultTargetName);
  const generic = buildPlan(
    { ...options, scenario: options.scenario ?? target.scenarios[0] },
    { strategies: strategyNames, platforms: platformNames },
  );
  const supported = targetStrategies(target);
  if (!supported.includes(generic.strategy)) {
    throw new InputError(
      `--strategy ${generic.strategy}: target ${target.name} (${target.file}) does not support it; it supports ${supported.join(", ")}`,
    );
  }
  const scenario = generic.load.scenario.replace(/^scenarios\/|\.ts$/g, "");
  if (!target.scenarios.includes(scenario)) {
    throw new InputError(
      `--scenario ${scenario}: target ${target.name} (${target.file}) is driven by ${target.scenarios.join(", ")}`,
    );
  }
  if (!(target.platforms as readonly string[]).includes(generic.platform)) {
    throw new InputError(
      `--platform ${generic.platform}: target ${target.name} (${target.file}) runs on ${target.platforms.join(", ")}`,
    );
  }
  const platformOptions = platformOptionsFromFlags(generic.platform, platformFlags);
  const plan = validatePlan({
    ...generic,
    load: { ...generic.load, scenarioOptions: { protocol: target.protocol } },
    target: { name: target.name, file: target.file },
    ...(platformOptions ? { platformOptions } : {}),
  });
  platformOptionsOf(plan);
  checkOutDir(plan.outDir, options.force);
  return plan;
}
