// thaw: SIGCONT (docker unpause) a frozen instance; it carries on where it stopped.
import { type FaultUnit, requireTarget } from "./types.ts";

export const thaw: FaultUnit = {
  action: "thaw",
  async apply(ctx, target) {
    await ctx.platform.instanceOp(requireTarget("thaw", target), "resume");
  },
};
