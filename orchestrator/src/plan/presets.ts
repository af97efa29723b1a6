// Named fault plans for the common experiments. The victim comes from the run's seed.

import type { Fault } from "./faults.ts";
import { instanceId } from "./instances.ts";
import { seededRandom } from "./seed.ts";

type PresetFn = (instances: number, durationMs: number, seed: number) => Fault[];

function victim(instances: number, seed: number): string {
  return instanceId(1 + Math.floor(seededRandom(seed)() * instances));
}

const third = (durationMs: number) => Math.round(durationMs / 3);
const twoThirds = (durationMs: number) => Math.round((2 * durationMs) / 3);

export const presets = {
  /** Crash one instance at 1/3 of the run, restart it on its old disk at 2/3. */
  "single-crash": (instances, durationMs, seed) => [
    { atMs: third(durationMs), action: "crash", target: victim(instances, seed) },
    { atMs: twoThirds(durationMs), action: "restart", target: victim(instances, seed) },
  ],
  /** Terminate one instance at 1/3: killed, disk wiped, a replacement started in its place. */
  terminate: (instances, durationMs, seed) => [
    { atMs: third(durationMs), action: "terminate", target: victim(instances, seed) },
  ],
  /** A deploy at 1/4: every instance in turn drained (graceful stop) and replaced by a fresh one. */
  "rolling-restart": (_instances, durationMs) => [
    { atMs: Math.round(durationMs / 4), action: "rolling-restart", target: "fleet" },
  ],
  /** Freeze one instance (SIGSTOP) at 1/3, thaw it at 2/3. */
  freeze: (instances, durationMs, seed) => [
    { atMs: third(durationMs), action: "freeze", target: victim(instances, seed) },
    { atMs: twoThirds(durationMs), action: "thaw", target: victim(instances, seed) },
  ],
  /** The shared session store goes away at 1/3 and comes back, data intact, at 2/3. */
  "store-outage": (_instances, durationMs) => [
    { atMs: third(durationMs), action: "store-down", target: "store" },
    { atMs: twoThirds(durationMs), action: "store-up", target: "store" },
  ],
  /**
   * The store's server is killed at 1/3 and started again at once: without persistence every
   * session is gone (`--store-persistence aof-everysec` keeps them on redis).
   */
  "store-restart": (_instances, durationMs) => [{ atMs: third(durationMs), action: "store-restart", target: "store" }],
} satisfies Record<string, PresetFn>;

export type PresetName = keyof typeof presets;
export const presetNames = Object.keys(presets) as PresetName[];
export const defaultPreset: PresetName = "single-crash";
