// The compose project never signs cookies with a published secret: the default file requires FH_SESSION_SECRET.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../../../target-app/src/config.ts";
import { composeObject, defaultModel } from "../../../src/platforms/compose/compose-file.ts";

const repoRoot = join(import.meta.dirname, "../../../..");
type Services = Record<string, { environment?: Record<string, string> }>;

describe("the compose session secret", () => {
  const file = readFileSync(join(repoRoot, "docker-compose.yml"), "utf8");
  const services = (parse(file) as { services: Services }).services;
  const apps = Object.entries(services).filter(([name]) => /^app-\d+$/.test(name));

  it("docker-compose.yml requires FH_SESSION_SECRET for every instance and has no default secret", () => {
    expect(apps.length).toBe(defaultModel.instances);
    for (const [name, service] of apps) {
      expect(service.environment?.SESSION_SECRET, name).toMatch(/^\$\{FH_SESSION_SECRET:\?[^}]+\}$/);
    }
    expect(file).not.toMatch(/change-me|FH_SESSION_SECRET:-/);
  });

  it("the secret the old default shipped is refused by the image's configuration (NODE_ENV=production)", () => {
    const app = (composeObject(defaultModel).services as Services)["app-1"];
    const env = {
      ...app?.environment,
      NODE_ENV: "production",
      PORT: "8080",
      SESSION_SECRET: "compose-default-secret-change-me",
    };
    expect(() => parseConfig(env)).toThrow(/SESSION_SECRET is a published default/);
  });
});
