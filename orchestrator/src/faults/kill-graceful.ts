// kill-graceful: SIGTERM while the balancer still routes to the instance (no deregistration first):
// the instance finishes its requests in flight and exits, but requests keep arriving until the
// balancer notices. A real mistake people make; `stop` is the planned way.
import { type FaultUnit, requireTarget } from "./types.ts";

export const killGraceful: FaultUnit = {
  action: "kill-graceful",
  async apply(ctx, target) {
    const id = requireTarget("kill-graceful", target);
    await ctx.beforeTakingAway(id);
    await ctx.platform.instanceOp(id, "stop");
  },
};
