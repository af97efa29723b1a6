import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../orchestrator/src/errors.ts";
import { writeReport } from "../src/write-report.ts";

const FIXTURE = fileURLToPath(new URL("fixtures/tiny-sticky", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "fh-write-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("writeReport", () => {
  it("writes the report and returns its absolute path", async () => {
    const out = join(scratch, "ok", "nested", "report.html");
    const path = await writeReport([FIXTURE], out);
    expect(path).toBe(out);
    const html = readFileSync(path, "utf8");
    expect(html).toContain('id="verdict"');
    expect(readdirSync(join(scratch, "ok", "nested"))).toEqual(["report.html"]);
  });

  const bad: [string, (dir: string) => void, RegExp][] = [
    ["a missing folder", () => {}, /no such run folder/],
    ["a folder without run.json", (dir) => mkdirSync(dir), /run\.json: missing/],
    [
      "unreadable JSON",
      (dir) => {
        mkdirSync(dir);
        writeFileSync(join(dir, "run.json"), '{"runId": "x", ');
      },
      /run\.json: unreadable/,
    ],
    [
      "JSON that is not a run record",
      (dir) => {
        mkdirSync(dir);
        writeFileSync(join(dir, "run.json"), '{"runId": 3}');
      },
      /run\.json: not a run record: runId/,
    ],
  ];
  for (const [name, make, message] of bad) {
    it(`rejects ${name}, naming the path, and leaves no file behind`, async () => {
      const dir = join(scratch, name.replace(/\W+/g, "-"));
      make(dir);
      const outDir = join(scratch, `out-${name.replace(/\W+/g, "-")}`);
      mkdirSync(outDir);
      const error = await writeReport([FIXTURE, dir], join(outDir, "report.html")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(dir);
      expect(readdirSync(outDir)).toEqual([]);
    });
  }

  it("replaces an existing report only once the new one is complete", async () => {
    const dir = join(scratch, "copy");
    cpSync(FIXTURE, dir, { recursive: true });
    const out = join(dir, "report.html");
    writeFileSync(out, "old");
    await expect(writeReport([dir, join(scratch, "nope")], out)).rejects.toThrow(/no such run folder/);
    expect(readFileSync(out, "utf8")).toBe("old");
    await writeReport([dir], out);
    expect(readFileSync(out, "utf8")).toContain("<!doctype html>");
    expect(existsSync(`${out}.${process.pid}.tmp`)).toBe(false);
  });
});
