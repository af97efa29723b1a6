// Fault units registered by action name.
import { HarnessError } from "../errors.ts";
import { crash } from "./crash.ts";
import { restart } from "./restart.ts";
import type { FaultUnit } from "./types.ts";

const units = new Map<string, FaultUnit>([crash, restart].map((u) => [u.action, u]));

export function faultUnit(action: string): FaultUnit {
  const unit = units.get(action);
  if (!unit) throw new HarnessError(`no fault unit for action ${JSON.stringify(action)}`);
  return unit;
}
