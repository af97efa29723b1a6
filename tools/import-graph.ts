// The import-graph check (issue 15): every relative import of the TypeScript sources, type-only
// ones included, as a graph; fails on any import cycle and on imports a rule forbids (the plan is
// a leaf: nothing in orchestrator/src/plan/ imports faults/ or platforms/).
// `node --import tsx tools/import-graph.ts` prints the figures; `npm test` runs it as a unit test.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** No file under `from` may import a file under `to` (folders relative to the root, with a trailing "/"). */
export interface ImportRule {
  from: string;
  to: string;
  why: string;
  /** Folders under `from` the rule leaves out (e.g. tests that drive the real balancer's configuration). */
  except?: string[];
}

export interface ForbiddenImport {
  file: string;
  imports: string;
  rule: ImportRule;
}

export interface ImportGraphReport {
  files: number;
  imports: number;
  /** Each strongly connected group of more than one file (or a file importing itself), with one cycle through it. */
  cycles: { files: string[]; path: string[] }[];
  filesInCycles: number;
  forbidden: ForbiddenImport[];
}

/** The project's sources and rules. */
export const projectSources = ["orchestrator/src", "reports/src", "target-app/src", "scenarios", "load", "tools"];
export const projectRules: ImportRule[] = [
  { from: "orchestrator/src/plan/", to: "orchestrator/src/faults/", why: "the plan is a leaf" },
  { from: "orchestrator/src/plan/", to: "orchestrator/src/platforms/", why: "the plan is a leaf" },
  { from: "orchestrator/src/plan/", to: "orchestrator/src/strategies/", why: "the plan is a leaf" },
  // Issue 21: a store server is described once for every platform, and a new platform touches no store kind.
  {
    from: "orchestrator/src/store-servers/",
    to: "orchestrator/src/strategies/",
    why: "a store server names no store kind",
  },
  // Issue 20: the load engine and its scenarios run without the orchestrator (their own process, their own contract).
  {
    from: "load/",
    to: "orchestrator/",
    why: "the load engine runs on its own (load/api.ts is its contract)",
    except: ["load/test/"],
  },
  { from: "scenarios/", to: "orchestrator/", why: "a scenario needs only the engine's scenario API" },
  ...["local", "compose", "ec2"].flatMap((platform) =>
    ["store-servers", "strategies"].map((room) => ({
      from: `orchestrator/src/${room}/`,
      to: `orchestrator/src/platforms/${platform}/`,
      why: "store servers and store kinds name no platform",
    })),
  ),
];

const sourceFile = /\.(ts|mts|mjs|js)$/;

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (sourceFile.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** A relative specifier resolved to a file, as NodeNext resolution with explicit extensions finds it. */
function resolveImport(fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** file -> the files it imports; paths relative to `root`, only files under `sources`. */
export function importGraph(root: string, sources: readonly string[]): Map<string, string[]> {
  const files = sources.flatMap((s) => listFiles(resolve(root, s)));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = info.importedFiles
      .map((f) => resolveImport(file, f.fileName))
      .filter((t): t is string => t !== null && known.has(t));
    graph.set(relative(root, file), [...new Set(targets.map((t) => relative(root, t)))].sort());
  }
  return graph;
}

/** Tarjan's strongly connected components, keeping those that hold a cycle. */
function cyclicGroups(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) groups.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return groups;
}

/** One cycle through a group: the shortest way from its first file back to itself. */
function cycleThrough(graph: ReadonlyMap<string, readonly string[]>, group: readonly string[]): string[] {
  const inGroup = new Set(group);
  const start = group[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inGroup.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at = v; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

export function checkImportGraph(root: string, sources: readonly string[], rules: readonly ImportRule[]) {
  const graph = importGraph(root, sources);
  const groups = cyclicGroups(graph);
  const forbidden: ForbiddenImport[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const rule = rules.find(
        (r) => file.startsWith(r.from) && target.startsWith(r.to) && !r.except?.some((e) => file.startsWith(e)),
      );
      if (rule) forbidden.push({ file, imports: target, rule });
    }
  }
  return {
    files: graph.size,
    imports: [...graph.values()].reduce((n, t) => n + t.length, 0),
    cycles: groups.map((files) => ({ files, path: cycleThrough(graph, files) })),
    filesInCycles: groups.reduce((n, g) => n + g.length, 0),
    forbidden,
  } satisfies ImportGraphReport;
}

export function formatImportGraph(report: ImportGraphReport): string {
  const lines = [
    `import graph: ${report.files} files, ${report.imports} imports; ${report.filesInCycles} files in ${report.cycles.length} import cycles; ${report.forbidden.length} forbidden imports`,
  ];
  for (const cycle of report.cycles) {
    lines.push(`  cycle of ${cycle.files.length} files, e.g. ${cycle.path.join(" -> ")}`);
    lines.push(...cycle.files.map((f) => `    ${f}`));
  }
  for (const f of report.forbidden) lines.push(`  forbidden (${f.rule.why}): ${f.file} imports ${f.imports}`);
  return lines.join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), "../..");
  const report = checkImportGraph(root, projectSources, projectRules);
  console.log(formatImportGraph(report));
  process.exitCode = report.cycles.length > 0 || report.forbidden.length > 0 ? 1 : 0;
}
