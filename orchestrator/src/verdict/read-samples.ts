// Streams a k6 `--out json` file (NDJSON, optionally .gz) line by line into an Aggregator.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { K6_DROPPED_ITERATIONS, METRIC } from "../../../scenarios/lib/metrics.ts";
import { type AggregateResult, Aggregator, type Sample, type Windows } from "./aggregate.ts";

/** The metrics the aggregator uses; other Point lines are skipped before JSON parsing. */
const WANTED = new Set<string>([
  METRIC.req,
  METRIC.store,
  METRIC.sessionsStarted,
  METRIC.sessionsLost,
  METRIC.readsStale,
  METRIC.writesIndeterminate,
  METRIC.op,
  METRIC.lock,
  K6_DROPPED_ITERATIONS,
]);
const METRIC_FIRST = '{"metric":"';

/** Cheap pre-filter: false when the line is surely not a Point of a wanted metric. */
function mayBeWanted(line: string): boolean {
  // k6 writes Points as {"metric":"<name>","type":"Point",...}: read the name without parsing.
  if (line.startsWith(METRIC_FIRST)) {
    const end = line.indexOf('"', METRIC_FIRST.length);
    return WANTED.has(line.slice(METRIC_FIRST.length, end)) && line.startsWith('","type":"Point"', end);
  }
  // Any other key order: decide after parsing.
  return line.includes('"Point"');
}

// Parsing `2026-11-22T02:26:17.014610533Z` with Date.parse for every line is slow; the part up to
// the seconds repeats for many lines, so it is parsed once per distinct second.
let cachedPrefix = "";
let cachedPrefixMs = 0;

/** Epoch ms of a k6 RFC 3339 timestamp (any offset), with sub-millisecond precision kept. */
export function parseTime(time: string): number {
  const zulu = time.length >= 20 && time.charCodeAt(19) === 46 /* . */ && time.endsWith("Z");
  if (!zulu) return Date.parse(time);
  const prefix = time.slice(0, 19);
  if (prefix !== cachedPrefix) {
    cachedPrefix = prefix;
    cachedPrefixMs = Date.parse(`${prefix}Z`);
  }
  const fraction = Number(`0${time.slice(19, -1)}`);
  return cachedPrefixMs + fraction * 1000;
}

interface PointLine {
  type?: unknown;
  metric?: unknown;
  data?: { time?: unknown; value?: unknown; tags?: unknown; metadata?: unknown };
}

/** Parses one NDJSON line into a Sample, or null when it is not a Point of a metric we use. */
export function parseSampleLine(line: string): Sample | null {
  if (!mayBeWanted(line)) return null;
  let parsed: PointLine;
  try {
    parsed = JSON.parse(line) as PointLine;
  } catch {
    return null;
  }
  if (parsed.type !== "Point" || typeof parsed.metric !== "string" || !WANTED.has(parsed.metric)) return null;
  if (!parsed.data) return null;
  const { time, value, tags, metadata } = parsed.data;
  if (typeof time !== "string" || typeof value !== "number") return null;
  const timeMs = parseTime(time);
  if (!Number.isFinite(timeMs)) return null;
  return {
    metric: parsed.metric,
    timeMs,
    value,
    tags: tags !== null && typeof tags === "object" ? (tags as Record<string, string | undefined>) : {},
    ...(metadata !== null && typeof metadata === "object"
      ? { metadata: metadata as Record<string, string | undefined> }
      : {}),
  };
}

let filesRead = 0;

/** How many samples files this process has started reading (a scenario run: one; `--recheck`: one more per run). */
export function samplesFilesRead(): number {
  return filesRead;
}

/** Reads the whole samples file once, in constant memory, and returns the aggregate. */
export async function aggregateSamplesFile(path: string, windows: Windows = {}): Promise<AggregateResult> {
  filesRead++;
  const aggregator = new Aggregator(windows);
  const file = createReadStream(path);
  const input = path.endsWith(".gz") ? file.pipe(createGunzip()) : file;
  if (input !== file) file.on("error", (error) => input.destroy(error));
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const sample = parseSampleLine(line);
    if (sample) aggregator.add(sample);
  }
  return aggregator.result();
}
