// run.json's JSON Schema, generated from its zod schema (run-record-schema.ts) with zod's toJSONSchema:
// docs/run.schema.json holds it for those who script against run.json (tools/write-run-schema.ts writes it).
import { z } from "zod";
import { runRecordSchema, SCHEMA_VERSION } from "./run-record-schema.ts";

export function runRecordJsonSchema(): Record<string, unknown> {
  return {
    // Every shape written out where it is used: no $defs to follow, and a stable file to diff.
    ...z.toJSONSchema(runRecordSchema),
    title: `run.json, the run record (schema ${SCHEMA_VERSION})`,
    description:
      "Generated from orchestrator/src/run/run-record-schema.ts by `npm run schema`; do not edit by hand. Records without schemaVersion were written before the schema (version 1) and may lack fields.",
  };
}

interface Node {
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
  anyOf?: Node[];
  oneOf?: Node[];
}

/**
 * Every field path of run.json, as a reader writes it: "results.sessions.lost", "events[].detail.rate",
 * "results.requests.byInstance.*" (a map's keys), for checking what docs name against the schema.
 */
export function runRecordFieldPaths(): string[] {
  const paths = new Set<string>();
  const walk = (node: Node, path: string) => {
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) walk(branch, path);
    if (node.items) walk(node.items, `${path}[]`);
    if (typeof node.additionalProperties === "object") {
      paths.add(`${path}.*`);
      walk(node.additionalProperties, `${path}.*`);
    }
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const field = path ? `${path}.${key}` : key;
      paths.add(field);
      walk(child, field);
    }
  };
  walk(runRecordJsonSchema() as Node, "");
  return [...paths].sort();
}
