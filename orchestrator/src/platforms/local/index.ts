// The local platform, described once: child processes on loopback (the default platform; not to
// be confused with the `local` strategy, sessions on each instance's disk). No flags of its own.
import type { PlatformDescriptor } from "../types.ts";
import { LocalPlatform } from "./local-platform.ts";

export const localDescriptor: PlatformDescriptor = {
  name: "local",
  summary: "child processes on this machine's loopback: HAProxy, the apps, the store server",
  flags: {},
  help: "",
  optionsFromFlags: () => undefined,
  create: (plan, runDir) => new LocalPlatform(plan, runDir),
};
