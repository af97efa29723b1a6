// Where the latency goes (pure): the verdict rows of the app's store time next to the latency, and
// the reading's sentences splitting each window's p50 into store and the rest.
import { formatMs } from "./html.ts";
import type { RunView, VerdictRow } from "./run-view.ts";

const WINDOWS = ["before", "during", "after", "overall"] as const;
type Window = (typeof WINDOWS)[number];

const where = (w: Window) => (w === "overall" ? "whole run" : `${w} the fault`);
const histogram = (w: Window) => (w === "overall" ? "all windows merged" : `${w} window`);

/** Store time rows: shown only when some run's app sent Server-Timing. */
export const STORE_ROWS: readonly VerdictRow[] = WINDOWS.flatMap((w): VerdictRow[] => [
  {
    field: `storeTime.${w}.p50`,
    label: `store p50 ${where(w)}`,
    group: "Where the latency goes: time in the session store",
    unit: "ms",
    source: "records",
    from: `request records' storeMs (the app's Server-Timing store;dur=; histogram, ${histogram(w)})`,
    optional: true,
  },
  {
    field: `storeTime.${w}.p95`,
    label: `store p95 ${where(w)}`,
    group: "Where the latency goes: time in the session store",
    unit: "ms",
    source: "records",
    from: `request records' storeMs (histogram, ${histogram(w)})`,
    optional: true,
  },
  {
    field: `storeTime.${w}.share`,
    label: `share of request time in the store, ${where(w)}`,
    group: "Where the latency goes: time in the session store",
    unit: "share",
    source: "records",
    from: `Σ storeMs / Σ ms of answered requests, ${histogram(w)}`,
    optional: true,
  },
]);

/** Production DynamoDB answers in single-digit milliseconds; above this, the emulator is what was measured. */
export const PRODUCTION_STORE_MS = 10;

/** The store's name as the run recorded it (versions.store), or a generic one. */
function storeName(v: RunView): string {
  return v.setup.versions.store ?? "the session store";
}

/** A DynamoDB emulator: dynalite ("DynamoDB emulator dynalite 4.0.0 (in memory)"), or DynamoDB Local in older runs. */
const isEmulator = (v: RunView) => /dynamodb emulator|dynalite|dynamodb.?local/i.test(v.setup.versions.store ?? "");

/**
 * "Of the 130 ms p50 before the fault, 120 ms was DynamoDB emulator dynalite ..." per window that has both,
 * and the store's share of the answered requests' time; null when the app sent no store time.
 */
export function storeSentence(v: RunView): string | null {
  const value = (field: string) => v.values[field] ?? null;
  const windows = (["before", "during", "after"] as const).filter(
    (w) => value(`latency.${w}.p50`) !== null && value(`storeTime.${w}.p50`) !== null,
  );
  const chosen: Window[] =
    windows.length > 0 ? [...windows] : value("storeTime.overall.p50") !== null ? ["overall"] : [];
  if (chosen.length === 0) return null;
  const parts = chosen.map((w, i) => {
    const total = formatMs(value(`latency.${w}.p50`));
    const store = formatMs(value(`storeTime.${w}.p50`));
    const label = w === "overall" ? "over the whole run" : i === 0 && chosen.length > 1 ? `${w} the fault` : w;
    return i === 0
      ? `of the ${total} p50 ${label}, ${store} was ${storeName(v)}`
      : `of the ${total} p50 ${label}, ${store}`;
  });
  const share = value("storeTime.overall.share");
  const tail =
    share === null
      ? ""
      : `; over the whole run the store took ${Math.round(share * 100)}% of the answered requests' total time (slow ones included)`;
  const text = `${parts.join("; ")} (store p50 from the app's Server-Timing)${tail}.`;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * A warning when the emulator's latency dominates a run on a DynamoDB emulator: in some window its p50
 * is at least what production DynamoDB stays below (single-digit ms) and it takes half or more of
 * the answered requests' time there. A fast emulator with a large share is no warning: production
 * would not be faster.
 */
export function emulatorWarning(v: RunView): string | null {
  if (!isEmulator(v)) return null;
  const slow = (["before", "during", "after"] as const)
    .map((w) => ({ w, p50: v.values[`storeTime.${w}.p50`] ?? null, share: v.values[`storeTime.${w}.share`] ?? null }))
    .filter((x) => x.p50 !== null && x.p50 >= PRODUCTION_STORE_MS && x.share !== null && x.share >= 0.5);
  if (slow.length === 0) return null;
  const worst = slow.reduce((a, b) => (b.p50! > a.p50! ? b : a));
  return (
    `The emulator's latency dominates: ${worst.w} the fault its p50 was ${formatMs(worst.p50)}, ${Math.round(worst.share! * 100)}% of the request time. ` +
    `Production DynamoDB answers in single-digit milliseconds, so this run's latency says more about ${storeName(v)} on this machine than about DynamoDB.`
  );
}
