// The doc tests' pure part: what README.md and docs/*.md claim (flags, run.json field paths, links, repository paths,
// runnable commands, measured figures), read from the markdown, and the option tables those claims are checked against.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface Doc {
  /** Relative to the repository, e.g. "docs/guide.md". */
  file: string;
  text: string;
}

/** A claim a doc makes, with where: "docs/guide.md:12". */
export interface Claim {
  value: string;
  where: string;
}

/** README.md and every docs/*.md. */
export function readDocs(root = REPO): Doc[] {
  const files = [
    "README.md",
    ...readdirSync(join(root, "docs"))
      .filter((f) => f.endsWith(".md"))
      .sort()
      .map((f) => `docs/${f}`),
  ];
  return files.map((file) => ({ file, text: readFileSync(join(root, file), "utf8") }));
}

const lineOf = (text: string, index: number) => text.slice(0, index).split("\n").length;

/** Every inline code span and fenced block's text, with its line: where the docs name flags, fields and paths. */
export function codeSpans(doc: Doc): Claim[] {
  const spans: Claim[] = [];
  const outside: Array<[number, number]> = [];
  let last = 0;
  for (const m of doc.text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)) {
    spans.push({ value: m[1]!, where: `${doc.file}:${lineOf(doc.text, m.index) + 1}` });
    outside.push([last, m.index]);
    last = m.index + m[0].length;
  }
  outside.push([last, doc.text.length]);
  for (const [from, to] of outside) {
    const part = doc.text.slice(from, to);
    for (const m of part.matchAll(/(`+)([^`]+?)\1/g)) {
      spans.push({ value: m[2]!, where: `${doc.file}:${lineOf(doc.text, from + m.index)}` });
    }
  }
  return spans;
}

/** Every `--flag` the docs write in code (inline or fenced), e.g. "--strategies". */
export function flagsIn(doc: Doc): Claim[] {
  return codeSpans(doc).flatMap((span) =>
    [...span.value.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => ({ value: `--${m[1]}`, where: span.where })),
  );
}

/**
 * Flags of other programs that the docs quote (the aws CLI, docker, redis-server, node, ...): allowed in the docs
 * without being the harness's options. Each must still appear in the docs (a stale entry fails).
 */
export const FOREIGN_FLAGS: Record<string, string> = {
  "--import": "node",
  "--region": "aws CLI (also the ec2 platform's own --region)",
  "--stack-name": "aws CLI",
  "--template-file": "aws CLI",
  "--capabilities": "aws CLI",
  "--parameter-overrides": "aws CLI",
  "--query": "aws CLI",
  "--output": "aws CLI",
  "--auto-scaling-group-name": "aws CLI",
  "--scaling-processes": "aws CLI",
  "--rm": "docker compose run",
  "--build": "docker compose up",
  "--wait": "docker compose up",
  "--no-deps": "docker compose up",
  "--profile": "docker compose",
  "--remove-orphans": "docker compose down",
  "--variant": "debootstrap",
  "--bind": "redis-server",
  "--save": "redis-server",
  "--shutdown-on-sigterm": "redis-server",
  "--path": "dynalite",
  "--host": "dynalite",
};

/** The options of every command the docs may name, read from where each command declares them. */
export interface OptionTables {
  /** flag -> the files that declare it. */
  flags: Map<string, string[]>;
}

/** Command files and how each declares its options (parseArgs option objects, or literal flag lists). */
export const COMMAND_FILES = [
  "orchestrator/src/cli/options.ts",
  "orchestrator/src/cli/chaos.ts",
  "orchestrator/src/cli/scenario.ts",
  "orchestrator/src/cli/store.ts",
  "orchestrator/src/platforms/ec2/index.ts",
  "orchestrator/src/platforms/compose/index.ts",
  "orchestrator/src/platforms/local/index.ts",
  "reports/src/cli.ts",
  "reports/bench/fleet-bench.ts",
  "reports/bench/bench.ts",
  "load/main.ts",
  "tools/setup.mjs",
];

