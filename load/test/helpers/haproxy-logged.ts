// Test and bench helper: real HAProxy (the harness's generated config, one server) in front of a local app, with a
// per-request log line carrying HAProxy's own timer %Ta (ms from the request's first byte to the answer's last) on
// its stdout. Stopped by its own PID (ManagedChild).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { haproxyConfig } from "../../../orchestrator/src/balancer/haproxy-config.ts";
import { healthProfiles } from "../../../orchestrator/src/plan/health-profiles.ts";
import { ManagedChild } from "../../../orchestrator/src/process/child.ts";
import { pollUntil } from "../../../orchestrator/src/process/poll.ts";
import { freePorts } from "../../../orchestrator/src/process/ports.ts";
import { haproxyPath } from "../../../tools/tool-paths.mjs";

/** The marker of our log lines: `FHLOG <Ta> <status>`. */
const MARK = "FHLOG";

export interface LoggedHaproxy {
  url: string;
  /** %Ta (ms) of every request logged so far, in log order. */
  ta: number[];
  stop(): Promise<void>;
}

/** The generated config plus logging: raw lines on stdout, one per request with %Ta and the status. */
export function withTimerLog(config: string): string {
  return config
    .replace(/^global$/m, "global\n  log stdout format raw local0 info")
    .replace(/^frontend web$/m, `frontend web\n  log global\n  log-format "${MARK} %Ta %ST"`);
}

/** Starts HAProxy on a free port in front of `appPort` (127.0.0.1); resolves once it forwards requests. */
/** `cpu`: pin it to that core (taskset); `log: false`: no per-request log (for the bench). */
export async function startLoggedHaproxy(
  appPort: number,
  dir: string,
  options: { cpu?: number; log?: boolean } = {},
): Promise<LoggedHaproxy> {
  const { cpu, log = true } = options;
  const [port] = await freePorts(1);
  const file = join(dir, `haproxy-${port}.cfg`);
  const config = haproxyConfig({
    bind: { host: "127.0.0.1", port: port as number },
    statsSocket: join(dir, `haproxy-${port}.sock`),
    servers: [{ id: "app1", host: "127.0.0.1", port: appPort }],
    sticky: false,
    health: { ...healthProfiles["haproxy-default"], intervalMs: 1000 },
  });
  writeFileSync(file, log ? withTimerLog(config) : config);
  const ta: number[] = [];
  const child = new ManagedChild({
    name: "lb",
    command: cpu === undefined ? haproxyPath() : "taskset",
    args: [...(cpu === undefined ? [] : ["-c", String(cpu), haproxyPath()]), "-db", "-f", file],
    echo: false,
    onLine: (line) => {
      const m = new RegExp(`${MARK} (-?\\d+) (\\d+)`).exec(line);
      if (m) ta.push(Number(m[1]));
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await pollUntil(
    async () => {
      const res = await fetch(`${url}/ping.html`);
      await res.text();
      return res.status === 200 ? true : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100, what: "HAProxy forwarding to the app" },
  );
  // The readiness request's own log line, so that callers count from a settled log.
  if (log)
    await pollUntil(async () => ta.length > 0, { timeoutMs: 5000, intervalMs: 20, what: "HAProxy's first log line" });
  return {
    url,
    ta,
    stop: async () => {
      await child.stop(3000);
    },
  };
}
