// run.json's schema: recorded runs parse (schema 2 in full, older ones as version 1 with what they lack), a
// planted unknown field or wrong type fails naming its path, the writer keeps a record that fails, and
// docs/run.schema.json is what the schema generates.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { exitCodeOf, INVALID_RECORD_FILE, type RunRecord, writeRunRecord } from "../../src/run/run-record.ts";
import { runRecordFieldPaths, runRecordJsonSchema } from "../../src/run/run-record-json-schema.ts";
import {
  checkRunRecord,
  lacksLine,
  parseRunRecord,
  runRecordSchema,
  SCHEMA_VERSION,
} from "../../src/run/run-record-schema.ts";

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

/**
 * A run.json the harness wrote with schema 2, and its records: a real run, recorded on 2026-12-03 with
 * `npm run scenario -- --strategy sticky --duration 15s --rate 20 --sessions 10 --instances 2 --seed 7`
 * (app-1 crashed at 5 s and restarted at 10 s; other tests shared the machine, as its trust verdict says).
 */
const V2_FIXTURE = root("orchestrator/test/fixtures/run-v2/run.json");
/** The recorded runs the report's tests use, written before run.json had a schema. */
const V1_FIXTURES = readdirSync(root("reports/test/fixtures")).map((name) =>
  root(`reports/test/fixtures/${name}/run.json`),
);

const v2 = () => structuredClone(readJson(V2_FIXTURE)) as RunRecord;

const scratch = mkdtempSync(join(tmpdir(), "fh-run-schema-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("recorded runs", () => {
  it("a run.json of schema 2 parses in full", () => {
    const read = parseRunRecord(readJson(V2_FIXTURE), V2_FIXTURE);
    expect(read.schemaVersion).toBe(SCHEMA_VERSION);
    expect(read.lacks).toEqual([]);
    expect(lacksLine(read)).toBeNull();
    // Every kind of event a run with an instance fault writes, each checked against its own shape.
    expect(new Set(read.record.events.map((e) => e.type))).toEqual(
      new Set(["warm-up", "load-start", "load-end", "fault", "lb-state", "audit", "probe", "lb-counters"]),
    );
  });

  it.each(V1_FIXTURES)("%s (no schemaVersion) reads as version 1, naming what it lacks", (path) => {
    const read = parseRunRecord(readJson(path), path);
    expect(read.schemaVersion).toBe(1);
    // Every one of them predates the balancer record and the load engine's workers.
    expect(read.lacks).toEqual(expect.arrayContaining(["plan.load.workers"]));
    expect(lacksLine(read)).toMatch(/^recorded before schema 2: no .*plan\.load: .*workers/);
  });

  it("names an older record's missing fields by where they are", () => {
    const path = root("reports/test/fixtures/tiny-sticky/run.json");
    const read = parseRunRecord(readJson(path), path);
    expect(read.lacks).toEqual(
      expect.arrayContaining(["balancer", "events[warm-up].detail.rate", "results.storeTime", "results.undetected"]),
    );
  });
});

describe("a record that does not fit", () => {
  it("fails on a planted unknown field, naming its path", () => {
    const record = v2();
    (record.results!.sessions as Record<string, unknown>).lostt = 1;
    const check = checkRunRecord(record);
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.issues).toEqual([
      expect.stringMatching(/^results\.sessions: Unrecognized key: "lostt"/),
    ]);
    expect(() => parseRunRecord(record, "run.json")).toThrow(
      /^run\.json: not a run record of schema 2: results\.sessions: /,
    );
  });

  it("fails on a misspelled field at the top (the real one then missing too)", () => {
    const { instances, ...rest } = v2();
    const check = checkRunRecord({ ...rest, instance: instances });
    expect(check.ok ? [] : check.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^instances: /),
        expect.stringMatching(/Unrecognized key: "instance"/),
      ]),
    );
  });

  it("fails on a wrong type, naming the field's path", () => {
    const record = v2();
    (record.results!.requests as Record<string, unknown>).total = "12";
    expect(checkRunRecord(record)).toEqual({
      ok: false,
      issues: ["results.requests.total: Invalid input: expected number, received string"],
    });
  });

  it("fails on an event whose detail is not its type's", () => {
    const record = v2();
    const i = record.events.findIndex((e) => e.type === "probe");
    (record.events[i] as { detail: unknown }).detail = { abortedInFlight: "3" };
    expect(checkRunRecord(record)).toEqual({
      ok: false,
      issues: [`events[${i}].detail.abortedInFlight: Invalid input: expected number, received string`],
    });
  });

  it("refuses a schemaVersion this harness does not know", () => {
    expect(() => parseRunRecord({ ...v2(), schemaVersion: 3 }, "run.json")).toThrow(
      /schemaVersion 3: this harness reads run records of schema 1 \(no schemaVersion\) and 2/,
    );
  });
});

