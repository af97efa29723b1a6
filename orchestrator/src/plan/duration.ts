// Parses durations written by people ("60s", "1500ms", "2m", "1m30s", or plain seconds) into ms.

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string | number): number | null {
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? Math.round(text * 1000) : null;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) return null;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (unitMs[p[2] ?? "s"] ?? 0), 0));
}

/** "60s", "1m30s", "1.5s" for messages. */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  return `${ms / 1000}s`;
}
