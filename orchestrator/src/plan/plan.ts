// The typed run plan: resolved from options, validated before anything starts, copied into run.json.
import { z } from "zod";
import { InputError } from "../errors.ts";
import { formatDuration, parseDuration } from "./duration.ts";
import { type Fault, faultSchema, faultShapes, isFaultAction, type TargetKind } from "./faults.ts";
import { type HealthProfileName, healthProfileNames, healthProfiles } from "./health-profiles.ts";
import { instanceId, instanceNumber } from "./instances.ts";
import { checkPlanLoad } from "./load-config.ts";
import { readPlanFile } from "./plan-file.ts";
import { defaultPreset, type PresetName, presetNames, presets } from "./presets.ts";
import { randomSeed } from "./seed.ts";
import { parseThreshold } from "./thresholds.ts";

/** A strategy's name: its unit lives in strategies/<name>/ and checks the name at the edge. */
export type Strategy = string;

/** The names a plan may take, from their registries (strategies/, platforms/): plan/ lists none itself. */
export interface PlanChoices {
  strategies: readonly string[];
  /** The first is the default. */
  platforms: readonly string[];
}

/**
 * How the shared store keeps its data across a restart of its server: `none` (in memory only),
 * `aof-everysec` (an append-only file flushed once a second, as Redis's `appendfsync everysec`).
 * The strategy's store says which it takes (strategies/, at the edge).
 */
export const storePersistences = ["none", "aof-everysec"] as const;
export type StorePersistence = (typeof storePersistences)[number];

/** Limits that keep every run bounded in time and count. */
export const limits = {
  instances: { min: 1, max: 10 },
  durationMs: { min: 5_000, max: 30 * 60_000 },
  rate: { min: 1, max: 2000 },
  sessions: { min: 1, max: 5000 },
  /** Worker threads of the load engine, each owning a share of the people. */
  loadWorkers: { min: 1, max: 64 },
} as const;

/** A run id starts with a letter or digit: never `.`, `..` or a leading `-` (it names a folder and a project). */
const runIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export const planSchema = z
  .strictObject({
    runId: z
      .string()
      .regex(runIdPattern)
      .refine((id) => !id.includes(".."), 'must not contain ".."'),
    outDir: z.string().min(1),
    /** Checked against the platform registry at the edge (plan-from-options.ts, createPlatform). */
    platform: z.string().min(1),
    /** Checked against the strategy registry at the edge (plan-from-options.ts, strategyUnit). */
    strategy: z.string().min(1),
    instances: z.number().int().min(limits.instances.min).max(limits.instances.max),
    health: z.enum(healthProfileNames as [HealthProfileName, ...HealthProfileName[]]),
    seed: z.number().int().nonnegative(),
    load: z.strictObject({
      /** False with --no-load: the fault plan runs without load (and without a warm-up). */
      enabled: z.boolean(),
      scenario: z.string().min(1),
      durationMs: z.number().int().min(limits.durationMs.min).max(limits.durationMs.max),
      rate: z.number().int().min(limits.rate.min).max(limits.rate.max),
      sessions: z.number().int().min(limits.sessions.min).max(limits.sessions.max),
      requestTimeoutMs: z.number().int().min(100).max(60_000),
      /** The load engine's worker threads (--load-workers), each owning a share of the people. */
      workers: z.number().int().min(limits.loadWorkers.min).max(limits.loadWorkers.max),
      /** What the scenario is told (the target's session protocol), passed to it by the engine (LoadConfig). */
      scenarioOptions: z.record(z.string(), z.unknown()).optional(),
    }),
    /**
     * The app under test (--target): its name and target file, checked at the edge (run/plan-from-options.ts);
     * absent in run.json of runs before targets (target-app).
     */
    target: z.strictObject({ name: z.string().min(1), file: z.string().min(1) }).optional(),
    /** Where the faults came from: a preset's name, "file:<path>", or "none". */
    faultSource: z.string(),
    faults: z.array(faultSchema),
    thresholds: z.array(
      z.strictObject({
        expr: z.string(),
        metric: z.string(),
        op: z.enum(["<", "<=", ">", ">=", "=="]),
        value: z.number(),
      }),
    ),
    /**
     * The platform's own section (ec2: the fleet's filters, region, target group, endpoint; never
     * credentials), from its flags; its descriptor (platforms/<name>/index.ts) validates it.
     */
    platformOptions: z.record(z.string(), z.unknown()).optional(),
    /** --store-persistence; absent: none (run.json of runs before it has none either). */
    storePersistence: z.enum(storePersistences).optional(),
  })
  .superRefine((plan, ctx) => {
    plan.faults.forEach((fault, i) => {
      const kind = isFaultAction(fault.action) ? faultShapes[fault.action].targetKind : undefined;
      const problem = targetProblem(kind, fault.target, plan.instances);
      if (problem) {
        ctx.addIssue({ code: "custom", path: ["faults", i, "target"], input: fault.target, message: problem });
      }
      const previous = plan.faults[i - 1];
      if (previous && fault.atMs < previous.atMs) {
        ctx.addIssue({
          code: "custom",
          path: ["faults", i, "atMs"],
          input: fault.atMs,
          message: `faults run in order: expected no earlier than the previous entry (${previous.atMs} ms)`,
        });
      }
      if (fault.atMs >= plan.load.durationMs) {
        ctx.addIssue({
          code: "custom",
          path: ["faults", i, "atMs"],
          input: fault.atMs,
          message: `must fall inside the load run (before ${plan.load.durationMs} ms)`,
        });
      }
    });
  });

