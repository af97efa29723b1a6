// stop: a planned stop, as a deploy does it: the instance is taken out of the balancer first and
// drained (no request in flight, at most the profile's deregistration delay), then sent SIGTERM.
import { type FaultContext, type FaultUnit, requireTarget } from "./types.ts";

/** Audits the instance, then takes it out of the balancer and waits until it is drained (the `deregister` step). */
export async function takeOutOfBalancer(ctx: FaultContext, id: string): Promise<void> {
  await ctx.beforeTakingAway(id);
  ctx.step("deregister", id, "start");
  await ctx.platform.instanceOp(id, "deregister", ctx.signal);
  ctx.step("deregister", id, "end");
}

export const stop: FaultUnit = {
  action: "stop",
  async apply(ctx, target) {
    const id = requireTarget("stop", target);
    await takeOutOfBalancer(ctx, id);
    await ctx.platform.instanceOp(id, "stop");
  },
};
