// Inline SVG charts of the per-second series, with faults and balancer state changes drawn as
// labelled vertical markers on the time axis (pure: model in, SVG text out; no script, no network).
import { escapeHtml } from "./html.ts";
import type { Marker, RunView, SeriesPoint } from "./report-model.ts";

export type ChartKind = "throughput" | "failed" | "p95" | "lost" | "lostUpdates" | "share";

export interface ChartInfo {
  kind: ChartKind;
  title: string;
  unit: string;
  /** What the chart is computed from. */
  from: string;
  /** Drawn only when some run has the series (lost updates: scenarios that record operations). */
  optional?: boolean;
}

export const CHARTS: readonly ChartInfo[] = [
  { kind: "throughput", title: "Throughput", unit: "requests/s", from: "request records per second" },
  {
    kind: "failed",
    title: "Failed requests",
    unit: "per second",
    from: "request records with a failed class, per second",
  },
  {
    kind: "p95",
    title: "p95 latency",
    unit: "ms",
    from: "request records' ms of answered requests, histogram per second",
  },
  { kind: "lost", title: "Sessions lost", unit: "per second", from: "session-lost records per second" },
  {
    kind: "lostUpdates",
    title: "Lost updates",
    unit: "per second",
    from: "the lost-update model over op records, by the second the lost write was answered",
    optional: true,
  },
  {
    kind: "share",
    title: "Traffic share per instance",
    unit: "% of requests",
    from: "request records' instance, per second",
  },
];

export const INSTANCE_COLOURS = [
  "#3b6fb6",
  "#e08a2c",
  "#3a9a5b",
  "#8e5bb5",
  "#c94f4f",
  "#5aa6b8",
  "#a0793d",
  "#d16ba5",
];
const COLOURS: Record<Exclude<ChartKind, "share">, string> = {
  throughput: "#3b6fb6",
  failed: "#c94f4f",
  p95: "#8e5bb5",
  lost: "#d9822b",
  lostUpdates: "#b5495b",
};
const MARKER_COLOURS = { fault: "#b3261e", DOWN: "#c25e00", UP: "#2e7d32" };

const WIDTH = 460;
const PLOT_HEIGHT = 130;
const LEFT = 46;
const RIGHT = 12;
const BOTTOM = 22;
const LABEL_ROW = 13;
const MAX_LABEL_ROWS = 3;

/** The axes shared by one kind of chart across runs, so that panels compare at a glance. */
export interface Scale {
  xMin: number;
  xMax: number;
  yMax: number;
}

/** A round upper bound for the y axis and its tick step (1, 2 or 5 × 10^k, about 4 ticks). */
export function niceAxis(max: number): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 1 };
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const rounded = Math.ceil(max / step - 1e-9) * step;
  return { max: rounded, step };
}

function value(kind: ChartKind, p: SeriesPoint): number | null {
  switch (kind) {
    case "throughput":
      return p.requests;
    case "failed":
      return p.failed;
    case "lost":
      return p.lost;
    case "lostUpdates":
      return p.lostUpdates ?? null;
    case "p95":
      return p.p95;
    case "share":
      return 100;
  }
}

/** True when some point of some run has the chart's series (an optional chart is drawn only then). */
export function hasSeries(kind: ChartKind, runs: readonly RunView[]): boolean {
  return runs.some((run) => run.series.some((p) => value(kind, p) !== null));
}

/** The largest value of a kind of chart in one run (for the shared scale). */
export function maxValue(kind: ChartKind, series: readonly SeriesPoint[]): number {
  let max = 0;
  for (const p of series) max = Math.max(max, value(kind, p) ?? 0);
  return max;
}

const num = (n: number) => (Math.round(n * 10) / 10).toString();

interface Frame {
  x: (t: number) => number;
  y: (v: number) => number;
  top: number;
  bottom: number;
  height: number;
}

/** Places marker labels in rows so that they do not overlap; returns each marker's row. */
export function labelRows(xs: readonly number[], labels: readonly string[]): number[] {
  const ends: number[] = [];
  return xs.map((x, i) => {
    const width = (labels[i]?.length ?? 0) * 5.6 + 8;
    let row = ends.findIndex((end) => end <= x);
    if (row === -1) row = ends.length < MAX_LABEL_ROWS ? ends.length : ends.indexOf(Math.min(...ends));
    ends[row] = x + width;
    return row;
  });
}

function markerColour(m: Marker): string {
  if (m.kind === "fault") return MARKER_COLOURS.fault;
  return m.what === "UP" ? MARKER_COLOURS.UP : MARKER_COLOURS.DOWN;
}

function markersSvg(markers: readonly Marker[], frame: Frame, rows: readonly number[]): string {
  return markers
    .map((m, i) => {
      const x = num(frame.x(m.t));
      const colour = markerColour(m);
      const labelY = 10 + (rows[i] ?? 0) * LABEL_ROW;
      return (
        `<g data-marker="${m.kind}" data-label="${escapeHtml(m.label)}" data-t="${m.t}">` +
        `<title>${escapeHtml(`${m.label} at ${m.t.toFixed(1)} s`)}</title>` +
        `<line x1="${x}" x2="${x}" y1="${labelY + 2}" y2="${frame.bottom}" stroke="${colour}" stroke-width="1.2" stroke-dasharray="4 3"/>` +
        `<text x="${x}" y="${labelY}" dx="2" fill="${colour}" class="marker-label">${escapeHtml(m.label)}</text></g>`
      );
    })
    .join("");
}