export type Plan = z.infer<typeof planSchema>;
export type { Fault };

/** Why a target does not suit an action's kind of target, or null when it does. */
function targetProblem(kind: TargetKind | undefined, target: string, instances: number): string | null {
  if (kind === "fleet") return target === "fleet" ? null : 'this action acts on the whole fleet: expected "fleet"';
  if (kind === "store") return target === "store" ? null : 'this action acts on the session store: expected "store"';
  const n = instanceNumber(target) ?? 0;
  return n >= 1 && n <= instances
    ? null
    : `no such instance: expected one of ${instanceId(1)}..${instanceId(instances)}`;
}

/** Validates a plan; throws InputError naming the field, the value and what was expected. */
export function validatePlan(candidate: unknown): Plan {
  const parsed = planSchema.safeParse(candidate, { reportInput: true });
  if (!parsed.success) throw new InputError(issuesMessage("invalid plan", "plan", parsed.error));
  // The engine's own checks too, before anything starts (a backstop: the plan's limits are narrower).
  if (parsed.data.load.enabled) checkPlanLoad(parsed.data);
  return parsed.data;
}

/** "invalid plan:\n  plan.faults[0].target: ... (got ...)": each issue with its field and value. */
export function issuesMessage(title: string, root: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    const value = "input" in issue && issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : "";
    return `${root}${field}: ${issue.message}${value}`;
  });
  return `${title}:\n  ${lines.join("\n  ")}`;
}

/** Raw option values as the CLI received them (strings), before validation. */
export interface ScenarioOptions {
  platform?: string;
  strategy?: string;
  instances?: string;
  duration?: string;
  rate?: string;
  sessions?: string;
  health?: string;
  seed?: string;
  faults?: boolean;
  /** false: apply the fault plan without load. */
  load?: boolean;
  preset?: string;
  /** A fault plan file (JSON or YAML); replaces the preset. */
  planFile?: string;
  thresholds?: string[];
  out?: string;
  /** --force: write into an existing --out folder that holds other things. */
  force?: boolean;
  runId?: string;
  requestTimeout?: string;
  /** A scenario name (scenarioNames). */
  scenario?: string;
  /** --load-workers: the load engine's worker threads. */
  loadWorkers?: string;
  /** --store-persistence: none or aof-everysec. */
  storePersistence?: string;
  /** --target NAME|PATH: the app under test (default target-app). */
  target?: string;
  /** Used for the default run folder and run id; injected for tests. */
  now?: Date;
}

export const defaults = {
  instances: 3,
  durationMs: 60_000,
  rate: 50,
  sessions: 50,
  health: "fast" as HealthProfileName,
  requestTimeoutMs: 5000,
  scenario: "login-profile",
  loadWorkers: 1,
};

/** The scenarios the load engine runs, `scenarios/<name>.ts`: `--scenario NAME` picks one (the first is the default). */
export const scenarioNames = ["login-profile", "concurrent-tabs", "protocol-profile"] as const;
export const scenarioSummaries: Record<(typeof scenarioNames)[number], string> = {
  "login-profile": "each person reads then writes its profile, one request at a time",
  "concurrent-tabs":
    "each person sends bursts of overlapping writes (distinct fields), a delete and reads: counts lost updates",
  "protocol-profile": "login-profile for any app, through its target file's session protocol (form or JSON, CSRF)",
};

function integerOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InputError(`--${name} ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function durationOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === null || ms < min || ms > max) {
    throw new InputError(
      `--${name} ${JSON.stringify(text)}: expected a duration such as "60s" or "2m", from ${formatDuration(min)} to ${formatDuration(max)}`,
    );
  }
  return ms;
}

function choiceOption<T extends string>(name: string, text: string | undefined, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) {
    throw new InputError(`--${name} ${JSON.stringify(text)}: expected one of ${choices.join(", ")}`);
  }
  return text as T;
}

/** The default fault plan: the `single-crash` preset. */
export function defaultFaults(instances: number, durationMs: number, seed: number): Fault[] {
  return presets[defaultPreset](instances, durationMs, seed);
}

/** "20261122-104500": a compact UTC time for run ids and file names. */
export function timestamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "")
    .replace("T", "-");
}

/**
 * Resolves options into a validated plan: defaults < flags. Throws InputError on bad input.
 * `choices`: the strategy and platform names of their registries (run/plan-from-options.ts passes them).
 */
export function buildPlan(options: ScenarioOptions, choices: PlanChoices): Plan {
  if (options.strategy === undefined) {
    throw new InputError(`--strategy is required: expected one of ${choices.strategies.join(", ")}`);
  }
  const strategy = choiceOption("strategy", options.strategy, choices.strategies);
  const instances = integerOption(
    "instances",
    options.instances,
    defaults.instances,
    limits.instances.min,
    limits.instances.max,
  );
  const durationMs = durationOption(
    "duration",
    options.duration,
    defaults.durationMs,
    limits.durationMs.min,
    limits.durationMs.max,
  );
  const rate = integerOption("rate", options.rate, defaults.rate, limits.rate.min, limits.rate.max);
  const sessions = integerOption(
    "sessions",
    options.sessions,
    defaults.sessions,
    limits.sessions.min,
    limits.sessions.max,
  );
  const loadWorkers = integerOption(
    "load-workers",
    options.loadWorkers,
    defaults.loadWorkers,
    limits.loadWorkers.min,
    limits.loadWorkers.max,
  );
  if (loadWorkers > sessions) {
    throw new InputError(
      `--load-workers ${loadWorkers}: expected at most --sessions (${sessions}): each worker owns a share of the people`,
    );
  }
  const health = choiceOption("health", options.health, healthProfileNames) ?? defaults.health;
  const scenario = choiceOption("scenario", options.scenario, scenarioNames) ?? defaults.scenario;
  const seed = integerOption("seed", options.seed, randomSeed(), 0, 2 ** 31 - 1);
  const requestTimeoutMs = durationOption(
    "request-timeout",
    options.requestTimeout,
    defaults.requestTimeoutMs,
    100,
    60_000,
  );
  const preset = choiceOption("preset", options.preset, presetNames) as PresetName | undefined;
  if (options.faults === false && (preset || options.planFile)) {
    throw new InputError("--no-faults cannot be combined with --preset or --plan");
  }
  if (preset && options.planFile) throw new InputError("--preset and --plan exclude each other: choose one");
  let faults: Fault[] = [];
  let faultSource = "none";
  if (options.planFile) {
    faults = readPlanFile(options.planFile);
    faultSource = `file:${options.planFile}`;
  } else if (options.faults !== false) {
    faults = presets[preset ?? defaultPreset](instances, durationMs, seed);
    faultSource = preset ?? defaultPreset;
  }
  const thresholds = (options.thresholds ?? []).map(parseThreshold);
  const runId = options.runId ?? `${timestamp(options.now ?? new Date())}-${strategy}-${seed}`;
  if (options.runId !== undefined && (!runIdPattern.test(options.runId) || options.runId.includes(".."))) {
    throw new InputError(
      `--run-id ${JSON.stringify(options.runId)}: expected 1-100 letters, digits, "_", "." or "-", starting with a letter or digit, without ".."`,
    );
  }
  const platform = choiceOption("platform", options.platform, choices.platforms) ?? choices.platforms[0];
  const storePersistence = choiceOption("store-persistence", options.storePersistence, storePersistences);
  return validatePlan({
    runId,
    outDir: options.out ?? `reports/out/${runId}`,
    platform,
    strategy,
    instances,
    health,
    seed,
    load: {
      enabled: options.load !== false,
      scenario: `scenarios/${scenario}.ts`,
      durationMs,
      rate,
      sessions,
      requestTimeoutMs,
      workers: loadWorkers,
    },
    faultSource,
    faults,
    thresholds,
    ...(storePersistence ? { storePersistence } : {}),
  });
}

/** The plan's store persistence, `none` when it names none. */
export const persistenceOf = (plan: Plan): StorePersistence => plan.storePersistence ?? "none";

export { healthProfiles };
