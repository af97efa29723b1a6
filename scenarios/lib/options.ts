// The k6 options every scenario shares: an open-model load (a constant arrival rate) over a fixed
// pool of people, one VU each and so `sessions` at most at once, who keep their cookies across
// iterations (a person stays logged in) and read every answer's body (each is checked).
import type { Options } from "k6/options";
import type { ScenarioConfig } from "./config.ts";

/** `name` is the k6 scenario's name (its `scenario` tag); `extra` adds options of one scenario. */
export function openModelOptions(name: string, config: ScenarioConfig, extra: Options = {}): Options {
  return {
    scenarios: {
      [name]: {
        executor: "constant-arrival-rate",
        rate: config.rate,
        timeUnit: "1s",
        duration: config.duration,
        preAllocatedVUs: config.sessions,
        maxVUs: config.sessions,
      },
    },
    noCookiesReset: true,
    discardResponseBodies: false,
    ...extra,
    ...(config.thresholds ? { thresholds: config.thresholds } : {}),
  };
}
