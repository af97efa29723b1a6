// Streams the load engine's records file (load/records.ts, gzip or plain) once into an Aggregator.
import { forEachRecord } from "../../../load/records.ts";
import { type AggregateResult, Aggregator, type Windows } from "./aggregate.ts";

let filesRead = 0;

/** How many records files this process has started reading (a scenario run: one; `--recheck`: one more per run). */
export function recordsFilesRead(): number {
  return filesRead;
}

/**
 * Reads the whole records file once, in constant memory, and returns the aggregate. A file cut short
 * (an engine killed before it closed it) is read up to its last complete record.
 */
export async function aggregateRecordsFile(path: string, windows: Windows = {}): Promise<AggregateResult> {
  filesRead++;
  const aggregator = new Aggregator(windows);
  await forEachRecord(path, (record) => aggregator.add(record));
  return aggregator.result();
}
