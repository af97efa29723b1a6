// terminate: kill the instance, wipe its disk, start a replacement in its place (a new server).
import { type FaultUnit, requireTarget } from "./types.ts";

export const terminate: FaultUnit = {
  action: "terminate",
  async apply(ctx, target) {
    const id = requireTarget("terminate", target);
    await ctx.beforeTakingAway(id);
    await ctx.platform.instanceOp(id, "kill");
    await ctx.platform.instanceOp(id, "wipe");
    await ctx.platform.instanceOp(id, "start", ctx.signal);
    await ctx.platform.instanceOp(id, "register");
  },
};
