// The records file: every record kind round-trips, odd strings survive, and a file cut short is read up to its cut.
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoadRecord } from "../api.ts";
import {
  decodeRecord,
  encodeRecord,
  forEachRecord,
  RecordsFormatError,
  RecordsWriter,
  readRecords,
} from "../records.ts";

const T0 = 1_764_700_000_123.25;

const EVERY_KIND: LoadRecord[] = [
  {
    kind: "request",
    t: T0 + 10.5,
    endpoint: "profile_get",
    instance: "app-1",
    cls: "ok",
    ms: 1.234,
    storeMs: 0.5,
    lockMs: null,
    person: 3,
  },
  {
    kind: "request",
    t: T0 + 11,
    endpoint: "login",
    instance: "none",
    cls: "refused",
    ms: 0.021,
    storeMs: null,
    lockMs: 2,
    person: 0,
  },
  { kind: "session-started", t: T0 + 12, instance: "app-2", person: 7 },
  { kind: "session-lost", t: T0 + 13.125, home: "app-2", instance: "app-3", person: 7 },
  { kind: "stale-read", t: T0 + 14, endpoint: "profile_set", person: 1 },
  { kind: "indeterminate-write", t: T0 + 15, person: 2 },
  {
    kind: "op",
    t: T0 + 16,
    op: JSON.stringify({ p: "r1-u1", s: 1, op: "read", r: "ack", t0: 1, t1: 2, shown: { f1: "a\tb" } }),
    person: 1,
  },
  { kind: "iteration", scheduled: T0 + 20, started: T0 + 20.042, person: 5 },
  { kind: "dropped", t: T0 + 21 },
  // Before t0 and at t0 (a worker may stamp a record a hair before the header's t0).
  { kind: "dropped", t: T0 - 0.5 },
  { kind: "dropped", t: T0 },
];

