// `npm run report` as a process: exit codes, messages naming the path, the default output file.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
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
