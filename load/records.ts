// The records file: one compact tab-separated line per LoadRecord after a header, gzip-streamed; its writer and reader.
//
// Format (text, UTF-8; gzip when the file name ends in .gz; the reader detects gzip by its magic bytes):
//   #fh-records 1 {"t0":<epoch ms>, ...meta}      header: every time below is relative to t0
//   <code>\t<field>\t<field>...                   one record per line (RECORD_CODES below)
//   #end {"records":<n>}                          written by close(): its absence means the file was cut short
// Times and durations are ms with at most 3 decimals (1 µs); an absent number (storeMs, lockMs) is an empty
// field; strings escape \\, \t, \n and \r with a backslash.
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { constants, createGunzip, createGzip, type Gzip } from "node:zlib";
import { REQUEST_CLASSES, type RequestClass } from "../scenarios/lib/classify.ts";
import type { LoadRecord } from "./api.ts";

export const RECORDS_FORMAT = "fh-records";
export const RECORDS_VERSION = 1;

/** The header's JSON: t0 (epoch ms, the base of every time in the file) and whatever the engine adds. */
export interface RecordsHeader {
  t0: number;
  [key: string]: unknown;
}

/**
 * One letter per kind, then its fields:
 *   R t endpoint instance cls ms storeMs lockMs person   request
 *   S t instance person                                 session-started
 *   L t home instance person                            session-lost
 *   T t endpoint person                                 stale-read
 *   W t person                                          indeterminate-write
 *   O t person op                                       op
 *   I scheduled lag person                              iteration (started = scheduled + lag)
 *   D t                                                 dropped
 */
export const RECORD_CODES = {
  request: "R",
  "session-started": "S",
  "session-lost": "L",
  "stale-read": "T",
  "indeterminate-write": "W",
  op: "O",
  iteration: "I",
  dropped: "D",
} as const satisfies Record<LoadRecord["kind"], string>;

const CLASSES: ReadonlySet<string> = new Set(REQUEST_CLASSES);
const NEEDS_ESCAPE = /[\t\n\r\\]/;

function esc(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/[\t\n\r\\]/g, (c) => (c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\\\"));
}

function unesc(s: string): string {
  if (!s.includes("\\")) return s;
  return s.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c));
}

/** A number with at most 3 decimals, as short as it prints. */
function num(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

function optNum(x: number | null): string {
  return x === null ? "" : num(x);
}

/** One record as its line (with the trailing newline); times relative to `t0`. */
export function encodeRecord(r: LoadRecord, t0: number): string {
  switch (r.kind) {
    case "request":
      return `R\t${num(r.t - t0)}\t${esc(r.endpoint)}\t${esc(r.instance)}\t${r.cls}\t${num(r.ms)}\t${optNum(r.storeMs)}\t${optNum(r.lockMs)}\t${r.person}\n`;
    case "iteration":
      return `I\t${num(r.scheduled - t0)}\t${num(r.started - r.scheduled)}\t${r.person}\n`;
    case "dropped":
      return `D\t${num(r.t - t0)}\n`;
    case "session-started":
      return `S\t${num(r.t - t0)}\t${esc(r.instance)}\t${r.person}\n`;
    case "session-lost":
      return `L\t${num(r.t - t0)}\t${esc(r.home)}\t${esc(r.instance)}\t${r.person}\n`;
    case "stale-read":
      return `T\t${num(r.t - t0)}\t${esc(r.endpoint)}\t${r.person}\n`;
    case "indeterminate-write":
      return `W\t${num(r.t - t0)}\t${r.person}\n`;
    case "op":
      return `O\t${num(r.t - t0)}\t${r.person}\t${esc(r.op)}\n`;
  }
}

class FormatError extends Error {}

function field(fields: string[], i: number): string {
  const value = fields[i];
  if (value === undefined) throw new FormatError(`expected at least ${i + 1} fields, got ${fields.length}`);
  return value;
}

function number(fields: string[], i: number): number {
  const raw = field(fields, i);
  const value = raw === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) throw new FormatError(`field ${i + 1}: expected a number, got ${JSON.stringify(raw)}`);
  return value;
}

function optNumber(fields: string[], i: number): number | null {
  return field(fields, i) === "" ? null : number(fields, i);
}

function int(fields: string[], i: number): number {
  const value = number(fields, i);
  if (!Number.isInteger(value) || value < 0) throw new FormatError(`field ${i + 1}: expected a person index`);
  return value;
}

function cls(fields: string[], i: number): RequestClass {
  const value = field(fields, i);
  if (!CLASSES.has(value)) throw new FormatError(`field ${i + 1}: unknown class ${JSON.stringify(value)}`);
  return value as RequestClass;
}

