// run.json's field paths as its schema declares them (orchestrator/src/run/run-record-schema.ts, walked through the
// JSON Schema generated from it), for the doc tests: the one place the docs' field paths are checked against.
import { runRecordFieldPaths } from "../../orchestrator/src/run/run-record-json-schema.ts";

/**
 * Every field path of run.json: "results.sessions.lost"; an array's items as "[]" ("events[].detail"), a map's
 * keys as "*" ("versions.*"). Unions contribute the fields of each member (events: every event type's fields).
 */
export function runJsonFieldPaths(): Set<string> {
  return new Set(runRecordFieldPaths());
}

/** Whether `path` (as the docs write it, e.g. "results.latency.before.p95", "versions.load-engine") is a field. */
export function isRunJsonPath(path: string, known: ReadonlySet<string>): boolean {
  const parts = path.replace(/\[\d*\]/g, "[]").split(".");
  const match = (i: number, prefix: string): boolean => {
    if (i === parts.length) return known.has(prefix);
    const part = parts[i]!;
    const candidates = [part, "*"].map((p) => (prefix === "" ? p : `${prefix}.${p}`));
    return candidates.some((c) => {
      const bare = c.replace(/\[\]$/, "");
      return (known.has(c) || known.has(bare) || known.has(`${bare}[]`)) && match(i + 1, c);
    });
  };
  return match(0, "");
}
