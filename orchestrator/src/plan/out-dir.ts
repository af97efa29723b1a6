// Checks a run's output folder before anything is written: never the filesystem's root, never a file, and never
// a folder of other things unless --force (the runs write into it and remove their own sessions/ under it).
import { readdirSync, statSync } from "node:fs";
import { join, parse, resolve } from "node:path";
import { InputError } from "../errors.ts";

/** What an earlier run of the harness leaves at the top of an experiment folder besides its runs' folders. */
const experimentFiles = new Set(["report.html", "rate-check"]);

/** The entries of `dir`, or null when it does not exist; throws InputError when `path` is not a folder. */
function entriesOf(path: string, dir: string): string[] | null {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new InputError(`--out ${JSON.stringify(path)}: cannot read ${dir} (${(err as Error).message})`);
  }
  if (!isDir) throw new InputError(`--out ${JSON.stringify(path)}: ${dir} is a file: expected a folder for the run`);
  return readdirSync(dir);
}

const hasRunRecord = (dir: string) => {
  try {
    return statSync(join(dir, "run.json")).isFile();
  } catch {
    return false;
  }
};

/**
 * True when `dir` holds an earlier run of the harness: a run's folder (its run.json), or an experiment's (only
 * report.html, rate-check/ and folders that are runs).
 */
export function isEarlierRun(dir: string, entries: readonly string[]): boolean {
  if (entries.includes("run.json") && hasRunRecord(dir)) return true;
  return entries.every((name) => experimentFiles.has(name) || hasRunRecord(join(dir, name)));
}

/**
 * The absolute run folder for `--out PATH`, or InputError: `/` is refused, so is an existing path that is not a
 * folder, and an existing folder holding anything but an earlier run of the harness unless `force`. Reads only.
 */
export function checkOutDir(path: string, force = false): string {
  const dir = resolve(path);
  if (dir === parse(dir).root) {
    throw new InputError(`--out ${JSON.stringify(path)}: the filesystem's root: expected a folder for the run`);
  }
  const entries = entriesOf(path, dir);
  if (entries === null || entries.length === 0 || force || isEarlierRun(dir, entries)) return dir;
  const shown = entries.slice(0, 3).join(", ") + (entries.length > 3 ? `, ... (${entries.length} entries)` : "");
  throw new InputError(
    `--out ${JSON.stringify(path)}: ${dir} holds other files (${shown}): expected a new or empty folder, or an ` +
      "earlier run of the harness; add --force to write into it anyway",
  );
}
