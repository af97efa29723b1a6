// The import-graph check finds a planted cycle and a forbidden import in fixture trees, and the
// project itself has neither (the plan is a leaf; no import circle anywhere).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkImportGraph, formatImportGraph, type ImportRule, projectRules, projectSources } from "../import-graph.ts";

/** A fixture tree: path -> source text. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "fh-import-graph-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const leafRule: ImportRule[] = [{ from: "src/plan/", to: "src/faults/", why: "the plan is a leaf" }];

describe("import-graph check on fixtures", () => {
  it("finds a cycle through a type-only import, with one path round it", () => {
    const root = tree({
      "src/a.ts": 'import { b } from "./b.ts";\nexport const a = b;\n',
      "src/b.ts": 'import type { C } from "./c/index.ts";\nexport const b = 1 as unknown as C;\n',
      "src/c/index.ts": 'export type C = number;\nexport { a } from "../a.ts";\n',
      "src/d.ts": 'import { a } from "./a.ts";\nexport const d = a;\n',
    });
    const report = checkImportGraph(root, ["src"], []);
    expect(report.files).toBe(4);
    expect(report.filesInCycles).toBe(3);
    expect(report.cycles).toHaveLength(1);
    expect(report.cycles[0]?.files).toEqual(["src/a.ts", "src/b.ts", "src/c/index.ts"]);
    expect(report.cycles[0]?.path).toEqual(["src/a.ts", "src/b.ts", "src/c/index.ts", "src/a.ts"]);
  });

  it("finds an import a rule forbids, and none in a tree without one", () => {
    const bad = tree({
      "src/plan/plan.ts": 'import { crash } from "../faults/crash.ts";\nexport const plan = crash;\n',
      "src/faults/crash.ts": 'import { names } from "../plan/names.ts";\nexport const crash = names;\n',
      "src/plan/names.ts": 'export const names = ["crash"];\n',
    });
    const report = checkImportGraph(bad, ["src"], leafRule);
    expect(report.cycles).toEqual([]);
    expect(report.forbidden.map((f) => [f.file, f.imports])).toEqual([["src/plan/plan.ts", "src/faults/crash.ts"]]);

    const good = tree({
      "src/faults/crash.ts": 'import { names } from "../plan/names.ts";\nexport const crash = names;\n',
      "src/plan/names.ts": 'import { join } from "node:path";\nexport const names = [join("a")];\n',
    });
    expect(checkImportGraph(good, ["src"], leafRule)).toMatchObject({ cycles: [], forbidden: [], imports: 1 });
  });

  it("leaves out the folders a rule excepts, and only those", () => {
    const root = tree({
      "src/plan/test/plan.test.ts": 'import { crash } from "../../faults/crash.ts";\nexport const t = crash;\n',
      "src/plan/plan.ts": 'import { crash } from "../faults/crash.ts";\nexport const plan = crash;\n',
      "src/faults/crash.ts": "export const crash = 1;\n",
    });
    const rules = [{ ...leafRule[0], except: ["src/plan/test/"] }] as ImportRule[];
    const report = checkImportGraph(root, ["src"], rules);
    expect(report.forbidden.map((f) => f.file)).toEqual(["src/plan/plan.ts"]);
  });
});

describe("the project's import graph", () => {
  it("has no import cycle, and plan/ imports nothing from faults/, platforms/ or strategies/", () => {
    const root = resolve(fileURLToPath(import.meta.url), "../../..");
    const report = checkImportGraph(root, projectSources, projectRules);
    expect(report.files).toBeGreaterThan(100);
    expect(report.cycles, formatImportGraph(report)).toEqual([]);
    expect(report.forbidden, formatImportGraph(report)).toEqual([]);
  });
});
