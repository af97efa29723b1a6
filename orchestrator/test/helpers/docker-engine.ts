// Whether the real-engine tests can run here: Compose v2 and a Docker engine that answers (`npm run setup -- docker`).
import { spawnSync } from "node:child_process";

/** Why a real-engine test cannot run here, or null. */
export function dockerEngineProblem(): string | null {
  const compose = spawnSync("docker", ["compose", "version", "--short"], { encoding: "utf8", timeout: 10_000 });
  if (compose.error || compose.status !== 0)
    return "`docker compose` (v2) is not available: npm run setup -- docker installs it";
  const server = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  if (server.error || server.status !== 0) return "no Docker engine answers: npm run setup -- docker starts one";
  return null;
}
