// rolling-restart: a deploy of immutable instances. One at a time: taken out of the balancer and
// drained (no request in flight, at most the profile's deregistration delay), stopped, replaced by a fresh instance (its local disk gone, as a new server's is), and waited for until
// the balancer sees it UP before the next. (A restart that keeps the disk and is back within the
// balancer's retries loses nothing: the plain `stop` and `restart` actions measure that.)
import { pollUntil } from "../process/poll.ts";
import { takeOutOfBalancer } from "./stop.ts";
import { type FaultUnit, requireTarget } from "./types.ts";

/** How long one instance may take to come back UP in the balancer's view (covers aws-elb's rise). */
const upTimeoutMs = 10 * 60_000;

export const rollingRestart: FaultUnit = {
  action: "rolling-restart",
  async apply(ctx, target) {
    requireTarget("rolling-restart", target);
    for (const { id } of ctx.platform.instances()) {
      await takeOutOfBalancer(ctx, id);
      ctx.step("stop", id, "start");
      await ctx.platform.instanceOp(id, "stop");
      ctx.step("stop", id, "end");
      ctx.step("replace", id, "start");
      await ctx.platform.instanceOp(id, "wipe");
      await ctx.platform.instanceOp(id, "start", ctx.signal);
      await ctx.platform.instanceOp(id, "register");
      await pollUntil(async () => (await ctx.platform.lbStates()).get(id)?.status === "UP", {
        timeoutMs: upTimeoutMs,
        intervalMs: 200,
        what: `the balancer to see ${id} UP again`,
        signal: ctx.signal,
      });
      ctx.step("replace", id, "end");
    }
  },
};
