// The compose platform, described once: the fleet as a docker compose project of its own per run.
// No flags of its own.
import type { PlatformDescriptor } from "../types.ts";
import { ComposePlatform } from "./compose-platform.ts";

export const composeDescriptor: PlatformDescriptor = {
  name: "compose",
  summary: "a docker compose project per run",
  flags: {},
  help: "",
  optionsFromFlags: () => undefined,
  create: (plan, runDir) => new ComposePlatform(plan, runDir),
};
