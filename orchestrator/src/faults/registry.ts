// Fault units registered by action name.
import { HarnessError } from "../errors.ts";
import { crash } from "./crash.ts";
import { freeze } from "./freeze.ts";
import { killGraceful } from "./kill-graceful.ts";
import { restart } from "./restart.ts";
import { rollingRestart } from "./rolling-restart.ts";
import { stop } from "./stop.ts";
import { storeDown } from "./store-down.ts";
import { storeUp } from "./store-up.ts";
import { terminate } from "./terminate.ts";
import { thaw } from "./thaw.ts";
import type { FaultUnit } from "./types.ts";

export const faultUnits: readonly FaultUnit[] = [
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
];

const byAction = new Map(faultUnits.map((u) => [u.action, u]));

export function faultUnit(action: string): FaultUnit {
  const unit = byAction.get(action);
  if (!unit) throw new HarnessError(`no fault unit for action ${JSON.stringify(action)}`);
  return unit;
}
