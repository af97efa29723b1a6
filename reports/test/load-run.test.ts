// Reading run folders through run.json's schema: every recorded run (written before the schema,
// version 1) still renders and names what it lacks; a run.json that does not fit is refused naming its field.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../orchestrator/src/errors.ts";
import { loadRun, readRunRecord } from "../src/load-run.ts";
import { renderReport } from "../src/render.ts";
import { buildReportModel } from "../src/report-model.ts";

const FIXTURES = fileURLToPath(new URL("fixtures", import.meta.url));
const V2_RUN = fileURLToPath(new URL("../../orchestrator/test/fixtures/run-v2", import.meta.url));
const NOW = new Date("2026-12-03T00:00:00Z");
const scratch = mkdtempSync(join(tmpdir(), "fh-load-run-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("recorded runs of schema 1", () => {
  it.each(readdirSync(FIXTURES))("%s renders, and the report names the fields it lacks", async (name) => {
    const input = await loadRun(join(FIXTURES, name));
    expect(input.schemaVersion).toBe(1);
    const run = buildReportModel([input], NOW).runs[0]!;
    const line = run.notes.find((n) => n.startsWith("recorded before schema 2: no "));
    expect(line).toBeDefined();
    expect(renderReport(buildReportModel([input], NOW))).toContain(line!.split(";")[0]);
  });
});

describe("a run of schema 2", () => {
  it("reads in full, with no note about the schema", async () => {
    const input = await loadRun(V2_RUN);
    expect(input.schemaVersion).toBe(2);
    expect(input.lacks).toEqual([]);
    const run = buildReportModel([input], NOW).runs[0]!;
    expect(run.notes.filter((n) => n.includes("schema"))).toEqual([]);
  });

  it("is refused, naming the field, when a field is planted in it", () => {
    const dir = join(scratch, "planted");
    cpSync(V2_RUN, dir, { recursive: true });
    const record = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    record.results.requests.totl = record.results.requests.total;
    writeFileSync(join(dir, "run.json"), JSON.stringify(record));
    expect(() => readRunRecord(dir)).toThrow(InputError);
    expect(() => readRunRecord(dir)).toThrow(
      /run\.json: not a run record of schema 2: results\.requests: Unrecognized key: "totl"/,
    );
  });
});
