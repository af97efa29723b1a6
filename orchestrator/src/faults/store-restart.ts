// store-restart: the shared store's server is killed (SIGKILL) and started again at once on the same port. What
// survives is what its persistence kept (--store-persistence); the store audit just before says what will be lost.
import { type FaultUnit, requireTarget } from "./types.ts";

export const storeRestart: FaultUnit = {
  action: "store-restart",
  async apply(ctx, target) {
    requireTarget("store-restart", target);
    await ctx.beforeStoreFault("restart");
    const restarted = await ctx.platform.storeOp("restart", ctx.signal);
    if (!restarted) console.log("[fault] store-restart: this strategy has no shared store; nothing to restart");
  },
};