/** Parses one record line (without its newline); throws a FormatError on anything else. */
export function decodeRecord(line: string, t0: number): LoadRecord {
  const f = line.split("\t");
  switch (f[0]) {
    case "R":
      return {
        kind: "request",
        t: t0 + number(f, 1),
        endpoint: unesc(field(f, 2)),
        instance: unesc(field(f, 3)),
        cls: cls(f, 4),
        ms: number(f, 5),
        storeMs: optNumber(f, 6),
        lockMs: optNumber(f, 7),
        person: int(f, 8),
      };
    case "I": {
      const scheduled = t0 + number(f, 1);
      return { kind: "iteration", scheduled, started: scheduled + number(f, 2), person: int(f, 3) };
    }
    case "D":
      return { kind: "dropped", t: t0 + number(f, 1) };
    case "S":
      return { kind: "session-started", t: t0 + number(f, 1), instance: unesc(field(f, 2)), person: int(f, 3) };
    case "L":
      return {
        kind: "session-lost",
        t: t0 + number(f, 1),
        home: unesc(field(f, 2)),
        instance: unesc(field(f, 3)),
        person: int(f, 4),
      };
    case "T":
      return { kind: "stale-read", t: t0 + number(f, 1), endpoint: unesc(field(f, 2)), person: int(f, 3) };
    case "W":
      return { kind: "indeterminate-write", t: t0 + number(f, 1), person: int(f, 2) };
    case "O":
      return { kind: "op", t: t0 + number(f, 1), person: int(f, 2), op: unesc(field(f, 3)) };
    default:
      throw new FormatError(`unknown record code ${JSON.stringify(f[0])}`);
  }
}

/** The header line for `header` (with its newline). */
export function headerLine(header: RecordsHeader): string {
  return `#${RECORDS_FORMAT} ${RECORDS_VERSION} ${JSON.stringify(header)}\n`;
}

export interface RecordsWriterOptions {
  /** Pending lines go to the file (and, for gzip, are sync-flushed) at least this often, so a killed engine
   * loses at most this much. Default 1000 ms; 0 = only on flush() and close(). */
  flushEveryMs?: number;
  /** Lines are buffered up to this many characters before they go to the stream. Default 64 KiB. */
  bufferChars?: number;
}

/**
 * Streams records to `path` (gzip when it ends in .gz). `write` is cheap (an encoded line appended to a buffer);
 * `writeEncoded` takes lines already encoded with the same t0 (from worker threads). close() writes the end line.
 */
export class RecordsWriter {
  readonly t0: number;
  /** Records written so far. */
  count = 0;
  private buffer = "";
  private readonly out: WriteStream;
  private readonly gzip: Gzip | null;
  private readonly bufferChars: number;
  private readonly timer: NodeJS.Timeout | null;
  private closed = false;
  private failure: Error | null = null;

  constructor(
    readonly path: string,
    header: RecordsHeader,
    options: RecordsWriterOptions = {},
  ) {
    this.t0 = header.t0;
    this.bufferChars = options.bufferChars ?? 65_536;
    this.out = createWriteStream(path);
    this.out.on("error", (error) => {
      this.failure ??= error;
    });
    if (path.endsWith(".gz")) {
      this.gzip = createGzip({ level: 6 });
      this.gzip.on("error", (error) => {
        this.failure ??= error;
      });
      this.gzip.pipe(this.out);
    } else {
      this.gzip = null;
    }
    this.buffer = headerLine(header);
    const every = options.flushEveryMs ?? 1000;
    this.timer = every > 0 ? setInterval(() => void this.flush().catch(() => {}), every) : null;
    this.timer?.unref();
  }

  write(record: LoadRecord): void {
    this.buffer += encodeRecord(record, this.t0);
    this.count++;
    if (this.buffer.length >= this.bufferChars) this.drainBuffer();
  }

  /** Appends `lines` (complete lines, each ending in a newline, encoded against this writer's t0), `n` records. */
  writeEncoded(lines: string, n: number): void {
    this.buffer += lines;
    this.count += n;
    if (this.buffer.length >= this.bufferChars) this.drainBuffer();
  }

  private drainBuffer(): void {
    if (this.buffer === "" || this.closed) return;
    const chunk = this.buffer;
    this.buffer = "";
    (this.gzip ?? this.out).write(chunk);
  }

