// Writes report.html for one or more run folders: read each, build the model, render, write
// atomically (temp file, then rename) so no partial report is ever left behind.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type LoadOptions, loadRun } from "./load-run.ts";
import { renderReport } from "./render.ts";
import { buildReportModel, type RunInput } from "./report-model.ts";

/**
 * Builds the report of the runs in `runDirs` (side by side, in that order) and writes it to
 * `outFile`. The numbers are run.json's results; `recheck` also works them out again from each
 * records file and shows whether they match. Throws InputError naming the path when a folder or
 * its run.json is missing or bad. Returns the absolute path of the report.
 */
export async function writeReport(runDirs: string[], outFile: string, options: LoadOptions = {}): Promise<string> {
  if (runDirs.length === 0) throw new Error("writeReport: no run folder given");
  const runs: RunInput[] = [];
  // One folder at a time: with recheck, each records file is streamed once, in constant memory.
  for (const dir of runDirs) runs.push(await loadRun(dir, options));
  const html = renderReport(buildReportModel(runs));
  const path = resolve(outFile);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, html);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return path;
}
