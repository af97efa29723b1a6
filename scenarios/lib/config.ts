// The scenario's configuration from k6's __ENV, with defaults for a local run. Pure: takes the env object.

export interface ScenarioConfig {
  baseUrl: string;
  /** Iterations started per second (open model). */
  rate: number;
  /** Size of the fixed pool of VUs; one VU is one person. */
  sessions: number;
  duration: string;
  requestTimeout: string;
  /** Where handleSummary writes k6's summary JSON; unset = k6's normal text summary only. */
  summaryPath: string | undefined;
  /** Prefix of every username, so that two runs never share a user. */
  runId: string;
  /** Passed as options.thresholds when set (JSON). */
  thresholds: Record<string, string[]> | undefined;
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}=${raw}: expected a positive integer`);
  return value;
}

function duration(env: Record<string, string | undefined>, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(raw)) throw new Error(`${name}=${raw}: expected a k6 duration such as 60s`);
  return raw;
}

function thresholds(raw: string | undefined): Record<string, string[]> | undefined {
  if (raw === undefined || raw === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`THRESHOLDS=${raw}: expected JSON such as {"fh_sessions_lost":["count<1"]}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`THRESHOLDS=${raw}: expected a JSON object of metric name to list of expressions`);
  }
  const result: Record<string, string[]> = {};
  for (const [metric, expressions] of Object.entries(parsed)) {
    if (!Array.isArray(expressions) || !expressions.every((e) => typeof e === "string")) {
      throw new Error(`THRESHOLDS: ${metric} must be a list of strings`);
    }
    result[metric] = expressions;
  }
  return result;
}

function randomRunId(): string {
  return `r${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

export function readConfig(env: Record<string, string | undefined>): ScenarioConfig {
  const runId = env.RUN_ID || randomRunId();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(runId)) throw new Error(`RUN_ID=${runId}: expected 1-64 of [A-Za-z0-9._-]`);
  return {
    baseUrl: (env.BASE_URL || "http://127.0.0.1:8080").replace(/\/+$/, ""),
    rate: positiveInt(env, "RATE", 50),
    sessions: positiveInt(env, "SESSIONS", 50),
    duration: duration(env, "DURATION", "60s"),
    requestTimeout: duration(env, "REQUEST_TIMEOUT", "5s"),
    summaryPath: env.SUMMARY_PATH || undefined,
    runId,
    thresholds: thresholds(env.THRESHOLDS),
  };
}
