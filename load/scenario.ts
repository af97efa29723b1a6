// Finds a scenario by name (scenarios/<name>.ts) or module path and checks that it exports a valid definition.
import { existsSync, readdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ScenarioDefinition } from "./scenario-api.ts";

export const SCENARIOS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "scenarios");

/** The scenario names there are (scenarios/*.ts). */
export function scenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** The module file of `nameOrPath`: a path (has a slash or ends in .ts/.js) as given, else scenarios/<name>.ts. */
export function scenarioFile(nameOrPath: string): string {
  const isPath = /[\\/]/.test(nameOrPath) || /\.(ts|js|mjs|mts)$/.test(nameOrPath);
  if (isPath) return isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  return join(SCENARIOS_DIR, `${nameOrPath}.ts`);
}

/** Problems with a module's default export as a ScenarioDefinition (empty when it is one). Pure. */
export function definitionProblems(exported: unknown): string[] {
  if (exported === null || typeof exported !== "object") {
    return [
      `its default export is ${exported === undefined ? "missing" : typeof exported}: expected defineScenario({...})`,
    ];
  }
  const d = exported as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof d.name !== "string" || d.name === "") problems.push("name: expected a non-empty string");
  if (typeof d.newState !== "function") problems.push("newState: expected a function (person) => state");
  if (typeof d.iteration !== "function") problems.push("iteration: expected an async function (context) => void");
  if (d.end !== undefined && typeof d.end !== "function") problems.push("end: expected an async function or nothing");
  const c = d.connectionsPerPerson;
  if (c !== undefined && !(typeof c === "number" && Number.isInteger(c) && c >= 1 && c <= 64)) {
    problems.push(`connectionsPerPerson: ${JSON.stringify(c)}: expected a whole number from 1 to 64`);
  }
  return problems;
}

export class ScenarioError extends Error {}

/** Imports and checks the scenario; throws a ScenarioError naming the option or file and what was expected. */
export async function resolveScenario(nameOrPath: string): Promise<ScenarioDefinition<unknown>> {
  const file = scenarioFile(nameOrPath);
  if (!existsSync(file)) {
    const isName = file === join(SCENARIOS_DIR, `${nameOrPath}.ts`);
    throw new ScenarioError(
      isName
        ? `scenario: ${JSON.stringify(nameOrPath)}: no such scenario; expected one of ${scenarioNames().join(", ")}`
        : `scenario: ${file}: no such file`,
    );
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new ScenarioError(`scenario: ${file}: does not load: ${error instanceof Error ? error.message : error}`);
  }
  const problems = definitionProblems(module.default);
  if (problems.length > 0) {
    throw new ScenarioError(`scenario: ${file}: not a valid scenario definition: ${problems.join("; ")}`);
  }
  return module.default as ScenarioDefinition<unknown>;
}
