// Fault units registered by action name, each joined with its shape from plan/faults.ts; checked
// at load: every action the plan may name has exactly one unit, and every unit a name.
import { HarnessError } from "../errors.ts";
import { faultActions, faultShapes, isFaultAction } from "../plan/faults.ts";
import { crash } from "./crash.ts";
import { freeze } from "./freeze.ts";
import { killGraceful } from "./kill-graceful.ts";
import { restart } from "./restart.ts";
import { rollingRestart } from "./rolling-restart.ts";
import { stop } from "./stop.ts";
import { storeDown } from "./store-down.ts";
import { storeRestart } from "./store-restart.ts";
import { storeUp } from "./store-up.ts";
import { terminate } from "./terminate.ts";
import { thaw } from "./thaw.ts";
import type { FaultUnit, RegisteredFault } from "./types.ts";

const units: readonly FaultUnit[] = [
  crash,
  restart,
  terminate,
  stop,
  killGraceful,
  freeze,
  thaw,
  rollingRestart,
  storeDown,
  storeUp,
  storeRestart,
];

/** Throws unless units and the plan's actions match one to one (run at load, and by a unit test). */
export function checkRegistry(list: readonly { action: string }[]): void {
  const named = list.map((u) => u.action);
  const problems = [
    ...named.filter((a) => !isFaultAction(a)).map((a) => `unit ${a} has no shape in plan/faults.ts`),
    ...named.filter((a, i) => named.indexOf(a) !== i).map((a) => `two units for ${a}`),
    ...faultActions.filter((a) => !named.includes(a)).map((a) => `action ${a} (plan/faults.ts) has no unit`),
  ];
  if (problems.length > 0) throw new HarnessError(`fault registry: ${problems.join("; ")}`);
}

checkRegistry(units);

export const faultUnits: readonly RegisteredFault[] = units.map((u) => ({ ...u, ...faultShapes[u.action] }));

const byAction = new Map(faultUnits.map((u) => [u.action as string, u]));

export function faultUnit(action: string): RegisteredFault {
  const unit = byAction.get(action);
  if (!unit) throw new HarnessError(`no fault unit for action ${JSON.stringify(action)}`);
  return unit;
}
