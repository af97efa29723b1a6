// run.json's JSON Schema, generated from its zod schema (run-record-schema.ts) with zod's toJSONSchema:
// docs/run.schema.json holds it for those who script against run.json (tools/write-run-schema.ts writes it).
import { z } from "zod";
import { runRecordSchema, SCHEMA_VERSION } from "./run-record-schema.ts";

export function runRecordJsonSchema(): Record<string, unknown> {
  return {
    // Shapes used more than once (percentiles, window counts) once each, under $defs.
    ...z.toJSONSchema(runRecordSchema, { reused: "ref" }),
    title: `run.json, the run record (schema ${SCHEMA_VERSION})`,
    description:
      "Generated from orchestrator/src/run/run-record-schema.ts by `npm run schema`; do not edit by hand. Records without schemaVersion were written before the schema (version 1) and may lack fields.",
  };
}
