// crash: SIGKILL the instance. It gets no chance to finish requests; its disk is kept.
import { type FaultUnit, requireTarget } from "./types.ts";

export const crash: FaultUnit = {
  action: "crash",
  takesInstanceAway: true,
  async apply(platform, target) {
    await platform.instanceOp(requireTarget("crash", target), "kill");
  },
};
