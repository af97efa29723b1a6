// stop: SIGTERM, the graceful way out: the instance finishes requests in flight, then exits.
import { type FaultUnit, requireTarget } from "./types.ts";

export const stop: FaultUnit = {
  action: "stop",
  targetKind: "instance",
  restores: false,
  async apply(ctx, target) {
    const id = requireTarget("stop", target);
    await ctx.beforeTakingAway(id);
    await ctx.platform.instanceOp(id, "stop");
  },
};