describe("writeRunRecord", () => {
  it("writes a record that fits, as it is", () => {
    const dir = mkdtempSync(join(scratch, "ok-"));
    const record = v2();
    expect(writeRunRecord(dir, record)).toBe(record);
    expect(readJson(join(dir, "run.json"))).toEqual(record);
    expect(existsSync(join(dir, INVALID_RECORD_FILE))).toBe(false);
  });

  it("keeps a record that does not fit in run.invalid.json, and marks run.json failed: a harness error", () => {
    const dir = mkdtempSync(join(scratch, "bad-"));
    const record = v2();
    (record.results!.sessions as Record<string, unknown>).lost = -1;
    const written = writeRunRecord(dir, record);
    // Nothing is lost: the record as built, beside run.json.
    expect(readJson(join(dir, INVALID_RECORD_FILE))).toEqual(record);
    // run.json fits the schema, says failed and why, and leaves out only the part at fault.
    const saved = readJson(join(dir, "run.json")) as RunRecord;
    expect(saved).toEqual(written);
    expect(checkRunRecord(saved)).toEqual({ ok: true });
    expect(saved.status).toBe("failed");
    expect(saved.error).toMatch(/harness error: run\.json did not fit its schema .*results\.sessions\.lost: Too small/);
    expect(saved.error).toContain(INVALID_RECORD_FILE);
    expect(saved.results).toBeNull();
    expect(saved.events).toEqual(record.events);
    expect(exitCodeOf([written])).toBe(1);
  });

  it("writes no run.json when the part at fault cannot be left out (the plan), but still keeps the record", () => {
    const dir = mkdtempSync(join(scratch, "plan-"));
    const record = v2();
    (record.plan as Record<string, unknown>).seed = "7";
    const written = writeRunRecord(dir, record);
    expect(existsSync(join(dir, "run.json"))).toBe(false);
    expect(readJson(join(dir, INVALID_RECORD_FILE))).toEqual(record);
    expect(written.status).toBe("failed");
    expect(written.error).toMatch(/plan\.seed: Invalid input: expected number, received string/);
  });
});

describe("docs/run.schema.json", () => {
  it("is the JSON Schema the zod schema generates (npm run schema writes it)", () => {
    const file = readJson(root("docs/run.schema.json"));
    expect(file, "docs/run.schema.json differs from the schema: run `npm run schema` and commit it").toEqual(
      runRecordJsonSchema(),
    );
  });

  it("has every top-level field of the record, and allows no other", () => {
    const schema = runRecordJsonSchema() as { properties: Record<string, unknown>; additionalProperties: unknown };
    expect(Object.keys(schema.properties)).toEqual(Object.keys(runRecordSchema.shape));
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("runRecordFieldPaths", () => {
  it("lists every field path of the record, through arrays, unions and maps", () => {
    const paths = runRecordFieldPaths();
    expect(paths).toEqual(
      expect.arrayContaining([
        "schemaVersion",
        "results.sessions.lost",
        "results.requests.failed.refused",
        "results.latency.during.p95",
        "results.series[].byInstance.*",
        "events[].detail.abortedInFlight",
        "events[].detail.seconds[].p95",
        "plan.load.workers",
      ]),
    );
    expect(paths).not.toContain("results.sessions.lostt");
    // Every path of a real record is one of them.
    const real = new Set<string>();
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) for (const v of value) walk(v, `${path}[]`);
      else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
          const field = /^(byInstance|lostByHome|byEndpoint|versions|input)$/.test(path.split(/[.[\]]/).at(-1) ?? "")
            ? "*"
            : k;
          const next = path ? `${path}.${field}` : field;
          real.add(next);
          walk(v, next);
        }
      }
    };
    walk(readJson(V2_FIXTURE), "");
    expect([...real].filter((p) => !paths.includes(p))).toEqual([]);
  });
});