function axesSvg(kind: ChartKind, scale: Scale, frame: Frame): string {
  const parts: string[] = [];
  const y = niceAxis(scale.yMax);
  for (let v = 0; v <= y.max + 1e-9; v += y.step) {
    const py = num(frame.y(v));
    parts.push(`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${py}" y2="${py}"/>`);
    parts.push(
      `<text class="tick" x="${LEFT - 5}" y="${py}" dy="3.5" text-anchor="end">${num(v)}${kind === "share" ? "%" : ""}</text>`,
    );
  }
  const span = scale.xMax - scale.xMin;
  const step = niceAxis(span).step;
  for (let t = Math.ceil(scale.xMin / step) * step; t <= scale.xMax + 1e-9; t += step) {
    const px = num(frame.x(t));
    parts.push(`<line class="tick-mark" x1="${px}" x2="${px}" y1="${frame.bottom}" y2="${frame.bottom + 4}"/>`);
    parts.push(`<text class="tick" x="${px}" y="${frame.bottom + 15}" text-anchor="middle">${num(t)} s</text>`);
  }
  parts.push(`<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${frame.bottom}" y2="${frame.bottom}"/>`);
  return parts.join("");
}

/** A filled step shape, one flat step per second; zero seconds stay on the baseline. */
function stepArea(series: readonly SeriesPoint[], kind: ChartKind, frame: Frame, colour: string): string {
  const base = num(frame.y(0));
  let d = `M${num(frame.x(series[0]!.t))},${base}`;
  for (const p of series) {
    const y = num(frame.y(value(kind, p) ?? 0));
    d += `L${num(frame.x(p.t))},${y}L${num(frame.x(p.t + 1))},${y}`;
  }
  d += `L${num(frame.x(series[series.length - 1]!.t + 1))},${base}Z`;
  return `<path data-series="${kind}" d="${d}" fill="${colour}" fill-opacity="0.55" stroke="${colour}" stroke-width="1.2"/>`;
}

/** A line through the middle of each second; gaps (null) break it. */
function line(series: readonly SeriesPoint[], kind: ChartKind, frame: Frame, colour: string, area: boolean): string {
  let d = "";
  let pen = false;
  const runs: string[][] = [];
  let current: string[] = [];
  for (const p of series) {
    const v = value(kind, p);
    if (v === null) {
      pen = false;
      if (current.length > 0) runs.push(current);
      current = [];
      continue;
    }
    const point = `${num(frame.x(p.t + 0.5))},${num(frame.y(v))}`;
    d += `${pen ? "L" : "M"}${point}`;
    current.push(point);
    pen = true;
  }
  if (current.length > 0) runs.push(current);
  if (d === "") return "";
  const dots = runs
    .filter((r) => r.length === 1)
    .map((r) => {
      const [cx, cy] = r[0]!.split(",");
      return `<circle data-series="${kind}" cx="${cx}" cy="${cy}" r="2" fill="${colour}"/>`;
    })
    .join("");
  const base = num(frame.y(0));
  const fill = area
    ? runs
        .filter((r) => r.length > 1)
        .map((r) => {
          const first = r[0]!.split(",")[0];
          const last = r[r.length - 1]!.split(",")[0];
          return `<path d="M${first},${base}L${r.join("L")}L${last},${base}Z" fill="${colour}" fill-opacity="0.12"/>`;
        })
        .join("")
    : "";
  return `${fill}<path data-series="${kind}" d="${d}" fill="none" stroke="${colour}" stroke-width="1.8" stroke-linejoin="round"/>${dots}`;
}

function shareBars(series: readonly SeriesPoint[], frame: Frame, instances: readonly string[]): string {
  const parts: string[] = [];
  for (const p of series) {
    const total = Object.values(p.byInstance).reduce((a, b) => a + b, 0);
    if (total === 0) continue;
    let acc = 0;
    const x = frame.x(p.t);
    const w = Math.max(0.5, frame.x(p.t + 1) - x - 0.6);
    const title = Object.entries(p.byInstance)
      .map(([id, n]) => `${id} ${Math.round((100 * n) / total)}%`)
      .join(", ");
    parts.push(`<g><title>${escapeHtml(`${p.t} s: ${title}`)}</title>`);
    for (const id of instances) {
      const n = p.byInstance[id] ?? 0;
      if (n === 0) continue;
      const y0 = frame.y((100 * (acc + n)) / total);
      const y1 = frame.y((100 * acc) / total);
      acc += n;
      const colour = INSTANCE_COLOURS[instances.indexOf(id) % INSTANCE_COLOURS.length]!;
      parts.push(
        `<rect data-series="share" data-instance="${escapeHtml(id)}" x="${num(x)}" y="${num(y0)}" width="${num(w)}" height="${num(y1 - y0)}" fill="${colour}"/>`,
      );
    }
    parts.push("</g>");
  }
  return parts.join("");
}

