// Chooses a platform by name. No caller branches on the platform's name.
import { InputError } from "../errors.ts";
import type { Plan } from "../plan/plan.ts";
import { createComposePlatform } from "./compose/compose-platform.ts";
import { createEc2Platform } from "./ec2/ec2-platform.ts";
import { createLocalPlatform } from "./local/local-platform.ts";
import type { Platform, PlatformFactory } from "./types.ts";

const factories: Record<string, PlatformFactory> = {
  local: createLocalPlatform,
  compose: createComposePlatform,
  ec2: createEc2Platform,
};

export function createPlatform(plan: Plan, runDir: string): Platform {
  const factory = factories[plan.platform];
  if (!factory) {
    throw new InputError(
      `platform ${JSON.stringify(plan.platform)}: expected one of ${Object.keys(factories).join(", ")}`,
    );
  }
  return factory(plan, runDir);
}
