// For the real-engine tests: whether they can run here (Compose v2 and a Docker engine that answers, `npm run setup --
// docker`), and what a compose project left in Docker.
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

/** What Docker still has of a compose project: containers (any state), volumes, networks, each named by its kind. */
export function leftInDocker(project: string): string[] {
  const label = `label=com.docker.compose.project=${project}`;
  const list = (args: string[], field: string) => {
    const r = spawnSync("docker", [...args, "--filter", label, "--format", `{{.${field}}}`], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`docker ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout.split("\n").filter(Boolean);
  };
  return [
    ...list(["ps", "-a"], "Names").map((n) => `container ${n}`),
    ...list(["volume", "ls"], "Name").map((n) => `volume ${n}`),
    ...list(["network", "ls"], "Name").map((n) => `network ${n}`),
  ];
}