/** Invisible columns, one per second, whose tooltip gives the second's value. */
function hoverColumns(series: readonly SeriesPoint[], kind: ChartKind, info: ChartInfo, frame: Frame): string {
  if (kind === "share" || series.length > 900) return "";
  return series
    .map((p) => {
      const v = value(kind, p);
      const x = frame.x(p.t);
      const text = `${p.t} s to ${p.t + 1} s: ${v === null ? "no answered request" : `${num(v)} ${info.unit}`}`;
      return `<rect class="hover" x="${num(x)}" y="${frame.top}" width="${num(frame.x(p.t + 1) - x)}" height="${frame.height}"><title>${escapeHtml(text)}</title></rect>`;
    })
    .join("");
}

const PLOT_WIDTH = WIDTH - LEFT - RIGHT;

/** The label row of each of a run's markers on a chart of this scale. */
function markerRows(run: RunView, scale: Scale): number[] {
  const span = Math.max(1, scale.xMax - scale.xMin);
  return labelRows(
    run.markers.map((m) => LEFT + ((m.t - scale.xMin) / span) * PLOT_WIDTH),
    run.markers.map((m) => m.label),
  );
}

/** How many label rows the markers of these runs need: panels side by side reserve the same band. */
export function labelBand(runs: readonly RunView[], scale: Scale): number {
  return Math.max(1, ...runs.map((run) => Math.max(0, ...markerRows(run, scale).map((r) => r + 1))));
}

/**
 * One chart of one run as an inline SVG element. `band` is the number of marker label rows to
 * reserve above the plot (the same for every panel of a row, so that their plots line up).
 */
export function renderChart(
  info: ChartInfo,
  run: RunView,
  scale: Scale,
  instances: readonly string[],
  band = labelBand([run], scale),
): string {
  const { kind } = info;
  const span = Math.max(1, scale.xMax - scale.xMin);
  const plotWidth = PLOT_WIDTH;
  const rows = markerRows(run, scale);
  const top = 6 + band * LABEL_ROW;
  const height = top + PLOT_HEIGHT + BOTTOM;
  const yMax = niceAxis(scale.yMax).max;
  const frame: Frame = {
    x: (t) => LEFT + ((t - scale.xMin) / span) * plotWidth,
    y: (v) => top + PLOT_HEIGHT - (Math.min(v, yMax) / yMax) * PLOT_HEIGHT,
    top,
    bottom: top + PLOT_HEIGHT,
    height: PLOT_HEIGHT,
  };
  const parts: string[] = [];
  parts.push(
    `<svg data-chart="${kind}" data-run="${escapeHtml(run.key)}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(`${info.title} (${info.unit}), ${run.strategy}`)}" xmlns="http://www.w3.org/2000/svg">`,
  );
  if (run.faultWindow) {
    const x0 = frame.x(Math.max(scale.xMin, run.faultWindow.from));
    const x1 = frame.x(run.faultWindow.to ?? scale.xMax);
    parts.push(
      `<rect class="fault-window" x="${num(x0)}" y="${top}" width="${num(Math.max(0, x1 - x0))}" height="${PLOT_HEIGHT}"><title>fault window (during)</title></rect>`,
    );
  }
  parts.push(axesSvg(kind, { ...scale, yMax }, frame));
  const series = run.series;
  if (series.length === 0) {
    parts.push(
      `<text class="empty" x="${LEFT + plotWidth / 2}" y="${top + PLOT_HEIGHT / 2}" text-anchor="middle">no records</text>`,
    );
  } else if (kind === "share") {
    parts.push(shareBars(series, frame, instances));
  } else if (kind === "throughput" || kind === "p95") {
    const drawn = line(series, kind, frame, COLOURS[kind], kind === "throughput");
    parts.push(
      drawn ||
        `<text class="empty" x="${LEFT + plotWidth / 2}" y="${top + PLOT_HEIGHT / 2}" text-anchor="middle">no answered request</text>`,
    );
  } else {
    parts.push(stepArea(series, kind, frame, COLOURS[kind]));
  }
  parts.push(hoverColumns(series, kind, info, frame));
  parts.push(markersSvg(run.markers, frame, rows));
  parts.push("</svg>");
  return parts.join("");
}

/** The shared scale of one kind of chart over all runs. */
export function sharedScale(kind: ChartKind, runs: readonly RunView[]): Scale {
  let xMin = 0;
  let xMax = 1;
  let yMax = kind === "share" ? 100 : 0;
  for (const run of runs) {
    for (const p of run.series) xMin = Math.min(xMin, p.t);
    xMax = Math.max(xMax, run.durationS, ...run.markers.map((m) => m.t));
    if (kind !== "share") yMax = Math.max(yMax, maxValue(kind, run.series));
  }
  return { xMin: Math.floor(xMin), xMax: Math.ceil(xMax), yMax: yMax || 1 };
}
