// restart: start a stopped or crashed instance again on its old disk; resolves once it answers and
// is back in the balancer's rotation (registered again after a planned stop).
import { type FaultUnit, requireTarget } from "./types.ts";

export const restart: FaultUnit = {
  action: "restart",
  async apply(ctx, target) {
    const id = requireTarget("restart", target);
    await ctx.platform.instanceOp(id, "start", ctx.signal);
    await ctx.platform.instanceOp(id, "register");
  },
};
