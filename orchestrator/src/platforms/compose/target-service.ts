// A target's app service on the compose platform, from its target file's `compose` section: the image (the user's,
// or built from the target's Dockerfile on the harness's images), the command, and each instance's environment (the
// compose section's, then the strategy's, each placeholder filled with the container's values). Pure.
import { resolve } from "node:path";
import { fillPlaceholders } from "../../../../scenarios/lib/protocol.ts";
import { HarnessError } from "../../errors.ts";
import type { Target } from "../../targets/target-file.ts";
import type { ComposeApp } from "./compose-file.ts";

export interface ServiceInput {
  strategy: string;
  /** {nodeImage} and {baseImage} of a build's arguments. */
  nodeImage: string;
  baseImage: string;
  sessionSecret: string;
  /** Where each instance keeps its sessions inside its container ({sessionDir}). */
  sessionDir: string;
  /** The store's address inside the project's network ({storeHost}, {storePort}) and as its clients read it. */
  store?: { host: string; port: number; env: Record<string, string> };
}

/** The image name a target's build is tagged with. */
export const builtImageOf = (target: Pick<Target, "name">): string => `failover-harness/${target.name}:local`;

export function composeApp(target: Target, input: ServiceInput): ComposeApp {
  const compose = target.compose;
  if (!compose) {
    throw new HarnessError(`target ${target.name} (${target.file}) has no compose section: it does not run on compose`);
  }
  const chosen = target.strategies[input.strategy];
  if (!chosen) {
    throw new HarnessError(
      `target ${target.name} does not support strategy ${input.strategy} (it supports ${Object.keys(target.strategies).join(", ")})`,
    );
  }
  const build = compose.build;
  const images = { nodeImage: input.nodeImage, baseImage: input.baseImage };
  const fillAll = (values: Record<string, string>, env: Record<string, string>) =>
    Object.fromEntries(Object.entries(env).map(([name, value]) => [name, fillPlaceholders(value, values)]));
  const containerValues = (id: string): Record<string, string> => ({
    host: "0.0.0.0",
    port: String(compose.port),
    instance: id,
    sessionDir: input.sessionDir,
    sessionSecret: input.sessionSecret,
    ...(input.store ? { storeHost: input.store.host, storePort: String(input.store.port) } : {}),
  });
  return {
    image: compose.image ?? builtImageOf(target),
    ...(build
      ? {
          build: {
            context: resolve(target.dir, build.context),
            dockerfile: build.dockerfile,
            args: fillAll(images, build.args),
          },
        }
      : {}),
    ...(compose.command
      ? { command: (id: string) => compose.command?.map((arg) => fillPlaceholders(arg, containerValues(id))) ?? [] }
      : {}),
    // As on local: the store's address as target-app's clients read it, then the target's own environment.
    environment: (id) => ({
      ...(input.store?.env ?? {}),
      ...fillAll(containerValues(id), { ...compose.env, ...chosen.env }),
    }),
    port: compose.port,
  };
}
