// Reads a fault plan file (JSON or YAML): {"faults": [{"at": "20s", "action": "crash", "target": "app-2"}]}.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { parseDuration } from "./duration.ts";
import type { Fault } from "./faults.ts";

const entrySchema = z.strictObject({
  at: z.union([z.string(), z.number()]),
  action: z.string(),
  target: z.string(),
});
const fileSchema = z.strictObject({ faults: z.array(entrySchema).min(1) });

/** Parses the text of a plan file into faults; action and target are checked with the whole plan. */
export function parsePlanFile(text: string, path: string): Fault[] {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new InputError(`--plan ${path}: not valid JSON or YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = fileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const field = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
      const got = "input" in issue && issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : "";
      return `${field || "(top level)"}: ${issue.message}${got}`;
    });
    throw new InputError(`--plan ${path}: ${lines.join("; ")}`);
  }
  return parsed.data.faults.map((entry, i) => {
    const atMs = parseDuration(entry.at);
    if (atMs === null) {
      throw new InputError(
        `--plan ${path}: .faults[${i}].at: expected a duration such as "20s" or "1m30s" (got ${JSON.stringify(entry.at)})`,
      );
    }
    return { atMs, action: entry.action, target: entry.target } as Fault;
  });
}

export function readPlanFile(path: string): Fault[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError(
      `--plan ${path}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parsePlanFile(text, path);
}
