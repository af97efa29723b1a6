// A plan's fault and the actions it may name, with what each acts on: the plan validates its faults
// against these, and the fault registry (faults/registry.ts) checks at load that each has one unit.
import { z } from "zod";

/** What a fault acts on: one instance ("app-2"), the whole fleet ("fleet"), or the session store ("store"). */
export type TargetKind = "instance" | "fleet" | "store";

export interface FaultShape {
  targetKind: TargetKind;
  /** True when the fleet is whole again once the action has ended (a restart, a replacement, ...). */
  restores: boolean;
}

/** In the order --help lists them. */
export const faultShapes = {
  crash: { targetKind: "instance", restores: false },
  restart: { targetKind: "instance", restores: true },
  terminate: { targetKind: "instance", restores: true },
  stop: { targetKind: "instance", restores: false },
  "kill-graceful": { targetKind: "instance", restores: false },
  freeze: { targetKind: "instance", restores: false },
  thaw: { targetKind: "instance", restores: true },
  "rolling-restart": { targetKind: "fleet", restores: true },
  "store-down": { targetKind: "store", restores: false },
  "store-up": { targetKind: "store", restores: true },
  "store-restart": { targetKind: "store", restores: true },
} as const satisfies Record<string, FaultShape>;

export type FaultAction = keyof typeof faultShapes;
export const faultActions = Object.keys(faultShapes) as [FaultAction, ...FaultAction[]];

export function isFaultAction(action: string): action is FaultAction {
  return Object.hasOwn(faultShapes, action);
}

/** One entry of a plan's fault timeline (its target checked against the plan by plan.ts). */
export const faultSchema = z.strictObject({
  atMs: z.number().int().nonnegative(),
  action: z.enum(faultActions),
  target: z.string().min(1),
});
export type Fault = z.infer<typeof faultSchema>;
