// restart: start a stopped or crashed instance again on its old disk; resolves once it answers.
import { type FaultUnit, requireTarget } from "./types.ts";

export const restart: FaultUnit = {
  action: "restart",
  takesInstanceAway: false,
  async apply(platform, target, signal) {
    await platform.instanceOp(requireTarget("restart", target), "start", signal);
  },
};
