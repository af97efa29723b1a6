// Docs that cannot drift: README.md and docs/*.md against the option tables, run.json's fields, the files they link
// and name, and the rule that a measured figure carries its date and command. No processes (the runnable commands
// are run by docs-commands.int.test.ts).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sharedOptions } from "../../orchestrator/src/cli/options.ts";
import {
  brokenLink,
  type Claim,
  type Doc,
  FOREIGN_FLAGS,
  fieldPathsIn,
  flagsIn,
  linksIn,
  optionTables,
  pathRoots,
  REPO,
  readDocs,
  repoPathExists,
  repoPathsIn,
  runnableCommands,
  undatedMeasurements,
} from "../docs/doc-check.ts";
import { isRunJsonPath, runJsonFieldPaths } from "../docs/run-json-paths.ts";

const docs: Doc[] = readDocs();
const all = (f: (doc: Doc) => Claim[]) => docs.flatMap(f);
const shown = (claims: Claim[]) => claims.map((c) => `${c.where}: ${c.value}`);
const docText = docs.map((d) => d.text).join("\n");
const mentions = (flag: string) => new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(docText);

describe("flags", () => {
  const tables = optionTables();

  it("reads the option tables of the commands (a table that moved would leave them empty)", () => {
    for (const flag of [
      "--strategies",
      "--strategy",
      "--run-id",
      "--no-rate-check",
      "--recheck",
      "--doctor",
      "--port",
    ]) {
      expect(tables.flags.has(flag), flag).toBe(true);
    }
    for (const key of Object.keys(sharedOptions)) expect(tables.flags.has(`--${key}`), `--${key}`).toBe(true);
  });

  it("every --flag the docs mention is an option of a command, or a named other program's", () => {
    const unknown = all(flagsIn).filter((c) => !tables.flags.has(c.value) && !(c.value in FOREIGN_FLAGS));
    expect(shown(unknown), "flags in the docs that no command declares").toEqual([]);
  });

  it("every option of npm run chaos and npm run scenario (the shared table and each platform's) is in the docs", () => {
    const commandFiles = ["options.ts", "chaos.ts", "scenario.ts", "platforms/"];
    const options = [...tables.flags].filter(([, files]) => files.some((f) => commandFiles.some((c) => f.includes(c))));
    expect(options.length).toBeGreaterThan(25);
    expect(options.map(([flag]) => flag).filter((flag) => !mentions(flag))).toEqual([]);
  });

  it("every other program's flag on the allow-list is still quoted somewhere (no stale entry)", () => {
    expect(Object.keys(FOREIGN_FLAGS).filter((flag) => !mentions(flag))).toEqual([]);
  });
});

describe("run.json field paths", () => {
  const known = runJsonFieldPaths();

  it("reads RunRecord's fields (results, events, plan)", () => {
    for (const path of ["results.sessions.lost", "events[].type", "plan.strategy", "versions.*"]) {
      expect(known.has(path), path).toBe(true);
    }
  });

  it("every field path the docs name exists", () => {
    const claims = all(fieldPathsIn);
    expect(claims.length).toBeGreaterThan(40);
    expect(shown(claims.filter((c) => !isRunJsonPath(c.value, known)))).toEqual([]);
  });

  it("the run-record doc names every top-level field and every field of results", () => {
    const runRecord = docs.find((d) => d.file === "docs/run-record.md")!;
    const named = new Set(fieldPathsIn(runRecord).map((c) => c.value));
    const spans = runRecord.text;
    const expected = [...known].filter((p) => !p.includes(".") || /^results\.[^.]+$/.test(p));
    const missing = expected.filter((p) => !named.has(p) && !spans.includes(`\`${p}\``) && !spans.includes(`${p}.`));
    expect(missing).toEqual([]);
  });
});

describe("links and paths", () => {
  it("every relative link resolves, anchors included", () => {
    const links = docs.flatMap((doc) => linksIn(doc).map((c) => ({ ...c, broken: brokenLink(doc, c.value) })));
    expect(links.length).toBeGreaterThan(20);
    expect(links.filter((l) => l.broken !== null).map((l) => `${l.where}: ${l.value} (${l.broken})`)).toEqual([]);
  });

  it("every repository path the docs name exists", () => {
    const roots = pathRoots();
    const claims = all((doc) => repoPathsIn(doc, roots));
    expect(claims.length).toBeGreaterThan(60);
    expect(shown(claims.filter((c) => !repoPathExists(c.value)))).toEqual([]);
  });

  it("the README links every doc and stays a front door (at most about 250 lines)", () => {
    const readme = docs.find((d) => d.file === "README.md")!;
    const files = readdirSync(join(REPO, "docs")).filter((f) => f.endsWith(".md"));
    expect(files.filter((f) => !readme.text.includes(`](docs/${f}`))).toEqual([]);
    expect(readme.text.split("\n").length).toBeLessThanOrEqual(250);
  });

  it("every doc opens with a title and what it is for", () => {
    const openings = docs.filter((d) => d.file !== "README.md").map((d) => [d.file, d.text.split("\n\n")[1] ?? ""]);
    expect(openings.filter(([, first]) => !/^This is (for|the reference)/.test(first!)).map(([f]) => f)).toEqual([]);
  });

  it("no doc cites the design document outside the repository (it is docs/design.md)", () => {
    expect(docs.filter((d) => /\bDESIGN\.md\b/.test(d.text)).map((d) => d.file)).toEqual([]);
  });
});

describe("commands and figures", () => {
  it("every runnable command has a dry-run form (npm run chaos or npm run scenario)", () => {
    const commands = all(runnableCommands);
    expect(commands.length).toBeGreaterThan(5);
    expect(shown(commands.filter((c) => !/^npm run (chaos|scenario)( --( |$)|$)/.test(c.value)))).toEqual([]);
  });

  it("every paragraph that says it measured something carries the date and the command", () => {
    expect(shown(all(undatedMeasurements))).toEqual([]);
  });
});
