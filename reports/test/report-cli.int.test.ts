// `npm run report` as a process: exit codes, messages naming the path, the default output file.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURE = fileURLToPath(new URL("fixtures/tiny-sticky", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "fh-report-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function report(...args: string[]) {
  return spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "reports/src/cli.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("npm run report", () => {
  it("writes <run-dir>/report.html for one run", () => {
    const dir = join(scratch, "one");
    cpSync(FIXTURE, dir, { recursive: true });
    const result = report(dir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(join(dir, "report.html"));
    expect(existsSync(join(dir, "report.html"))).toBe(true);
  });

  it("re-checks run.json's results against the records only with --recheck", () => {
    const dir = join(scratch, "recheck");
    cpSync(FIXTURE, dir, { recursive: true });
    expect(report(dir).status).toBe(0);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain('data-recheck="not-asked"');
    const result = report(dir, "--recheck");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toMatch(
      /data-recheck="match"[^>]*>results re-checked from records\.tsv\.gz: match/,
    );
    // A changed figure in run.json is named, and the report still shows run.json's.
    const record = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    record.results.requests.total += 1;
    writeFileSync(join(dir, "run.json"), JSON.stringify(record));
    expect(report(dir, "--recheck").status).toBe(0);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain('data-recheck="differ"');
    expect(html).toContain("requests.total: run.json 19, records 18");
    expect(report(dir, "--help").stdout).toMatch(/--recheck +also work the results out again/);
  });

  it("exits 2 naming the path when a run folder is missing, and writes nothing", () => {
    const out = join(scratch, "out", "r.html");
    const missing = join(scratch, "no-such-run");
    const result = report(FIXTURE, missing, "--out", out);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${missing}: no such run folder`);
    expect(existsSync(join(scratch, "out")) ? readdirSync(join(scratch, "out")) : []).toEqual([]);
  });

  it("exits 2 on an unknown option or no run folder", () => {
    expect(report("--bogus").status).toBe(2);
    const none = report();
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("no run folder given");
  });
});
