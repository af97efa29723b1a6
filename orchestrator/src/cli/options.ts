// Options shared by `npm run scenario` and `npm run chaos`: parsed once, mapped to plan options.
import { parseArgs } from "node:util";
import { InputError } from "../errors.ts";
import { faultActions } from "../plan/faults.ts";
import { describeBehaviour, healthProfileNames, healthProfiles } from "../plan/health-profiles.ts";
import { defaults, type ScenarioOptions, scenarioNames, scenarioSummaries } from "../plan/plan.ts";
import { defaultPreset, presetNames } from "../plan/presets.ts";
import { thresholdMetrics } from "../plan/thresholds.ts";
import { platformDescriptors, platformFlags, platformNames } from "../platforms/index.ts";
import { strategyUnits } from "../strategies/index.ts";
import { defaultTargetName, loadTarget, targetNames } from "../targets/target-file.ts";

/** Each target of the repository with its summary (a target file that does not load says why). */
function targetSummaries(): { name: string; summary: string }[] {
  return targetNames().map((name) => {
    try {
      return { name, summary: loadTarget(name).summary };
    } catch (error) {
      return { name, summary: `(does not load: ${(error as Error).message.split("\n")[0]})` };
    }
  });
}

export const sharedOptions = {
  target: { type: "string" },
  platform: { type: "string" },
  instances: { type: "string" },
  duration: { type: "string" },
  rate: { type: "string" },
  sessions: { type: "string" },
  health: { type: "string" },
  scenario: { type: "string" },
  "load-workers": { type: "string" },
  seed: { type: "string" },
  preset: { type: "string" },
  plan: { type: "string" },
  "no-faults": { type: "boolean" },
  "no-load": { type: "boolean" },
  "dry-run": { type: "boolean" },
  threshold: { type: "string", multiple: true },
  "request-timeout": { type: "string" },
  "store-persistence": { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...platformFlags(),
} as const;

/** Lines "                          name: summary", one per entry, for --help. */
const listed = (entries: readonly { name: string; summary: string }[]) =>
  entries.map((e) => `                          ${e.name}: ${e.summary}`).join("\n");

/**
 * The strategies, each with what it means, for --help ("local" is a strategy and a platform: the
 * text says which is which).
 */
export const strategyHelp = `${listed(strategyUnits)}
                        (the local strategy is not the local platform: any strategy runs on any platform)`;

export const sharedHelp = `  --target NAME|PATH    the app under test: targets/NAME/target.yaml or a target file (default
                        ${defaultTargetName}; docs/targets.md says how to describe your own app):
${listed(targetSummaries())}
  --platform NAME       where the fleet runs (default ${platformNames[0]}):
${listed(platformDescriptors)}
  --instances N         the target's instances, 1-10 (default ${defaults.instances})
  --duration D          load duration, e.g. 60s, 2m (default ${defaults.durationMs / 1000}s)
  --rate N              iterations per second, open model (default ${defaults.rate})
  --sessions N          people, each with one session, one iteration at a time (default ${defaults.sessions})
  --health NAME         balancer profile (checks and behaviour; default ${defaults.health}); not on ec2,
                        where the target group's own settings decide (a warning says so):
${healthProfileNames.map((n) => `                          ${n}: ${describeBehaviour(healthProfiles[n])}`).join("\n")}
  --scenario NAME       the load engine's scenario, scenarios/NAME.ts (default: the target's first,
                        ${defaults.scenario} for ${defaultTargetName}; a target lists those that drive it):
${scenarioNames.map((n) => `                          ${n}: ${scenarioSummaries[n]}`).join("\n")}
  --load-workers N      the load engine's worker threads, each owning a share of the people, for a
                        load machine with more cores (default ${defaults.loadWorkers}; at most --sessions)
  --seed N              seed for the victim choice (default: random, printed and recorded)
  --preset NAME         fault plan: ${presetNames.join(", ")} (default ${defaultPreset})
  --plan FILE           fault plan file, JSON or YAML: {"faults": [{"at": "20s", "action": "crash", "target": "app-2"}]}
                        actions: ${faultActions.join(", ")}
  --no-faults           run the load without any fault
  --no-load             apply the fault plan without load (watch the fleet by hand)
  --dry-run             print what the plan would do, command by command with its time, and stop
  --threshold EXPR      fail (exit 99) unless EXPR holds, e.g. "sessions.lost<=0"; repeatable.
                        Metrics: ${thresholdMetrics.filter((m) => !m.startsWith("latency")).join(", ")},
                        latency[.before|.during|.after].p50|p95|p99
  --request-timeout D   the load engine's request timeout (default ${defaults.requestTimeoutMs / 1000}s)
  --store-persistence P how the shared store keeps its data across a store-restart: none (default,
                        in memory: a restart loses every session) or aof-everysec (redis: an
                        append-only file flushed every second); strategies whose store has no such
                        option run without it, with a warning
  --force               write into an existing --out folder that holds other things than an
                        earlier run (without it, such a folder is refused; / and files always are)
  -h, --help            this text${platformDescriptors
    .filter((d) => d.help !== "")
    .map((d) => `\n\n${d.help}`)
    .join("")}`;

type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** Parses argv against the shared options plus a command's own; bad flags become InputError. */
export function parseCommandLine(argv: string[], extra: OptionSpec, help: string) {
  try {
    return parseArgs({ args: argv, options: { ...sharedOptions, ...extra }, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | string[] | undefined>;
  } catch (err) {
    throw new InputError(`${(err as Error).message}\n\n${help}`);
  }
}

/** The plan options the shared flags give (strategy, run id and folder are the command's). */
export function planOptions(values: Record<string, string | boolean | string[] | undefined>): ScenarioOptions {
  const str = (k: string) => values[k] as string | undefined;
  return {
    platform: str("platform"),
    instances: str("instances"),
    duration: str("duration"),
    rate: str("rate"),
    sessions: str("sessions"),
    health: str("health"),
    scenario: str("scenario"),
    loadWorkers: str("load-workers"),
    seed: str("seed"),
    preset: str("preset"),
    planFile: str("plan"),
    faults: values["no-faults"] ? false : undefined,
    load: values["no-load"] ? false : undefined,
    thresholds: values.threshold as string[] | undefined,
    requestTimeout: str("request-timeout"),
    storePersistence: str("store-persistence"),
    target: str("target"),
    force: values.force === true,
  };
}
