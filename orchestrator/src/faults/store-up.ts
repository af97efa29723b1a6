// store-up: the shared session store comes back with its data.
import { type FaultUnit, requireTarget } from "./types.ts";

export const storeUp: FaultUnit = {
  action: "store-up",
  async apply(ctx, target) {
    requireTarget("store-up", target);
    await ctx.platform.storeOp("start", ctx.signal);
  },
};
