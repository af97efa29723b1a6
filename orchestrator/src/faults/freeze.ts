// freeze: SIGSTOP (docker pause): the instance still holds its connections but answers nothing.
import { type FaultUnit, requireTarget } from "./types.ts";

export const freeze: FaultUnit = {
  action: "freeze",
  async apply(ctx, target) {
    const id = requireTarget("freeze", target);
    await ctx.beforeTakingAway(id);
    await ctx.platform.instanceOp(id, "pause");
  },
};
