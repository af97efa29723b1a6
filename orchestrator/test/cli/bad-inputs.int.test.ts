// Bad --out, --run-id and plan targets, as a user types them: exit 2, a message naming the option, the value and
// what was expected, and nothing written.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killCliChildren, repoRoot, runCli } from "../helpers/run-cli.ts";

const root = mkdtempSync(join(tmpdir(), "fh-bad-inputs-"));
const base = ["--strategy", "sticky", "--seed", "1"];

/** Every file and folder under `dir`, as relative paths, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

afterAll(() => {
  killCliChildren();
  rmSync(root, { recursive: true, force: true });
});

describe("--out", () => {
  it("refuses / (scenario and chaos)", async () => {
    const scenario = await runCli("scenario", [...base, "--out", "/", "--dry-run"]);
    expect(scenario.code).toBe(2);
    expect(scenario.output).toContain(`--out "/": the filesystem's root: expected a folder for the run`);
    const chaos = await runCli("chaos", ["--seed", "1", "--out", "/", "--dry-run"]);
    expect(chaos.code).toBe(2);
    expect(chaos.output).toContain(`--out "/": the filesystem's root`);
  });

  it("refuses an existing file, and leaves it as it was", async () => {
    const file = join(root, "a-file");
    writeFileSync(file, "mine\n");
    const { code, output } = await runCli("scenario", [...base, "--out", file]);
    expect(code).toBe(2);
    expect(output).toContain(`--out ${JSON.stringify(file)}: ${file} is a file: expected a folder for the run`);
    expect(readFileSync(file, "utf8")).toBe("mine\n");
  });

  it("refuses a folder of other things without --force, writes nothing; with --force it is used", async () => {
    const dir = join(root, "mine");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "keep\n");
    const refused = await runCli("scenario", [...base, "--out", dir]);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain(`--out ${JSON.stringify(dir)}: ${dir} holds other files (notes.txt)`);
    expect(refused.output).toContain("add --force");
    expect(tree(dir)).toEqual(["notes.txt"]);
    const forced = await runCli("scenario", [...base, "--out", dir, "--force", "--dry-run"]);
    expect(forced.code, forced.output).toBe(0);
    expect(forced.output).toContain(`[plan] run folder: ${dir}`);
  });

  it("accepts an earlier run's folder and prints the resolved path", async () => {
    const dir = join(root, "earlier");
    mkdirSync(join(dir, "logs"), { recursive: true });
    writeFileSync(join(dir, "run.json"), "{}\n");
    const typed = relative(repoRoot, dir); // as typed from the repository: printed resolved
    const { code, output } = await runCli("scenario", [...base, "--out", typed, "--dry-run"]);
    expect(code, output).toBe(0);
    expect(output).toContain(`[plan] run folder: ${dir}`);
  });
});

describe("--run-id", () => {
  for (const id of [".", "..", "a..b", "-x", "_x", ".hidden"]) {
    it(`refuses ${JSON.stringify(id)}`, async () => {
      const out = join(root, `id-${id.replace(/\W/g, "_")}`);
      const { code, output } = await runCli("scenario", [...base, `--run-id=${id}`, "--out", out]);
      expect(code).toBe(2);
      expect(output).toContain(
        `--run-id ${JSON.stringify(id)}: expected 1-100 letters, digits, "_", "." or "-", starting with a letter or digit, without ".."`,
      );
      expect(readdirSync(root)).not.toContain(out.slice(root.length + 1));
    });
  }
});

describe("plan targets", () => {
  it('refuses "app-01" before anything starts', async () => {
    const planFile = join(root, "zero.json");
    writeFileSync(planFile, JSON.stringify({ faults: [{ at: "10s", action: "crash", target: "app-01" }] }));
    const out = join(root, "zero-run");
    const { code, output } = await runCli("scenario", [...base, "--plan", planFile, "--out", out]);
    expect(code).toBe(2);
    expect(output).toMatch(/faults\[0\]\.target: no such instance: expected one of app-1\.\.app-3 \(got "app-01"\)/);
    expect(readdirSync(root)).not.toContain("zero-run");
  });
});
