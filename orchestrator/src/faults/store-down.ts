// store-down: the shared session store goes away (its data kept). No-op where sessions live on disk.
import { type FaultUnit, requireTarget } from "./types.ts";

export const storeDown: FaultUnit = {
  action: "store-down",
  async apply(ctx, target) {
    requireTarget("store-down", target);
    await ctx.beforeStoreFault("down");
    const stopped = await ctx.platform.storeOp("stop", ctx.signal);
    if (!stopped) console.log("[fault] store-down: this strategy has no shared store; nothing to stop");
  },
};