  /** Everything written so far reaches the file (gzip: a sync flush, so a reader can decode it). */
  async flush(): Promise<void> {
    if (this.closed) return;
    this.drainBuffer();
    const gzip = this.gzip;
    if (gzip) {
      await new Promise<void>((resolve) => gzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
      // The flushed bytes are piped on to the file stream; let them reach it.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Writes complete in order: this empty one's callback comes after everything before it is on disk.
    await new Promise<void>((resolve) => this.out.write("", () => resolve()));
    if (this.failure) throw this.failure;
  }

  /** Writes the end line and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.buffer += `#end ${JSON.stringify({ records: this.count })}\n`;
    this.drainBuffer();
    this.closed = true;
    await new Promise<void>((resolve, reject) => {
      this.out.once("close", resolve);
      this.out.once("error", reject);
      (this.gzip ?? this.out).end();
    });
    if (this.failure) throw this.failure;
  }
}

/** How a reading went: the header, the records read, and whether the file was cut short. */
export interface ReadSummary {
  header: RecordsHeader;
  records: number;
  /** True when the file ends before its end line (the engine was killed, or the gzip stream is cut). */
  truncated: boolean;
  /** Why it counts as truncated. */
  reason?: string;
}

export class RecordsFormatError extends Error {}

/** Parses a file's lines: the header first, records, the end line last. */
class LineParser {
  header: RecordsHeader | null = null;
  records = 0;
  ended = false;
  private line = 0;

  constructor(private readonly path: string) {}

  /** Parses one complete line; returns the record, or null for the header and end lines. */
  parse(text: string): LoadRecord | null {
    this.line++;
    if (this.header === null) {
      this.header = this.parseHeader(text);
      return null;
    }
    if (this.ended) throw this.error(`a line after the end line`);
    if (text.startsWith("#end ")) {
      this.ended = true;
      return null;
    }
    try {
      const record = decodeRecord(text, this.header.t0);
      this.records++;
      return record;
    } catch (error) {
      if (error instanceof FormatError) throw this.error(error.message);
      throw error;
    }
  }

  private parseHeader(text: string): RecordsHeader {
    const prefix = `#${RECORDS_FORMAT} `;
    if (!text.startsWith(prefix)) throw this.error(`expected a '#${RECORDS_FORMAT} <version> {...}' header`);
    const space = text.indexOf(" ", prefix.length);
    const version = text.slice(prefix.length, space);
    if (version !== String(RECORDS_VERSION)) {
      throw this.error(`records format version ${version}; this reader knows ${RECORDS_VERSION}`);
    }
    let header: unknown;
    try {
      header = JSON.parse(text.slice(space + 1));
    } catch {
      throw this.error("the header's JSON does not parse");
    }
    if (header === null || typeof header !== "object" || typeof (header as RecordsHeader).t0 !== "number") {
      throw this.error("the header has no numeric t0");
    }
    return header as RecordsHeader;
  }

  error(message: string): RecordsFormatError {
    return new RecordsFormatError(`${this.path}:${this.line}: ${message}`);
  }
}

async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, "r");
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await file.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await file.close();
  }
}

/**
 * Reads `path` in chunks, yielding each chunk's records. A gzip stream cut short is read up to its last decodable
 * byte (Z_SYNC_FLUSH on finish: no error), a last line without its newline is dropped, and both show as
 * `truncated` (no end line). A malformed complete line throws a RecordsFormatError naming path:line.
 */
async function* batches(path: string): AsyncGenerator<LoadRecord[], ReadSummary> {
  const gzip = await isGzip(path);
  const file = createReadStream(path);
  const source = gzip ? file.pipe(createGunzip({ finishFlush: constants.Z_SYNC_FLUSH })) : file;
  if (gzip) file.on("error", (error) => source.destroy(error));
  source.setEncoding("utf8");
  const parser = new LineParser(path);
  let rest = "";
  try {
    for await (const chunk of source as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      const batch: LoadRecord[] = [];
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        const record = parser.parse(text.slice(start, nl));
        if (record) batch.push(record);
        start = nl + 1;
      }
      rest = text.slice(start);
      if (batch.length > 0) yield batch;
    }
  } finally {
    file.destroy();
  }
  if (parser.header === null) {
    if (rest !== "") parser.parse(rest);
    throw parser.error(rest === "" ? "empty records file" : "no complete header line");
  }
  const summary: ReadSummary = { header: parser.header, records: parser.records, truncated: !parser.ended };
  if (!parser.ended) {
    summary.reason =
      rest !== ""
        ? `the last line is cut short after ${parser.records} records`
        : `no end line after ${parser.records} records (the engine stopped before closing the file)`;
  }
  return summary;
}

/** Calls `fn` for every complete record of `path`, in file order; resolves to how the reading went. */
export async function forEachRecord(path: string, fn: (record: LoadRecord) => void): Promise<ReadSummary> {
  const it = batches(path);
  for (;;) {
    const next = await it.next();
    if (next.done) return next.value;
    for (const record of next.value) fn(record);
  }
}

/** The records of `path` as an async iterable; `summary` is set once the iteration has run to its end. */
export interface RecordsIterable extends AsyncIterable<LoadRecord> {
  readonly summary: ReadSummary | undefined;
}

/** Streams the records of `path` (see forEachRecord); after the loop, `.summary` says whether it was truncated. */
export function readRecords(path: string): RecordsIterable {
  const result: { summary: ReadSummary | undefined } & AsyncIterable<LoadRecord> = {
    summary: undefined,
    async *[Symbol.asyncIterator]() {
      const it = batches(path);
      try {
        for (;;) {
          const next = await it.next();
          if (next.done) {
            result.summary = next.value;
            return;
          }
          yield* next.value;
        }
      } finally {
        await it.return(undefined as never);
      }
    },
  };
  return result;
}
