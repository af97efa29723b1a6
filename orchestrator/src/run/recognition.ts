// Whether the scenario recognised the target's logged-in answers at all: read from the warm-up's records, so that a
// protocol whose read never matches (every read judged `other`) stops the run before the measured load instead of
// reporting nonsense.

import type { LoadRecord } from "../../../load/api.ts";
import { forEachRecord } from "../../../load/records.ts";

/** The endpoints of a logged-in person's reads and writes (login-profile, protocol-profile, concurrent-tabs). */
const pageEndpoints = new Set(["profile_get", "profile_set"]);

export interface ReadCounts {
  reads: number;
  ok: number;
  other: number;
}

/** Adds one record to the counts (pure). */
export function countRead(counts: ReadCounts, record: LoadRecord): void {
  if (record.kind !== "request" || !pageEndpoints.has(record.endpoint)) return;
  counts.reads++;
  if (record.cls === "ok") counts.ok++;
  if (record.cls === "other") counts.other++;
}

/** The message that stops the run when no read was recognised and every one was `other`; null otherwise (pure). */
export function unrecognisedMessage(counts: ReadCounts, targetFile: string, logFile: string): string | null {
  if (counts.reads < 10 || counts.ok > 0 || counts.other < counts.reads) return null;
  return (
    `the scenario never recognised a logged-in answer: all ${counts.reads} reads and writes of the warm-up were judged "other" ` +
    `(the answer did not show whose page it is). Check protocol.read.user in ${targetFile}; the answers are quoted in ${logFile}`
  );
}

/** Counts the reads of a records file. */
export async function readCounts(recordsFile: string): Promise<ReadCounts> {
  const counts: ReadCounts = { reads: 0, ok: 0, other: 0 };
  await forEachRecord(recordsFile, (record) => countRead(counts, record));
  return counts;
}
