// run.json's field paths as the code declares them (RunRecord in orchestrator/src/run/run-record.ts), for the doc tests.
// The one place the docs' field paths are checked against: swap runJsonFieldPaths() for a walk of the zod schema when
// run.json gets one.
import { fileURLToPath } from "node:url";
import ts from "typescript";

const RUN_RECORD = fileURLToPath(new URL("../../orchestrator/src/run/run-record.ts", import.meta.url));

/**
 * Every field path of RunRecord: "results.sessions.lost"; an array's items as "[]" ("events[].detail"), a record's
 * keys as "*" ("versions.*"). Unions contribute the fields of each member (events: every event type's fields).
 */
export function runJsonFieldPaths(): Set<string> {
  const program = ts.createProgram([RUN_RECORD], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(RUN_RECORD);
  if (!source) throw new Error(`cannot read ${RUN_RECORD}`);
  const symbol = checker.getSymbolAtLocation(source)?.exports?.get(ts.escapeLeadingUnderscores("RunRecord"));
  if (!symbol) throw new Error(`${RUN_RECORD} exports no RunRecord`);
  const paths = new Set<string>();
  const walk = (type: ts.Type, prefix: string, depth: number, seen: Set<ts.Type>) => {
    if (depth > 8 || seen.has(type)) return;
    const inner = new Set(seen).add(type);
    if (type.isUnion() || type.isIntersection()) {
      for (const t of type.types) walk(t, prefix, depth, inner);
      return;
    }
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      const item = checker.getTypeArguments(type as ts.TypeReference)[0];
      if (item) walk(item, `${prefix}[]`, depth + 1, inner);
      return;
    }
    if (!(type.flags & ts.TypeFlags.Object)) return;
    const index = checker.getIndexInfosOfType(type)[0];
    if (index) {
      paths.add(`${prefix}.*`);
      walk(index.type, `${prefix}.*`, depth + 1, inner);
    }
    for (const prop of checker.getPropertiesOfType(type)) {
      const path = prefix === "" ? prop.name : `${prefix}.${prop.name}`;
      paths.add(path);
      walk(checker.getTypeOfSymbolAtLocation(prop, source), path, depth + 1, inner);
    }
  };
  walk(checker.getDeclaredTypeOfSymbol(symbol), "", 0, new Set());
  return paths;
}

/** Whether `path` (as the docs write it, e.g. "results.latency.before.p95", "versions.load-engine") is a field. */
export function isRunJsonPath(path: string, known: ReadonlySet<string>): boolean {
  const parts = path.replace(/\[\d*\]/g, "[]").split(".");
  const match = (i: number, prefix: string): boolean => {
    if (i === parts.length) return known.has(prefix);
    const part = parts[i]!;
    const candidates = [part, "*"].map((p) => (prefix === "" ? p : `${prefix}.${p}`));
    return candidates.some((c) => {
      const bare = c.replace(/\[\]$/, "");
      return (known.has(c) || known.has(bare) || known.has(`${bare}[]`)) && match(i + 1, c);
    });
  };
  return match(0, "");
}
