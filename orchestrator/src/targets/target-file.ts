// A target (the app under test) described in one file, targets/<name>/target.yaml: how one instance starts, its
// health path, the strategies it supports with the environment of each, its session protocol and its store audit.
// Parsed and validated here (zod) before anything starts; a mistake names the file, the field and what was expected.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";
import {
  extractorSchema,
  placeholdersOf,
  protocolPlaceholders,
  protocolSchema,
} from "../../../scenarios/lib/protocol.ts";
import { InputError } from "../errors.ts";
import { strategyNames, strategyUnit } from "../strategies/index.ts";

export const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../..");
export const targetsDir = join(repoRoot, "targets");
export const defaultTargetName = "target-app";

/** Placeholders of an instance's command and environment, filled by the platform for each instance. */
export const instancePlaceholders = [
  "host",
  "port",
  "instance",
  "sessionDir",
  "sessionSecret",
  "targetDir",
  "repoRoot",
  "node",
] as const;
/** Placeholders of a strategy with a shared store only: where the store server listens. */
export const storePlaceholders = ["storeHost", "storePort"] as const;
/** Placeholders inside a compose container: the host's paths ({targetDir}, {repoRoot}, {node}) are not there. */
export const composePlaceholders = ["host", "port", "instance", "sessionDir", "sessionSecret"] as const;
/** Placeholders of a compose build's arguments: the harness's images to build on. */
export const buildPlaceholders = ["baseImage", "nodeImage"] as const;

const envSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name"),
  z.string(),
);

/** A regular expression that compiles (the audit's file names). */
const regexSchema = z.string().superRefine((text, ctx) => {
  try {
    new RegExp(text);
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      input: text,
      message: `expected a regular expression that compiles: ${(error as Error).message}`,
    });
  }
});

/** A Docker image reference: [registry/]name[:tag][@digest], lower-case name components. */
const imageRefSchema = z
  .string()
  .regex(
    /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
    "expected an image reference such as my-app:1.2",
  );

/** How the compose platform runs one instance: an image of the user's, or one the harness builds. */
const composeSchema = z
  .strictObject({
    /** An image the user already has (the engine pulls it when it can). */
    image: imageRefSchema.optional(),
    /** Or an image built by `docker compose up --build`, tagged failover-harness/<name>:local. */
    build: z
      .strictObject({
        /** The build context, relative to the target's folder. */
        context: z.string().default("."),
        /** The Dockerfile, relative to the context. */
        dockerfile: z.string().min(1).default("Dockerfile"),
        /** Build arguments; {baseImage} is the harness's Debian base, {nodeImage} its Node image. */
        args: envSchema.default({}),
      })
      .optional(),
    /** The container's command (default: the image's own). */
    command: z.array(z.string().min(1)).min(1).optional(),
    env: envSchema.default({}),
    /** The port the app listens on inside its container ({port}). */
    port: z.number().int().min(1).max(65535).default(8080),
  })
  .refine((c) => (c.image === undefined) !== (c.build === undefined), {
    message: "expected exactly one of image (an image you have) and build (a Dockerfile to build)",
  });

