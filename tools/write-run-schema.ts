// Writes docs/run.schema.json, the JSON Schema of run.json, from its zod schema
// (orchestrator/src/run/run-record-schema.ts): `npm run schema`. A unit test fails when the two differ.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { runRecordJsonSchema } from "../orchestrator/src/run/run-record-json-schema.ts";

const file = fileURLToPath(new URL("../docs/run.schema.json", import.meta.url));
writeFileSync(file, `${JSON.stringify(runRecordJsonSchema(), null, 2)}\n`);
// In the project's own format, so that `npm run lint` passes on it.
const biome = createRequire(import.meta.url).resolve("@biomejs/biome/bin/biome");
const formatted = spawnSync(process.execPath, [biome, "format", "--write", file], { stdio: "inherit" });
if (formatted.status !== 0) throw new Error(`biome format ${file} exited with ${formatted.status}`);
console.log(`wrote ${file}`);
