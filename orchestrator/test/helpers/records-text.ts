// The lines of a recorded records file as plain fields, read without load/records.ts, so that tests
// can compute expected figures independently of the reader and the aggregator.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export interface RecordLine {
  /** The record's code (R request, S session-started, L session-lost, O op, D dropped, ...). */
  code: string;
  /** Epoch ms: the header's t0 plus the line's first field. */
  t: number;
  fields: string[];
}

/** Every complete record line of a gzipped records file (the header and the end line left out). */
export function recordLines(path: string): RecordLine[] {
  const text = gunzipSync(readFileSync(path)).toString("utf8");
  const lines = text.split("\n");
  // A last line without its newline is cut short: not a record.
  lines.pop();
  const header = lines.shift() ?? "";
  const t0 = Number(JSON.parse(header.slice(header.indexOf("{"))).t0);
  return lines
    .filter((line) => !line.startsWith("#"))
    .map((line) => {
      // The format escapes \\, \t, \n and \r inside a field with a backslash.
      const fields = line
        .split("\t")
        .map((f) => f.replace(/\\(.)/g, (_, c: string) => ({ t: "\t", n: "\n", r: "\r" })[c] ?? c));
      return { code: fields[0]!, t: t0 + Number(fields[1]), fields };
    });
}

/** Request lines as { t, endpoint, instance, cls, ms, storeMs }. */
export function requestLines(path: string) {
  return recordLines(path)
    .filter((r) => r.code === "R")
    .map((r) => ({
      t: r.t,
      endpoint: r.fields[2]!,
      instance: r.fields[3]!,
      cls: r.fields[4]!,
      ms: Number(r.fields[5]),
      storeMs: r.fields[6] === "" ? null : Number(r.fields[6]),
    }));
}