/** The option names a command file declares: keys of `{ type: "string" | "boolean" }` entries and quoted "--x" checks. */
export function declaredFlags(source: string): string[] {
  const fromObjects = [...source.matchAll(/["']?([a-z][a-z0-9-]*)["']?\s*:\s*\{\s*type:\s*"(?:string|boolean)"/g)].map(
    (m) => `--${m[1]}`,
  );
  const fromChecks = [
    ...source.matchAll(/(?:includes\(|===\s*|has\()"(--[a-z][a-z0-9-]*)"/g),
    ...[...source.matchAll(/\[((?:\s*"--[a-z][a-z0-9-]*",?)+)\s*\]\.includes/g)].flatMap((m) =>
      [...m[1]!.matchAll(/"(--[a-z][a-z0-9-]*)"/g)].map((f) => [f[0], f[1]] as RegExpMatchArray),
    ),
  ].map((m) => m[1]!);
  return [...new Set([...fromObjects, ...fromChecks])];
}

export function optionTables(root = REPO, files = COMMAND_FILES): OptionTables {
  const flags = new Map<string, string[]>();
  for (const file of files) {
    for (const flag of declaredFlags(readFileSync(join(root, file), "utf8"))) {
      flags.set(flag, [...(flags.get(flag) ?? []), file]);
    }
  }
  return { flags };
}

/** run.json's top-level fields: a code span starting with one of these and a dot names a field path. */
export const RUN_JSON_ROOTS = [
  "runId",
  "status",
  "error",
  "errorKind",
  "startedAt",
  "endedAt",
  "instances",
  "balancer",
  "plan",
  "versions",
  "machine",
  "load",
  "files",
  "events",
  "processes",
  "results",
];

/** Every run.json field path the docs write in code, e.g. "results.sessions.lost", "events[].detail.probesMs". */
export function fieldPathsIn(doc: Doc): Claim[] {
  const roots = RUN_JSON_ROOTS.join("|");
  const path = new RegExp(`^(?:${roots})(?:\\[\\])?(?:\\.[A-Za-z0-9_-]+(?:\\[\\])?)+$`);
  return codeSpans(doc)
    .filter((span) => !span.value.includes("\n"))
    .map((span) => ({ ...span, value: span.value.trim().replace(/:.*$/, "") }))
    .filter((span) => path.test(span.value) && !/\.(ts|mjs|cjs|js|json|md|yaml|yml|gz|tsv|html|cfg)$/.test(span.value));
}

/** Every relative link `[text](target)` or `<img src>` (no scheme), resolved against the doc's folder, with its #anchor if any. */
export function linksIn(doc: Doc): Claim[] {
  const links: Claim[] = [];
  for (const m of doc.text.matchAll(/\]\(([^)\s]+)\)|<img src="([^"]+)"/g)) {
    const target = (m[1] ?? m[2])!;
    if (/^[a-z]+:/i.test(target)) continue;
    links.push({ value: target, where: `${doc.file}:${lineOf(doc.text, m.index)}` });
  }
  return links;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Why a link does not resolve, or null when it does. */
export function brokenLink(doc: Doc, target: string, root = REPO): string | null {
  const [path = "", anchor] = target.split("#");
  const file = path === "" ? join(root, doc.file) : resolve(root, dirname(doc.file), path);
  if (!existsSync(file)) return `no such file ${relative(root, file)}`;
  if (anchor === undefined) return null;
  const headings = [...readFileSync(file, "utf8").matchAll(/^#+ (.+)$/gm)].map((h) => headingSlug(h[1]!));
  return headings.includes(anchor) ? null : `no heading #${anchor} in ${relative(root, file)}`;
}

/** Where a path the docs name may live: the repository's root, and the roots a doc's short paths are relative to. */
export const PATH_BASES = ["", "orchestrator/src/", "orchestrator/", "target-app/src/", "target-app/"];

/** First segments that make a code span a claim about a repository path. */
export function pathRoots(root = REPO): Set<string> {
  const roots = new Set<string>();
  const dirs = (dir: string) =>
    readdirSync(join(root, dir)).filter((d) => d !== "node_modules" && statSync(join(root, dir, d)).isDirectory());
  for (const d of dirs("")) roots.add(d);
  for (const base of ["orchestrator/src", "target-app/src"]) for (const d of dirs(base)) roots.add(d);
  for (const d of ["out", "reports/out"]) roots.delete(d);
  return roots;
}

/** Every repository path the docs write in code: a span without spaces or placeholders whose first segment is a folder. */
export function repoPathsIn(doc: Doc, roots: ReadonlySet<string>): Claim[] {
  return codeSpans(doc)
    .filter((span) => /^[A-Za-z0-9._/-]+$/.test(span.value) && span.value.includes("/"))
    .filter((span) => !span.value.startsWith("reports/out") && !/(^|[/-])(N|NAME)([/.-]|$)/.test(span.value))
    .filter((span) => roots.has(span.value.split("/")[0]!))
    .map((span) => ({ ...span, value: span.value.replace(/^\.\//, "") }));
}

export function repoPathExists(path: string, root = REPO): boolean {
  return PATH_BASES.some((base) => existsSync(join(root, base, path)));
}

/** The commands of every fenced block marked runnable (```sh runnable), comments and continuations resolved. */
export function runnableCommands(doc: Doc): Claim[] {
  const commands: Claim[] = [];
  for (const m of doc.text.matchAll(/^```sh runnable\n([\s\S]*?)^```/gm)) {
    const first = lineOf(doc.text, m.index) + 1;
    const joined = m[1]!.replace(/\\\n\s*/g, " ");
    joined.split("\n").forEach((line, i) => {
      const command = line.replace(/\s+#.*$/, "").trim();
      if (command !== "" && !command.startsWith("#"))
        commands.push({ value: command, where: `${doc.file}:${first + i}` });
    });
  }
  return commands;
}

/** A figure with its unit: a time, a rate, a size or a share. */
const FIGURE = /\b\d[\d,.]*\s?(ms|s|MB|kB|bytes|req\/s|requests\/s|records\/s|iterations\/s|%|minutes)(?![\w/])/;

/** Paragraphs that give a measured figure: each must carry a date (YYYY-MM-DD) and the command or test that measured it. */
export function undatedMeasurements(doc: Doc): Claim[] {
  const out: Claim[] = [];
  let offset = 0;
  for (const paragraph of doc.text.split(/\n\s*\n/)) {
    const at = doc.text.indexOf(paragraph, offset);
    offset = at + paragraph.length;
    if (!/\bmeasured\b/i.test(paragraph) || !FIGURE.test(paragraph)) continue;
    const dated = /\b20\d\d-\d\d-\d\d\b/.test(paragraph);
    const command = /`((?:[A-Z_]+=\S+ )*(?:npm run [^`]+|npm test|node [^`]+|npx [^`]+)|[\w./-]+\.test\.ts)`/.test(
      paragraph,
    );
    if (!dated || !command) {
      const missing = [dated ? "" : "a date", command ? "" : "the command"].filter(Boolean).join(" and ");
      out.push({ value: `"measured" without ${missing}`, where: `${doc.file}:${lineOf(doc.text, at)}` });
    }
  }
  return out;
}
