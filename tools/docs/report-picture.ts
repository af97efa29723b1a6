// `npm run docs:picture`: docs/report.png, the README's picture of a real comparison report, made on purpose (never
// by the tests): the report of three recorded runs in reports/test/fixtures, opened in headless Chromium.
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { writeReport } from "../../reports/src/write-report.ts";
import { chromiumPath } from "../tool-paths.mjs";

/** The recorded runs the picture shows, in the report's column order: the default comparison of `npm run chaos`. */
export const PICTURE_RUNS = ["run-local", "run-sticky", "run-dynamodb"].map((name) =>
  fileURLToPath(new URL(`../../reports/test/fixtures/${name}`, import.meta.url)),
);
export const PICTURE_FILE = fileURLToPath(new URL("../../docs/report.png", import.meta.url));

/** The part of the page shown: the title, the reading per run, the load generator's trust line, the verdict table's top. */
const VIEWPORT = { width: 1280, height: 880 };

async function main(): Promise<number> {
  const browserPath = chromiumPath();
  if (!existsSync(browserPath)) {
    console.error(`[docs:picture] no Chromium at ${browserPath} (npm run setup installs it; $CHROMIUM_BIN overrides)`);
    return 1;
  }
  // The report writes into the run folders it reads (report.html beside run.json): work on copies.
  const scratch = mkdtempSync(join(tmpdir(), "fh-docs-picture-"));
  try {
    const dirs = PICTURE_RUNS.map((dir, i) => {
      const copy = join(scratch, `${i + 1}-${dir.split("/").pop()}`);
      cpSync(dir, copy, { recursive: true });
      return copy;
    });
    const reportFile = join(scratch, "report.html");
    await writeReport(dirs, reportFile, { recheck: true });
    const browser = await chromium.launch({
      executablePath: browserPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    try {
      const page = await browser.newPage({ viewport: VIEWPORT });
      await page.goto(pathToFileURL(reportFile).href, { waitUntil: "load" });
      await page.screenshot({ path: PICTURE_FILE, fullPage: false });
    } finally {
      await browser.close();
    }
    console.log(
      `[docs:picture] ${PICTURE_FILE} (${statSync(PICTURE_FILE).size} bytes) from ${PICTURE_RUNS.length} recorded runs`,
    );
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await main();