const ODD_STRINGS = [
  "app,1",
  "tab\there",
  "new\nline",
  "cr\rhere",
  "back\\slash",
  "\\t literally",
  "trailing\\",
  "",
  "ünïcødé ✓ 🚀",
  '"quoted", {json}',
  "#end {}",
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fh-records-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Times come back as t0 + the relative time: equal to 1 µs. */
function expectSameRecords(actual: LoadRecord[], expected: LoadRecord[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((record, i) => {
    const want = expected[i] as Record<string, unknown>;
    const got = record as Record<string, unknown>;
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [key, value] of Object.entries(want)) {
      if (typeof value === "number" && key !== "person") expect(got[key]).toBeCloseTo(value, 3);
      else expect(got[key]).toEqual(value);
    }
  });
}

async function writeAll(path: string, records: LoadRecord[], options = {}): Promise<RecordsWriter> {
  const writer = new RecordsWriter(path, { t0: T0, scenario: "login-profile" }, options);
  for (const record of records) writer.write(record);
  await writer.close();
  return writer;
}

async function collect(path: string): Promise<{ records: LoadRecord[]; summary: ReturnType<typeof readRecords> }> {
  const iterable = readRecords(path);
  const records: LoadRecord[] = [];
  for await (const record of iterable) records.push(record);
  return { records, summary: iterable };
}

describe("encodeRecord / decodeRecord", () => {
  it("round-trips every kind", () => {
    const decoded = EVERY_KIND.map((r) => decodeRecord(encodeRecord(r, T0).slice(0, -1), T0));
    expectSameRecords(decoded, EVERY_KIND);
  });

  it("keeps odd strings in every string field, on one line", () => {
    for (const s of ODD_STRINGS) {
      const records: LoadRecord[] = [
        { kind: "request", t: T0, endpoint: s, instance: s, cls: "ok", ms: 1, storeMs: null, lockMs: null, person: 0 },
        { kind: "session-started", t: T0, instance: s, person: 0 },
        { kind: "session-lost", t: T0, home: s, instance: `${s}x`, person: 0 },
        { kind: "stale-read", t: T0, endpoint: s, person: 0 },
        { kind: "op", t: T0, op: s, person: 0 },
      ];
      for (const record of records) {
        const line = encodeRecord(record, T0);
        expect(line.indexOf("\n")).toBe(line.length - 1);
        expect(decodeRecord(line.slice(0, -1), T0)).toEqual(record);
      }
    }
  });

  it("rounds times and durations to 1 µs", () => {
    const line = encodeRecord({ kind: "dropped", t: T0 + 1.23456789 }, T0);
    expect(line).toBe("D\t1.235\n");
  });

  it("refuses an unknown code, a bad class, a missing field and a non-numeric time", () => {
    expect(() => decodeRecord("X\t1", T0)).toThrow(/unknown record code/);
    expect(() => decodeRecord("R\t1\tlogin\tapp-1\tbogus\t1\t\t\t0", T0)).toThrow(/unknown class/);
    expect(() => decodeRecord("S\t1\tapp-1", T0)).toThrow(/at least 4 fields/);
    expect(() => decodeRecord("D\tsoon", T0)).toThrow(/expected a number/);
  });
});

describe("RecordsWriter and readRecords", () => {
  for (const name of ["records.tsv.gz", "records.tsv"]) {
    it(`round-trips every kind and the header through ${name}`, async () => {
      const path = join(dir, name);
      const writer = await writeAll(path, EVERY_KIND);
      expect(writer.count).toBe(EVERY_KIND.length);
      const { records, summary } = await collect(path);
      expectSameRecords(records, EVERY_KIND);
      expect(summary.summary).toEqual({
        header: { t0: T0, scenario: "login-profile" },
        records: EVERY_KIND.length,
        truncated: false,
      });
      const gzipped = readFileSync(path)
        .subarray(0, 2)
        .equals(Buffer.from([0x1f, 0x8b]));
      expect(gzipped).toBe(name.endsWith(".gz"));
    });
  }

  it("takes lines encoded elsewhere (worker threads) with writeEncoded", async () => {
    const path = join(dir, "r.gz");
    const writer = new RecordsWriter(path, { t0: T0 });
    writer.write(EVERY_KIND[0] as LoadRecord);
    writer.writeEncoded(
      EVERY_KIND.slice(1)
        .map((r) => encodeRecord(r, T0))
        .join(""),
      EVERY_KIND.length - 1,
    );
    await writer.close();
    const seen: LoadRecord[] = [];
    const summary = await forEachRecord(path, (r) => seen.push(r));
    expectSameRecords(seen, EVERY_KIND);
    expect(summary.records).toBe(EVERY_KIND.length);
    expect(summary.truncated).toBe(false);
  });

  it("keeps 100,000 requests well under 150 bytes each", async () => {
    const path = join(dir, "many.gz");
    const records: LoadRecord[] = [];
    for (let i = 0; i < 100_000; i++) {
      records.push({
        kind: "request",
        t: T0 + i * 0.731,
        endpoint: i % 2 ? "profile_get" : "profile_set",
        instance: `app-${i % 3}`,
        cls: "ok",
        ms: 1 + (i % 997) / 331,
        storeMs: (i % 89) / 97,
        lockMs: null,
        person: i % 500,
      });
    }
    await writeAll(path, records);
    const perRequest = statSync(path).size / records.length;
    console.log(`records file: ${perRequest.toFixed(1)} bytes per request`);
    expect(perRequest).toBeLessThan(150);
    let n = 0;
    const summary = await forEachRecord(path, () => n++);
    expect(n).toBe(100_000);
    expect(summary.truncated).toBe(false);
  });

  it("reads a gzip file cut short up to its cut, and says it was truncated", async () => {
    const path = join(dir, "cut.gz");
    const records: LoadRecord[] = [];
    for (let i = 0; i < 20_000; i++)
      records.push({ kind: "iteration", scheduled: T0 + i, started: T0 + i + 0.01, person: i % 50 });
    // Small buffers and explicit flushes, as a long run's periodic flushes leave them.
    const writer = new RecordsWriter(path, { t0: T0 }, { bufferChars: 4096, flushEveryMs: 0 });
    for (const [i, record] of records.entries()) {
      writer.write(record);
      if (i % 1000 === 999) await writer.flush();
    }
    await writer.close();
    const size = statSync(path).size;
    truncateSync(path, Math.floor(size * 0.6));
    const { records: read, summary } = await collect(path);
    expect(read.length).toBeGreaterThan(5_000);
    expect(read.length).toBeLessThan(records.length);
    expectSameRecords(read, records.slice(0, read.length));
    expect(summary.summary?.truncated).toBe(true);
    expect(summary.summary?.records).toBe(read.length);
    expect(summary.summary?.reason).toMatch(/cut short|no end line/);
  });

  it("reads what a killed engine flushed before it died (no end line)", async () => {
    const path = join(dir, "killed.gz");
    const writer = new RecordsWriter(path, { t0: T0 }, { flushEveryMs: 0 });
    for (const record of EVERY_KIND) writer.write(record);
    await writer.flush();
    // No close(): read the file as the process left it.
    const copy = join(dir, "copy.gz");
    writeFileSync(copy, readFileSync(path));
    const { records, summary } = await collect(copy);
    expectSameRecords(records, EVERY_KIND);
    expect(summary.summary?.truncated).toBe(true);
    expect(summary.summary?.reason).toMatch(/no end line after 11 records/);
    await writer.close();
  });

  it("drops a plain file's last line without its newline and says so", async () => {
    const path = join(dir, "torn.tsv");
    const lines = EVERY_KIND.map((r) => encodeRecord(r, T0)).join("");
    writeFileSync(path, `#fh-records 1 {"t0":${T0}}\n${lines}R\t99\tlog`);
    const { records, summary } = await collect(path);
    expectSameRecords(records, EVERY_KIND);
    expect(summary.summary?.truncated).toBe(true);
    expect(summary.summary?.reason).toMatch(/last line is cut short after 11 records/);
  });

  it("names the file and line of a malformed record, and refuses a file with no header", async () => {
    const bad = join(dir, "bad.gz");
    writeFileSync(bad, gzipSync(`#fh-records 1 {"t0":0}\nD\t1\nR\t2\tlogin\n`));
    await expect(forEachRecord(bad, () => {})).rejects.toThrow(/bad\.gz:3: expected at least/);
    const noHeader = join(dir, "nohead.tsv");
    writeFileSync(noHeader, "D\t1\n");
    await expect(forEachRecord(noHeader, () => {})).rejects.toThrow(RecordsFormatError);
    const version = join(dir, "v9.tsv");
    writeFileSync(version, `#fh-records 9 {"t0":0}\n`);
    await expect(forEachRecord(version, () => {})).rejects.toThrow(/version 9; this reader knows 1/);
    const empty = join(dir, "empty.gz");
    writeFileSync(empty, gzipSync(""));
    await expect(forEachRecord(empty, () => {})).rejects.toThrow(/empty records file/);
  });

  it("stops reading when the loop breaks early", async () => {
    const path = join(dir, "early.gz");
    await writeAll(path, EVERY_KIND);
    const iterable = readRecords(path);
    let n = 0;
    for await (const _ of iterable) {
      if (++n === 2) break;
    }
    expect(n).toBe(2);
    expect(iterable.summary).toBeUndefined();
  });
});
