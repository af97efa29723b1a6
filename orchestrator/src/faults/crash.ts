// crash: SIGKILL the instance. It gets no chance to finish requests; its disk is kept.
import { type FaultUnit, requireTarget } from "./types.ts";

export const crash: FaultUnit = {
  action: "crash",
  async apply(ctx, target) {
    const id = requireTarget("crash", target);
    await ctx.beforeTakingAway(id);
    await ctx.platform.instanceOp(id, "kill");
  },
};
