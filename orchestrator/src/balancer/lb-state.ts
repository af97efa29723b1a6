// The balancer's view of the fleet, shared by every platform: readiness (pure) and draining waits.
import type { LbServerState } from "../platforms/types.ts";

/** True when the balancer lists `expected` servers (when given) and sees every one of them UP. */
export function everyServerUp(states: ReadonlyMap<string, LbServerState>, expected?: number): boolean {
  if (expected !== undefined && states.size !== expected) return false;
  return [...states.values()].every((s) => s.status === "UP");
}

/**
 * After a server was taken out of the balancer: waits until the balancer has no request in
 * progress on it, at most `timeoutMs` (the profile's deregistration delay; past it the stop goes
 * ahead, as an AWS balancer ends the deregistration). Resolves to the ms it took and whether the
 * server was drained.
 */
export async function drainedOrTimedOut(
  read: () => Promise<ReadonlyMap<string, LbServerState>>,
  id: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ ms: number; drained: boolean }> {
  const started = Date.now();
  for (;;) {
    signal?.throwIfAborted();
    const state = (await read()).get(id);
    if (!state || state.inFlight === 0) return { ms: Date.now() - started, drained: true };
    if (Date.now() - started >= timeoutMs) {
      console.log(
        `[lb] ${id} still had ${state.inFlight} requests in flight after ${timeoutMs} ms: stopping it anyway`,
      );
      return { ms: Date.now() - started, drained: false };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