export const targetSchema = z.strictObject({
  /** The folder's name; `--target NAME` finds targets/NAME/target.yaml. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected a lower-case name such as my-app"),
  /** One line for --help and the report. */
  summary: z.string().min(1),
  /** Tools `npm run setup` installs before a run of this target (tools/setup.mjs's names). */
  setup: z.array(z.string().regex(/^[a-z-]+$/)).default([]),
  /** The path the balancer's health check and the platform's readiness check request (200 = up). */
  health: z.string().regex(/^\/\S*$/, "expected a path starting with /"),
  /**
   * The platforms it runs on: the local platform starts it from `local` below, compose from `compose` (an image
   * with the harness's balancer and store containers around it); ec2 drives an already deployed fleet.
   */
  platforms: z
    .array(z.enum(["local", "compose", "ec2"]))
    .min(1)
    .default(["local"]),
  /** How the local platform starts one instance. */
  local: z.strictObject({
    command: z.array(z.string().min(1)).min(1),
    /** Relative to the target's folder (default: the folder itself). */
    cwd: z.string().default("."),
    env: envSchema.default({}),
  }),
  /** How the compose platform runs one instance (required with compose among the platforms). */
  compose: composeSchema.optional(),
  /** The strategies it supports, each with the environment that selects its session store. */
  strategies: z.record(z.string(), z.strictObject({ env: envSchema })).refine((s) => Object.keys(s).length > 0, {
    message: "expected at least one strategy",
  }),
  /** The scenarios that can drive it (scenarios/<name>.ts); the first is the default. */
  scenarios: z.array(z.string().min(1)).min(1).default(["protocol-profile"]),
  protocol: protocolSchema,
  /** How the store audit finds an instance's live sessions. */
  audit: z
    .strictObject({
      /** Sessions on each instance's disk: files of `{sessionDir}` whose name matches, modified within the window. */
      disk: z
        .strictObject({
          files: regexSchema,
          user: extractorSchema,
          /** Where a file says when it expires (epoch ms, a JSON pointer); absent: it never does. */
          expiresAtMs: z.strictObject({ json: z.string().regex(/^\//) }).optional(),
        })
        .optional(),
      /** Sessions in the shared Redis server: keys with this prefix, the user read from the value. */
      redis: z.strictObject({ keyPrefix: z.string().min(1), user: extractorSchema }).optional(),
    })
    .default({}),
});

export type TargetFile = z.infer<typeof targetSchema>;
/** A target as loaded: its file, its folder and what the file says. */
export type Target = TargetFile & { file: string; dir: string };

function fieldOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") || "(top level)";
}

/** Problems a schema cannot see: placeholders, strategies the harness knows, the stores they need. Pure. */
export function targetProblems(target: TargetFile): { field: string; message: string; value: unknown }[] {
  const problems: { field: string; message: string; value: unknown }[] = [];
  const check = (field: string, text: string, allowed: readonly string[]) => {
    for (const name of placeholdersOf(text)) {
      if (!allowed.includes(name)) {
        problems.push({
          field,
          value: text,
          message: `unknown placeholder {${name}}: expected one of ${allowed.map((a) => `{${a}}`).join(", ")}`,
        });
      }
    }
  };
  for (const [i, arg] of target.local.command.entries()) check(`.local.command[${i}]`, arg, instancePlaceholders);
  for (const [name, value] of Object.entries(target.local.env))
    check(`.local.env.${name}`, value, instancePlaceholders);
  const compose = target.compose;
  if (target.platforms.includes("compose") && compose === undefined) {
    problems.push({
      field: ".compose",
      value: undefined,
      message: "required by platform compose: an image or a build, and the container's env",
    });
  }
  if (compose) {
    for (const [i, arg] of (compose.command ?? []).entries()) check(`.compose.command[${i}]`, arg, composePlaceholders);
    for (const [name, value] of Object.entries(compose.env)) check(`.compose.env.${name}`, value, composePlaceholders);
    for (const [name, value] of Object.entries(compose.build?.args ?? {}))
      check(`.compose.build.args.${name}`, value, buildPlaceholders);
  }
  for (const [strategy, { env }] of Object.entries(target.strategies)) {
    if (!strategyNames.includes(strategy)) {
      problems.push({
        field: `.strategies.${strategy}`,
        value: strategy,
        message: `not a strategy: expected one of ${strategyNames.join(", ")}`,
      });
      continue;
    }
    const shared = strategyUnit(strategy).store.server !== undefined;
    const allowed: readonly string[] = shared ? [...instancePlaceholders, ...storePlaceholders] : instancePlaceholders;
    for (const [name, value] of Object.entries(env)) check(`.strategies.${strategy}.env.${name}`, value, allowed);
    // On compose the strategy's environment is filled inside the container: no host paths.
    if (compose) {
      const inside: readonly string[] = shared ? [...composePlaceholders, ...storePlaceholders] : composePlaceholders;
      for (const [name, value] of Object.entries(env)) {
        const hostOnly = placeholdersOf(value).filter((p) => allowed.includes(p) && !inside.includes(p));
        if (hostOnly.length > 0)
          problems.push({
            field: `.strategies.${strategy}.env.${name}`,
            value,
            message: `{${hostOnly[0]}} is a path on the host, not inside a compose container: expected one of ${inside.map((a) => `{${a}}`).join(", ")}`,
          });
      }
    }
    if (!shared && target.audit.disk === undefined) {
      problems.push({
        field: ".audit.disk",
        value: undefined,
        message: `required by strategy ${strategy} (sessions on each instance's disk): files and user`,
      });
    }
    if (strategy === "redis" && target.audit.redis === undefined) {
      problems.push({
        field: ".audit.redis",
        value: undefined,
        message: "required by strategy redis: keyPrefix and user",
      });
    }
  }
  const protocol = target.protocol;
  for (const [name, value] of Object.entries(protocol.login.fields))
    check(`.protocol.login.fields.${name}`, value, protocolPlaceholders.login);
  check(".protocol.read.value", JSON.stringify(protocol.read.value), protocolPlaceholders.read);
  for (const [name, value] of Object.entries(protocol.write?.fields ?? {}))
    check(`.protocol.write.fields.${name}`, value, protocolPlaceholders.write);
  return problems;
}

/** Parses and validates a target file's text; throws InputError naming the file, each field and what was expected. */
export function parseTargetFile(text: string, file: string): Target {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new InputError(`target file ${file}: not valid YAML or JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = targetSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const got = "input" in issue && issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : "";
      return `${fieldOf(issue.path)}: ${issue.message}${got}`;
    });
    throw new InputError(`target file ${file}:\n  ${lines.join("\n  ")}`);
  }
  const problems = targetProblems(parsed.data);
  if (problems.length > 0) {
    const lines = problems.map(
      (p) => `${p.field}: ${p.message}${p.value === undefined ? "" : ` (got ${JSON.stringify(p.value)})`}`,
    );
    throw new InputError(`target file ${file}:\n  ${lines.join("\n  ")}`);
  }
  const build = parsed.data.compose?.build;
  if (build) {
    const dockerfile = resolve(dirname(file), build.context, build.dockerfile);
    if (!existsSync(dockerfile))
      throw new InputError(
        `target file ${file}:\n  .compose.build.dockerfile: no such file ${dockerfile} (got ${JSON.stringify(build.dockerfile)}, relative to the context ${JSON.stringify(build.context)}, itself relative to the target's folder)`,
      );
  }
  return { ...parsed.data, file, dir: dirname(file) };
}

/** The file of `--target NAME|PATH`: a path (has a slash or a .yaml/.yml/.json end) as given, else targets/NAME/. */
export function targetFileOf(nameOrPath: string): string {
  const isPath = /[\\/]/.test(nameOrPath) || /\.(ya?ml|json)$/.test(nameOrPath);
  if (!isPath) return join(targetsDir, nameOrPath, "target.yaml");
  const path = isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  return existsSync(path) && statSync(path).isDirectory() ? join(path, "target.yaml") : path;
}

/** The targets of the repository (targets/<name>/target.yaml). */
export function targetNames(): string[] {
  if (!existsSync(targetsDir)) return [];
  return readdirSync(targetsDir)
    .filter((n) => existsSync(join(targetsDir, n, "target.yaml")))
    .sort();
}

/** Loads `--target NAME|PATH`; throws InputError on a missing or bad file. */
export function loadTarget(nameOrPath: string): Target {
  const file = targetFileOf(nameOrPath);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const isName = file === join(targetsDir, nameOrPath, "target.yaml");
    throw new InputError(
      isName
        ? `--target ${JSON.stringify(nameOrPath)}: no such target; expected one of ${targetNames().join(", ")} or a path to a target file`
        : `--target ${nameOrPath}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseTargetFile(text, file);
}
