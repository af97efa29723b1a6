// restart: start a stopped or crashed instance again on its old disk; resolves once it answers.
import { type FaultUnit, requireTarget } from "./types.ts";

export const restart: FaultUnit = {
  action: "restart",
  targetKind: "instance",
  restores: true,
  async apply(ctx, target) {
    await ctx.platform.instanceOp(requireTarget("restart", target), "start", ctx.signal);
  },
};
