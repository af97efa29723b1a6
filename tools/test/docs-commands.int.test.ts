// Docs that cannot drift, the part that runs commands: every command of a ```sh runnable block in README.md and
// docs/ in its --dry-run form (nothing started, nothing written), and every option each command's --help prints
// named in the docs. Cheap: dry runs and --help only, no load.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO, readDocs, runnableCommands } from "../docs/doc-check.ts";

const docs = readDocs();
const docText = docs.map((d) => d.text).join("\n");
const scripts = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts;

/**
 * `npm run NAME -- ARGS` as the script's own command line (no pre-script: it would install tools), plus --dry-run
 * and a scratch --out when the command gives none, so that nothing is written into the repository.
 */
function dryRunForm(command: string, out: string): string {
  const m = /^npm run (chaos|scenario)(?: -- (.*))?$/.exec(command);
  if (!m) throw new Error(`${command}: no dry-run form (only npm run chaos and npm run scenario have one)`);
  const args = m[2] ?? "";
  const extra = [
    /(^| )--dry-run( |$)/.test(args) ? "" : "--dry-run",
    /(^| )--out( |$)/.test(args) ? "" : `--out ${out}`,
  ];
  return [scripts[m[1]!], args, ...extra].filter((s) => s !== "").join(" ");
}

/** Runs a command line in the repository (asynchronously: the test worker keeps answering); never throws. */
async function run(line: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)("sh", ["-c", line], {
      cwd: REPO,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    return { status: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
    return {
      status: typeof e.code === "number" ? e.code : null,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? e.message,
    };
  }
}

describe("runnable commands in the docs", () => {
  // The same command in two docs is run once.
  const commands = docs
    .flatMap(runnableCommands)
    .filter((c, i, all) => all.findIndex((o) => o.value === c.value) === i);
  const scratch = mkdtempSync(join(tmpdir(), "fh-docs-commands-"));

  it("finds the marked blocks", () => {
    expect(commands.length).toBeGreaterThan(5);
  });

  it.each(commands.map((c, i) => [c.where, c.value, i] as const))("%s: %s (dry run)", async (_where, command, i) => {
    const out = join(scratch, `run-${i}`);
    const result = await run(dryRunForm(command, out));
    expect(result.status, `${command}\n${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/dry run: .*nothing was started/);
    expect(readdirSync(scratch)).not.toContain(`run-${i}`);
  });
});

describe("every option --help prints is in the docs", () => {
  const commands: Array<[string, string]> = [
    ["npm run chaos", `${scripts.chaos} --help`],
    ["npm run scenario", `${scripts.scenario} --help`],
    ["npm run report", `${scripts.report} --help`],
    ["npm run store", `${scripts.store} --help`],
  ];

  it.each(commands)("%s --help", async (_name, line) => {
    const result = await run(line);
    expect(result.status, result.stderr).toBe(0);
    const flags = [...new Set([...result.stdout.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => `--${m[1]}`))];
    expect(flags.length).toBeGreaterThan(1);
    const missing = flags.filter((flag) => !new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(docText));
    expect(missing).toEqual([]);
  });
});
