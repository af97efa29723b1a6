// The consistency check of a run's recorded results against the same results worked out again
// from its records (pure): every number and string in results, path by path.

/** Parts of results that cannot be worked out again from the run folder (CPU is not kept there). */
export const NOT_RECHECKED = ["loadGenerator", "trust"] as const;

export interface Recheck {
  /** Paths whose values differ: "sessions.lost: run.json 99, records 2". */
  differences: string[];
  /** Fields the re-aggregation has and run.json has not at all (a record older than the field), once each. */
  missing: string[];
  /** How many values were compared. */
  compared: number;
}

type Leaf = string | number | boolean | null;

function leaves(value: unknown, path: string, out: Map<string, Leaf>): void {
  if (value === null || typeof value !== "object") {
    out.set(path, (value ?? null) as Leaf);
    return;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) out.set(path, Array.isArray(value) ? "[]" : "{}");
  for (const [key, v] of entries) leaves(v, path ? `${path}.${key}` : key, out);
}

/** The part of a path the object lacks altogether ("undetected" of "undetected.fromMs"); null when present or under a null. */
function absentPart(object: unknown, path: string): string | null {
  let current: unknown = object;
  const parts = path.split(".");
  for (let i = 0; i < parts.length; i++) {
    if (current === null) return null;
    if (typeof current !== "object" || !(parts[i]! in (current as object))) return parts.slice(0, i + 1).join(".");
    current = (current as Record<string, unknown>)[parts[i]!];
  }
  return null;
}

const shown = (v: Leaf | undefined) => (v === undefined ? "absent" : JSON.stringify(v));

/**
 * Compares run.json's results with the re-aggregated ones, leaving out NOT_RECHECKED. A path the
 * recorded results lack altogether is `missing`, not a difference (run folders older than it).
 */
export function recheckResults(recorded: object, recomputed: object): Recheck {
  const skip = (path: string) => NOT_RECHECKED.some((p) => path === p || path.startsWith(`${p}.`));
  const mine = new Map<string, Leaf>();
  const theirs = new Map<string, Leaf>();
  leaves(recorded, "", mine);
  leaves(recomputed, "", theirs);
  const differences: string[] = [];
  const missing = new Set<string>();
  let compared = 0;
  for (const [path, value] of theirs) {
    if (skip(path)) continue;
    const lacking = mine.has(path) ? null : absentPart(recorded, path);
    if (lacking !== null) {
      missing.add(lacking);
      continue;
    }
    compared++;
    const old = mine.get(path);
    if (old !== value) differences.push(`${path}: run.json ${shown(old)}, records ${shown(value)}`);
  }
  for (const [path, value] of mine) {
    if (!skip(path) && !theirs.has(path)) differences.push(`${path}: run.json ${shown(value)}, records absent`);
  }
  return { differences, missing: [...missing], compared };
}
