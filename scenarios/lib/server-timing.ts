// Reads one metric's duration from a Server-Timing header (RFC: W3C Server Timing). Pure: no I/O.

/**
 * The `dur` (ms) of metric `name` in a Server-Timing header value such as
 * `store;dur=12.3, total;dur=15.1`; null when the header is absent, the metric is not in it, or
 * its duration is not a finite number of at least 0. Metric names compare case-insensitively;
 * parameters may be quoted (`dur="12.3"`) and carry spaces around `;` and `=`.
 */
export function serverTimingMs(header: string | undefined | null, name: string): number | null {
  if (!header) return null;
  const wanted = name.toLowerCase();
  for (const entry of header.split(",")) {
    const [metric, ...params] = entry.split(";").map((part) => part.trim());
    if (metric?.toLowerCase() !== wanted) continue;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "dur") continue;
      const raw = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1");
      const ms = raw === "" ? Number.NaN : Number(raw);
      return Number.isFinite(ms) && ms >= 0 ? ms : null;
    }
    return null;
  }
  return null;
}
