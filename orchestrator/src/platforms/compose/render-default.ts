// Writes the top-level docker-compose.yml and its HAProxy configuration from the compose model's
// defaults: `npx tsx orchestrator/src/platforms/compose/render-default.ts` (a test keeps them equal).
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { healthProfiles } from "../../plan/health-profiles.ts";
import { composeHaproxyConfig, defaultHeader, defaultModel, renderComposeFile } from "./compose-file.ts";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../../..");

export function defaultFiles(): { path: string; text: string }[] {
  return [
    { path: "docker-compose.yml", text: renderComposeFile(defaultModel, defaultHeader) },
    {
      path: defaultModel.haproxyConfig,
      text: composeHaproxyConfig({ instances: defaultModel.instances, sticky: false, health: healthProfiles.fast }),
    },
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of defaultFiles()) {
    writeFileSync(resolve(repoRoot, file.path), file.text);
    console.log(`wrote ${file.path}`);
  }
}
