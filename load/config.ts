// Validates a LoadConfig before anything starts: each problem names the field, the value and what was expected. Pure.
import type { LoadConfig } from "./api.ts";

export const MAX_RATE = 100_000;
export const MAX_SESSIONS = 100_000;
export const MAX_WORKERS = 64;
/** A load run is bounded: one day at most. */
export const MAX_DURATION_MS = 24 * 3600 * 1000;

export type ConfigCheck = { ok: true; config: LoadConfig } | { ok: false; errors: string[] };

function show(value: unknown): string {
  return value === undefined ? "(missing)" : JSON.stringify(value);
}

/** True for a host on this machine's loopback: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host === "::1") return true;
  const octets = host.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/** Checks `raw` (parsed JSON) as a LoadConfig; `workers` defaults to 1; `baseUrl` loses its trailing slashes. */
export function validateLoadConfig(raw: unknown): ConfigCheck {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, errors: [`config: ${show(raw)}: expected a JSON object (a LoadConfig, load/api.ts)`] };
  }
  const c = raw as Record<string, unknown>;
  const errors: string[] = [];
  const problem = (field: string, expected: string) => errors.push(`${field}: ${show(c[field])}: expected ${expected}`);
  const number = (field: string, ok: (n: number) => boolean, expected: string): number => {
    const value = c[field];
    if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) problem(field, expected);
    return value as number;
  };
  const string = (field: string, ok: (s: string) => boolean, expected: string): string => {
    const value = c[field];
    if (typeof value !== "string" || !ok(value)) problem(field, expected);
    return value as string;
  };

  const scenario = string("scenario", (s) => s.trim() !== "", "a scenario name (scenarios/<name>.ts) or module path");
  const baseUrl = string(
    "baseUrl",
    (s) => {
      try {
        const url = new URL(s);
        const hostOk = c.allowRemote === true || isLoopbackHost(url.hostname);
        return url.protocol === "http:" && hostOk && /^\/*$/.test(url.pathname) && !url.search;
      } catch {
        return false;
      }
    },
    c.allowRemote === true
      ? "an http:// URL with no path, e.g. http://my-alb.example.com"
      : "an http:// URL on loopback (127.0.0.0/8, localhost or [::1]) with no path, e.g. http://127.0.0.1:8080 (another host only with allowRemote, an ec2 run)",
  );
  const rate = number(
    "rate",
    (n) => n > 0 && n <= MAX_RATE,
    `iterations per second, more than 0 and at most ${MAX_RATE}`,
  );
  const sessions = number(
    "sessions",
    (n) => Number.isInteger(n) && n >= 1 && n <= MAX_SESSIONS,
    `a whole number of people from 1 to ${MAX_SESSIONS}`,
  );
  const durationMs = number(
    "durationMs",
    (n) => n > 0 && n <= MAX_DURATION_MS,
    `ms, more than 0 and at most ${MAX_DURATION_MS}`,
  );
  const requestTimeoutMs = number("requestTimeoutMs", (n) => n >= 1 && n <= 600_000, "ms, from 1 to 600000");
  const runId = string("runId", (s) => /^[A-Za-z0-9._-]{1,64}$/.test(s), "1 to 64 of [A-Za-z0-9._-]");
  if (c.workers === undefined) c.workers = 1;
  const workers = number(
    "workers",
    (n) => Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS,
    `a whole number of worker threads from 1 to ${MAX_WORKERS}`,
  );
  if (errors.length === 0 && workers > sessions)
    problem("workers", `at most sessions (${sessions}): each worker owns people`);
  const recordsFile = string("recordsFile", (s) => s.trim() !== "", "a file path");
  if (c.logoutAtEnd !== undefined && typeof c.logoutAtEnd !== "boolean") problem("logoutAtEnd", "true or false");
  if (c.allowRemote !== undefined && typeof c.allowRemote !== "boolean") problem("allowRemote", "true or false");
  const options = c.scenarioOptions;
  if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options)))
    problem("scenarioOptions", "a JSON object (what the scenario is told)");
  const known = new Set([
    "scenario",
    "baseUrl",
    "rate",
    "sessions",
    "durationMs",
    "requestTimeoutMs",
    "runId",
    "workers",
    "recordsFile",
    "logoutAtEnd",
    "allowRemote",
    "scenarioOptions",
  ]);
  for (const key of Object.keys(c))
    if (!known.has(key)) problem(key, `no such field (known: ${[...known].join(", ")})`);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      scenario,
      baseUrl: baseUrl.replace(/\/+$/, ""),
      rate,
      sessions,
      durationMs,
      requestTimeoutMs,
      runId,
      workers,
      recordsFile,
      logoutAtEnd: c.logoutAtEnd === true,
      allowRemote: c.allowRemote === true,
      ...(options !== undefined ? { scenarioOptions: options as Record<string, unknown> } : {}),
    },
  };
}
