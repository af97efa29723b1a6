// The platforms, listed once, and the edge where a plan meets them: each platform's own flags
// resolve to the plan's platformOptions, and its factory validates them. No caller branches on a
// platform's name.
import { InputError } from "../errors.ts";
import { issuesMessage, type Plan } from "../plan/plan.ts";
import { composeDescriptor } from "./compose/index.ts";
import { ec2Descriptor } from "./ec2/index.ts";
import { localDescriptor } from "./local/index.ts";
import type { FlagValue, Platform, PlatformDescriptor } from "./types.ts";

/** In the order --help lists them; the first is the default. */
export const platformDescriptors: readonly PlatformDescriptor[] = [localDescriptor, composeDescriptor, ec2Descriptor];

export const platformNames: readonly string[] = platformDescriptors.map((d) => d.name);

export function platformDescriptor(name: string): PlatformDescriptor {
  const descriptor = platformDescriptors.find((d) => d.name === name);
  if (!descriptor) {
    throw new InputError(`platform ${JSON.stringify(name)}: expected one of ${platformNames.join(", ")}`);
  }
  return descriptor;
}

/** Validates, at the edge, the plan's platformOptions against its platform's schema; returns them parsed. */
export function platformOptionsOf(plan: Plan): unknown {
  const descriptor = platformDescriptor(plan.platform);
  const schema = descriptor.optionsSchema;
  if (!schema) {
    if (plan.platformOptions === undefined) return undefined;
    throw new InputError(
      `plan.platformOptions: platform ${plan.platform} takes no options (got ${JSON.stringify(plan.platformOptions)})`,
    );
  }
  if (plan.platformOptions === undefined) {
    const flags = Object.keys(descriptor.flags).map((f) => `--${f}`);
    throw new InputError(`plan.platformOptions: required with platform ${plan.platform} (${flags.join(", ")})`);
  }
  const parsed = schema.safeParse(plan.platformOptions, { reportInput: true });
  if (!parsed.success) throw new InputError(issuesMessage("invalid plan", "plan.platformOptions", parsed.error));
  return parsed.data;
}

export function createPlatform(plan: Plan, runDir: string): Platform {
  return platformDescriptor(plan.platform).create(plan, runDir, platformOptionsOf(plan));
}

/** Every platform's own flags (parseArgs options), for the command line. */
export function platformFlags(): PlatformDescriptor["flags"] {
  return Object.assign({}, ...platformDescriptors.map((d) => d.flags));
}

/**
 * The plan's platformOptions from the flags: the chosen platform's descriptor resolves its own;
 * a flag of another platform is refused, naming it.
 */
export function platformOptionsFromFlags(
  platform: string,
  values: Record<string, FlagValue>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> | undefined {
  const given = (flag: string) => {
    const value = values[flag];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  };
  for (const other of platformDescriptors.filter((d) => d.name !== platform)) {
    const foreign = Object.keys(other.flags).filter(given);
    if (foreign.length > 0) {
      throw new InputError(`${foreign.map((f) => `--${f}`).join(", ")}: only for --platform ${other.name}`);
    }
  }
  return platformDescriptor(platform).optionsFromFlags(values, env);
}
