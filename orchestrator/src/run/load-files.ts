// Where a run folder keeps the load engine's output: its records file and its log.
import { join } from "node:path";

/** The records file's name in a run folder (load/records.ts's format, gzip). */
export const RECORDS_FILE_NAME = "records.tsv.gz";

export interface LoadFiles {
  records: string;
  log: string;
}

export function loadFiles(runDir: string): LoadFiles {
  return { records: join(runDir, RECORDS_FILE_NAME), log: join(runDir, "logs", "load.log") };
}
