// npm run bench:load: the load engine beside wrk, each pinned to core 0 (taskset) against the same small node:http
// app pinned to core 1 (and the same through HAProxy on core 1): plain GET with 50 connections; the login/profile
// scenario at saturation; CPU per request at 100 and 1,000 requests/s; start lag p99; peak RSS; bytes per request.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { haproxyPath } from "../../tools/tool-paths.mjs";
import type { LoadConfig, LoadMessage } from "../api.ts";
import { forEachRecord } from "../records.ts";
import { quantile } from "../seconds.ts";
import { type LoggedHaproxy, startLoggedHaproxy } from "../test/helpers/haproxy-logged.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "load/main.ts");
const FAKE_APP = join(ROOT, "load/test/fixtures/fake-app.ts");
const CLIENT_CPU = 0;
const SERVER_CPU = 1;
const LOOP_MS = 5000;
const TICKS = 100; // clock ticks per second (/proc/<pid>/stat)

const dir = mkdtempSync(join(tmpdir(), "fh-load-bench-"));
const children: ChildProcess[] = [];

function has(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: "ignore" }).status === 0;
}

/** User + system CPU ms of a process (all its threads) from /proc. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

/** Busy CPU ms of one core so far (all processes), from /proc/stat. */
function coreBusyMs(cpu: number): number {
  const line = readFileSync("/proc/stat", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`cpu${cpu} `));
  const f = (line ?? "").trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return (busy * 1000) / TICKS;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** The fake app as its own process pinned to the server core; resolves with its URL. */
async function startApp(): Promise<string> {
  const child = spawn("taskset", ["-c", String(SERVER_CPU), process.execPath, "--import", "tsx", FAKE_APP, "0"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding("utf8").once("data", (line: string) => resolve(line.trim()));
    child.once("exit", (code) => reject(new Error(`fake app exited (${code})`)));
  });
}

function wrk(url: string): number {
  const out = spawnSync("taskset", ["-c", String(CLIENT_CPU), "wrk", "-t1", "-c50", "-d5s", url], { encoding: "utf8" });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1];
  if (!rps) throw new Error(`wrk printed no Requests/sec: ${out.stdout}${out.stderr}`);
  return Number(rps);
}

interface EngineFigures {
  requestsPerSecond: number;
  cpuMsPerRequest: number;
  lagP99Ms: number | null;
  peakRssMb: number;
  bytesPerRequest: number;
  failed: number;
  dropped: number;
  /** Share of the client core that other processes used during the window (the machine is shared). */
  othersOnCore: number;
}

/**
 * One engine run pinned to the client core. Figures over the steady window [t0 + from, t0 + to): requests whose
 * answers came in it, the process's CPU between the `second` messages that bound it.
 */
async function engine(config: Omit<LoadConfig, "runId" | "workers" | "recordsFile">, window: [number, number]) {
  const recordsFile = join(dir, `records-${Date.now()}.tsv.gz`);
  const full: LoadConfig = { ...config, runId: `bench${Date.now()}`, workers: 1, recordsFile };
  const child = spawn(
    "taskset",
    ["-c", String(CLIENT_CPU), process.execPath, "--import", "tsx", MAIN, JSON.stringify(full)],
    {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, FH_BENCH_LOOP_MS: String(LOOP_MS) },
    },
  );
  children.push(child);
  const pid = child.pid as number;
  let t0 = 0;
  let cpuFrom = 0;
  let cpuTo = 0;
  let coreFrom = 0;
  let coreTo = 0;
  let rss = 0;
  child.on("message", (m: LoadMessage) => {
    if (m.type === "started") t0 = m.t0;
    if (m.type !== "second") return;
    const s = Math.round((m.t - t0) / 1000);
    // A second's message comes ~0.25 s after it ends: the CPU read then covers up to about that time.
    if (s + 1 === window[0]) {
      cpuFrom = cpuMs(pid);
      coreFrom = coreBusyMs(CLIENT_CPU);
    }
    if (s + 1 === window[1]) {
      cpuTo = cpuMs(pid);
      coreTo = coreBusyMs(CLIENT_CPU);
    }
    rss = Math.max(rss, peakRssMb(pid));
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`engine exited with ${code}`);
  let inWindow = 0;
  let requests = 0;
  let failed = 0;
  let dropped = 0;
  const lags: number[] = [];
  await forEachRecord(recordsFile, (r) => {
    if (r.kind === "request") {
      requests++;
      if (r.cls !== "ok") failed++;
      if (r.t >= t0 + window[0] * 1000 && r.t < t0 + window[1] * 1000) inWindow++;
    } else if (r.kind === "iteration") lags.push(r.started - r.scheduled);
    else if (r.kind === "dropped") dropped++;
  });
  const seconds = window[1] - window[0];
  lags.sort((a, b) => a - b);
  const figures: EngineFigures = {
    requestsPerSecond: inWindow / seconds,
    cpuMsPerRequest: cpuTo > cpuFrom ? (cpuTo - cpuFrom) / inWindow : Number.NaN,
    lagP99Ms: quantile(lags, 0.99),
    peakRssMb: rss,
    bytesPerRequest: statSync(recordsFile).size / Math.max(1, requests),
    failed,
    dropped,
    othersOnCore: Math.max(0, coreTo - coreFrom - (cpuTo - cpuFrom)) / (seconds * 1000),
  };
  return figures;
}

