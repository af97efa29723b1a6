// The tools a target needs (its target file's `setup`: php for the PHP target), installed by tools/setup.mjs before
// a run of that target on the local platform only (on compose its image carries them; on ec2 the fleet does), as the
// pre-scripts install haproxy and redis-server for every run.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { HarnessError } from "../errors.ts";
import { repoRoot, type Target } from "./target-file.ts";

/** Runs `node tools/setup.mjs --quiet TOOL...` for the target's tools on local; throws HarnessError when it fails. */
export function ensureTargetTools(target: Target, platform: string): void {
  if (target.setup.length === 0 || platform !== "local") return;
  const setup = spawnSync(process.execPath, [join(repoRoot, "tools", "setup.mjs"), "--quiet", ...target.setup], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (setup.error || setup.status !== 0) {
    throw new HarnessError(
      `target ${target.name} needs ${target.setup.join(", ")}: \`node tools/setup.mjs ${target.setup.join(" ")}\` failed (${setup.error?.message ?? `exit ${setup.status}`})`,
    );
  }
}
