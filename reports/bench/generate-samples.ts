// Writes a k6-like `--out json` file for the bench: per request k6's nine http_req_* lines and the
// scenario's fh_req, per iteration k6's four iteration lines, plus sessions, vus and a crash of
// app-2 at 1/3 (failures, lost sessions) healed at 2/3: the mix of a real samples.json.

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { seededRandom } from "../../orchestrator/src/plan/seed.ts";
import { METRIC } from "../../scenarios/lib/metrics.ts";

const HTTP_METRICS = [
  "http_reqs",
  "http_req_duration",
  "http_req_blocked",
  "http_req_connecting",
  "http_req_tls_handshaking",
  "http_req_sending",
  "http_req_waiting",
  "http_req_receiving",
  "http_req_failed",
] as const;
const ITERATION_METRICS = ["iterations", "iteration_duration", "data_sent", "data_received"] as const;
const CUSTOM = [METRIC.req, METRIC.sessionsStarted, METRIC.sessionsLost, METRIC.readsStale, METRIC.writesIndeterminate];
const ENDPOINTS = [
  { endpoint: "profile_get", method: "GET", name: "/profile" },
  { endpoint: "profile_set", method: "POST", name: "/profile" },
];
const INSTANCES = ["app-1", "app-2", "app-3"];

export interface GeneratedRun {
  samples: number;
  lines: number;
  startMs: number;
  crashMs: number;
  restartMs: number;
  endMs: number;
}

function time(ms: number, nanos: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(nanos).padStart(6, "0")}Z`;
}

function metricLine(name: string, type: string, contains: string): string {
  return `{"type":"Metric","data":{"name":"${name}","type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":"${name}"}`;
}

/** Writes about `samples` Point lines (stopping at the first iteration boundary past it) to `path`. */
export async function generateSamples(
  path: string,
  samples: number,
  startMs = Date.UTC(2026, 0, 1),
): Promise<GeneratedRun> {
  const rand = seededRandom(42);
  const out = createWriteStream(path);
  let buffer = "";
  let points = 0;
  let lines = 0;
  const write = async (line: string, point = true) => {
    buffer += `${line}\n`;
    lines++;
    if (point) points++;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  };
  const point = (metric: string, t: string, value: number, tags: string) =>
    write(`{"metric":"${metric}","type":"Point","data":{"time":"${t}","value":${value},"tags":{${tags}}}}`);

  for (const m of HTTP_METRICS) await write(metricLine(m, m === "http_reqs" ? "counter" : "trend", "time"), false);
  for (const m of ITERATION_METRICS) await write(metricLine(m, "counter", "default"), false);
  for (const m of CUSTOM) await write(metricLine(m, m === METRIC.req ? "trend" : "counter", "default"), false);

  // ~24.6 lines per iteration of ~2.05 requests (as in a real run): 50 iterations/s.
  const perIteration = 24.6;
  const durationMs = Math.round((samples / perIteration / 50) * 1000);
  const crashMs = startMs + Math.round(durationMs / 3);
  const restartMs = startMs + Math.round((2 * durationMs) / 3);
  const sessions = new Map<number, string>();
  let t = startMs;
  let lastVus = startMs;
  while (points < samples) {
    t += 20 * (0.5 + rand());
    const ms = Math.floor(t);
    const crashed = ms >= crashMs && ms < restartMs;
    if (ms - lastVus >= 1000) {
      lastVus = ms;
      await point("vus", time(ms, 0), 50, "");
    }
    const vu = Math.floor(rand() * 50);
    const requests = 2 + (rand() < 0.05 ? 1 : 0);
    for (let r = 0; r < requests; r++) {
      const stamp = time(ms + r * 3, Math.floor(rand() * 1e6));
      let home = sessions.get(vu);
      let instance = home ?? INSTANCES[Math.floor(rand() * 3)]!;
      let cls = "ok";
      let status = 200;
      let value = 1.2 + rand() * rand() * 20;
      if (rand() < 0.002) value += 900;
      const { endpoint, method, name } = home
        ? ENDPOINTS[r % 2]!
        : { endpoint: "login", method: "POST", name: "/login" };
      if (crashed && instance === "app-2") {
        if (rand() < 0.05) {
          cls = "reset";
          status = 0;
          instance = "none";
        } else if (home === "app-2") {
          cls = "lost";
          status = 401;
          instance = "app-1";
          sessions.delete(vu);
          await point(
            METRIC.sessionsLost,
            stamp,
            1,
            `"group":"","home":"app-2","instance":"app-1","scenario":"login_profile"`,
          );
          home = undefined;
        } else instance = "app-3";
      }
      if (!home && cls === "ok") {
        sessions.set(vu, instance);
        await point(METRIC.sessionsStarted, stamp, 1, `"group":"","instance":"${instance}","scenario":"login_profile"`);
      }
      const expected = status >= 200 && status < 400 ? "true" : status === 401 ? "true" : "false";
      const tags = `"endpoint":"${endpoint}","expected_response":"${expected}","group":"","method":"${method}","name":"${name}","proto":"HTTP/1.1","scenario":"login_profile","status":"${status}","url":"${name}"`;
      for (const m of HTTP_METRICS) {
        const v =
          m === "http_reqs"
            ? 1
            : m === "http_req_failed"
              ? expected === "true"
                ? 0
                : 1
              : m.endsWith("duration") || m.endsWith("waiting")
                ? value
                : 0.01 + rand() * 0.1;
        await point(m, stamp, v, tags);
      }
      await point(
        METRIC.req,
        stamp,
        value,
        `"class":"${cls}","endpoint":"${endpoint}","group":"","instance":"${instance}","scenario":"login_profile"`,
      );
      if (cls === "reset" && endpoint === "profile_set") {
        await point(
          METRIC.writesIndeterminate,
          stamp,
          1,
          `"endpoint":"profile_set","group":"","scenario":"login_profile"`,
        );
      }
    }
    const end = time(ms + requests * 3, Math.floor(rand() * 1e6));
    const itags = `"group":"","scenario":"login_profile"`;
    await point("iterations", end, 1, itags);
    await point("iteration_duration", end, requests * 3.1, itags);
    await point("data_sent", end, 380 * requests, itags);
    await point("data_received", end, 460 * requests, itags);
  }
  out.end(buffer);
  await once(out, "finish");
  return { samples: points, lines, startMs, crashMs, restartMs, endMs: Math.ceil(t) };
}
