// One instance's command, environment and working folder, from its target file: the local start's command and
// environment, then the strategy's environment, each placeholder filled. Pure.
import { resolve } from "node:path";
import { fillPlaceholders } from "../../../scenarios/lib/protocol.ts";
import { HarnessError } from "../errors.ts";
import type { Target } from "./target-file.ts";

/** The values of the placeholders (target-file.ts instancePlaceholders, and storeHost/storePort with a shared store). */
export type InstanceValues = Record<string, string>;

export interface InstanceCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export function instanceCommand(target: Target, strategy: string, values: InstanceValues): InstanceCommand {
  const chosen = target.strategies[strategy];
  if (!chosen) {
    throw new HarnessError(
      `target ${target.name} does not support strategy ${strategy} (it supports ${Object.keys(target.strategies).join(", ")})`,
    );
  }
  const fill = (text: string) => fillPlaceholders(text, values);
  const [command, ...args] = target.local.command.map(fill);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...target.local.env, ...chosen.env })) env[name] = fill(value);
  return { command: command as string, args, env, cwd: resolve(target.dir, fill(target.local.cwd)) };
}
