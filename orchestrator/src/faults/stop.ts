// stop: a planned stop, as a deploy does it: the instance is taken out of the balancer first and
// drained (no request in flight, at most the profile's deregistration delay), then sent SIGTERM.
import { type FaultUnit, requireTarget } from "./types.ts";

export const stop: FaultUnit = {
  action: "stop",
  async apply(ctx, target) {
    const id = requireTarget("stop", target);
    await ctx.beforeTakingAway(id);
    ctx.step("deregister", id, "start");
    await ctx.platform.instanceOp(id, "deregister", ctx.signal);
    ctx.step("deregister", id, "end");
    await ctx.platform.instanceOp(id, "stop");
  },
};