const fmt = (n: number | null, digits = 0) => (n === null || Number.isNaN(n) ? "-" : n.toFixed(digits));

async function main(): Promise<number> {
  const missing = ["taskset", "wrk"].filter((tool) => !has("sh", ["-c", `command -v ${tool}`]));
  if (missing.includes("taskset")) {
    console.error("bench:load: taskset not found (util-linux): cannot pin the processes to cores; nothing measured");
    return 2;
  }
  const wrkMissing = missing.includes("wrk")
    ? "wrk not found: install Debian's package (apt-get install wrk) to measure it beside the engine"
    : null;
  const haproxyMissing = has(haproxyPath(), ["-v"]) ? null : `${haproxyPath()} not found (npm run setup -- haproxy)`;
  console.log(
    `bench:load ${new Date().toISOString()} on ${process.version}; client core ${CLIENT_CPU}, server core ${SERVER_CPU}`,
  );
  const appUrl = await startApp();
  let lb: LoggedHaproxy | null = null;
  try {
    const targets: Array<[string, string]> = [["direct", appUrl]];
    if (!haproxyMissing) {
      lb = await startLoggedHaproxy(Number(new URL(appUrl).port), dir, { cpu: SERVER_CPU, log: false });
      targets.push(["through HAProxy", lb.url]);
    } else console.log(`skipping the HAProxy rows: ${haproxyMissing}`);
    if (wrkMissing) console.log(`skipping wrk: ${wrkMissing}`);
    const loop = { rate: 50, sessions: 50, durationMs: 1000, requestTimeoutMs: 10_000 };
    const window: [number, number] = [2, 5];
    for (const [name, url] of targets) {
      console.log(`\n== ${name} (${url})`);
      if (!wrkMissing)
        console.log(`wrk, GET /plain, 50 connections:            ${fmt(wrk(`${url}/plain`))} requests/s`);
      const plain = await engine(
        { ...loop, scenario: join(ROOT, "load/bench/plain-get-loop.ts"), baseUrl: url },
        window,
      );
      console.log(
        `engine, GET /plain, 50 people in a loop:     ${fmt(plain.requestsPerSecond)} requests/s, ` +
          `${fmt(plain.cpuMsPerRequest, 4)} ms CPU/request, peak RSS ${fmt(plain.peakRssMb)} MB`,
      );
      const full = await engine(
        { ...loop, scenario: join(ROOT, "load/bench/login-profile-loop.ts"), baseUrl: url },
        window,
      );
      console.log(
        `engine, login-profile, 50 people in a loop:  ${fmt(full.requestsPerSecond)} requests/s, ` +
          `${fmt(full.cpuMsPerRequest, 4)} ms CPU/request, peak RSS ${fmt(full.peakRssMb)} MB, ` +
          `${fmt(full.bytesPerRequest, 1)} bytes/request on disk, ${full.failed} failed`,
      );
      for (const rate of [50, 500]) {
        const open = await engine(
          { scenario: "login-profile", baseUrl: url, rate, sessions: 100, durationMs: 7000, requestTimeoutMs: 5000 },
          [2, 6],
        );
        console.log(
          `engine, login-profile, open model ${String(rate).padStart(3)} it/s: ${fmt(open.requestsPerSecond)} requests/s, ` +
            `${fmt(open.cpuMsPerRequest, 4)} ms CPU/request, start lag p99 ${fmt(open.lagP99Ms, 2)} ms, ` +
            `${open.dropped} dropped, peak RSS ${fmt(open.peakRssMb)} MB, ${fmt(open.bytesPerRequest, 1)} bytes/request; ` +
            `other processes used ${fmt(open.othersOnCore * 100)} % of core ${CLIENT_CPU} meanwhile`,
        );
      }
    }
    return 0;
  } finally {
    await lb?.stop();
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
    process.exit(1);
  },
);
