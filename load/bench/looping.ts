// For the bench: a scenario whose iteration repeats another's iterations back to back until FH_BENCH_LOOP_MS have
// passed since it started, so that each person is a closed loop (as wrk's connections are).
import type { ScenarioDefinition } from "../scenario-api.ts";

export function looping<S>(inner: ScenarioDefinition<S>): ScenarioDefinition<S> {
  const loopMs = Number(process.env.FH_BENCH_LOOP_MS ?? 5000);
  return {
    ...inner,
    name: `${inner.name}-loop`,
    async iteration(context) {
      const until = Date.now() + loopMs;
      while (Date.now() < until) {
        await inner.iteration(context);
        context.iteration++;
      }
    },
  };
}
