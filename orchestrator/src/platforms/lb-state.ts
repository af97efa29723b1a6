// Reading the balancer's view of the fleet (pure), shared by every platform's readiness wait.
import type { LbServerState } from "./types.ts";

/** True when the balancer lists `expected` servers (when given) and sees every one of them UP. */
export function everyServerUp(states: ReadonlyMap<string, LbServerState>, expected?: number): boolean {
  if (expected !== undefined && states.size !== expected) return false;
  return [...states.values()].every((s) => s.status === "UP");
}
