// The compose platform against a recording docker stand-in (no Docker engine here): every preset's
// docker command sequence, tear-down after a failure, the audit and the balancer's stats page.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative as relativePath } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Plan } from "../../../src/plan/plan.ts";
import type { PresetName } from "../../../src/plan/presets.ts";
import type { ComposePlatform } from "../../../src/platforms/compose/compose-platform.ts";
import { createPlatform } from "../../../src/platforms/index.ts";
import { EventLog } from "../../../src/run/events.ts";
import { planFromOptions } from "../../../src/run/plan-from-options.ts";
import { runTimeline } from "../../../src/run/timeline.ts";
import { dynaliteVersion } from "../../../src/store-servers/dynalite/index.ts";

const fakeDocker = join(import.meta.dirname, "fake-docker", "docker");
const envKeys = [
  "FH_DOCKER_BIN",
  "FAKE_DOCKER_LOG",
  "FAKE_DOCKER_LB_PORT",
  "FAKE_DOCKER_FAIL_ON",
  "FAKE_DOCKER_FAIL_CALL",
  "FAKE_DOCKER_SESSIONS",
  "FAKE_DOCKER_EXISTING",
  "FH_IMAGE_NODE",
  "FH_IMAGE_LB",
  "FH_IMAGE_REDIS",
] as const;
const savedEnv = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]));

// HAProxy's stats page as the balancer publishes it: every server UP (the `;csv` answer's header).
const header =
  "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt";
const statsCsv = (n: number) =>
  [
    header,
    "web,FRONTEND,,,0,0,4096,0,0,0,0,0,0,,,,,OPEN",
    ...Array.from({ length: n }, (_, i) => `app,app-${i + 1},0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,5,0`),
    "app,BACKEND,0,0,0,0,410,0,0,0,0,0,,0,0,0,0,UP,3,3,0",
    "",
  ].join("\n");

let stats: Server;
let statsRequests: string[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  stats = createServer((req, res) => {
    // The stats page is behind the run's credential (basic auth), as HAProxy's `stats auth`.
    if (!/^Basic [A-Za-z0-9+/=]+$/.test(req.headers.authorization ?? "")) {
      statsRequests.push(`unauthenticated ${req.method} ${req.url}`);
      return res.writeHead(401).end();
    }
    if (req.method === "POST" && req.url === "/fh-lb-stats") {
      // HAProxy's admin form (`stats admin`): a server's state changed, answered 303 with st=DONE.
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        statsRequests.push(`POST ${body}`);
        res.writeHead(303, { location: "/fh-lb-stats;st=DONE" }).end();
      });
      return;
    }
    statsRequests.push(req.url ?? "");
    if (req.url !== "/fh-lb-stats;csv") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/plain" }).end(statsCsv(3));
  });
  await new Promise<void>((resolve) => stats.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await new Promise((resolve) => stats.close(resolve));
});

afterEach(() => {
  for (const k of envKeys) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setUp(strategy: string, preset: PresetName, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "fh-compose-"));
  dirs.push(dir);
  const log = join(dir, "docker-calls.jsonl");
  Object.assign(process.env, {
    FH_DOCKER_BIN: fakeDocker,
    FAKE_DOCKER_LOG: log,
    FAKE_DOCKER_LB_PORT: String((stats.address() as AddressInfo).port),
    ...env,
  });
  statsRequests = [];
  const plan = planFromOptions({
    platform: "compose",
    strategy,
    preset,
    seed: "5",
    duration: "30s",
    runId: `t-${strategy}-${preset}`,
    out: join(dir, "run"),
  });
  const platform = createPlatform(plan, join(dir, "run")) as ComposePlatform;
  const c = (...args: string[]) => ["compose", "-p", platform.project, "-f", platform.composeFile, ...args];
  const calls = () =>
    readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string[]);
  return { plan, platform, c, calls };
}

/** As a run does it: up, the plan's faults (all due at once), and down in a finally. */
async function runPlan(plan: Plan, platform: ComposePlatform, faults = plan.faults): Promise<EventLog> {
  const log = new EventLog();
  try {
    await platform.up();
    await runTimeline({
      plan: { ...plan, faults },
      platform,
      log,
      t0: Date.now() - plan.load.durationMs,
      signal: new AbortController().signal,
      activeWithinMs: 10_000,
      onFault: () => {},
    });
  } finally {
    await platform.down();
  }
  return log;
}

/** The check before up: the project's containers, if any (another run's). */
const existing = (project: string) => ["ps", "-a", "-q", "--filter", `label=com.docker.compose.project=${project}`];

/** The audit taken just before an instance is taken away: its session volume listed by a node container. */
const audit = (c: (...a: string[]) => string[], id: string) => {
  const project = c()[2] as string;
  return [
    "run",
    "--rm",
    "--network",
    "none",
    "--user",
    "0:0",
    "--volumes-from",
    `${project}-${id}-1:ro`,
    "--entrypoint",
    "node",
    expect.any(String),
    "-e",
    expect.stringContaining("readdirSync"),
    "/sessions",
  ];
};

describe("compose platform: each preset's docker commands, in order", () => {
  it("single-crash: kill -s SIGKILL, then start (and wait until healthy)", async () => {
    const { plan, platform, c, calls } = setUp("sticky", "single-crash");
    const victim = plan.faults[0]!.target;
    expect(plan.faults.map((f) => [f.action, f.target])).toEqual([
      ["crash", victim],
      ["restart", victim],
    ]);
    await runPlan(plan, platform);
    expect(calls()).toEqual([
      existing(platform.project),
      c("up", "-d", "--build", "--wait"),
      c("port", "lb", "8080"),
      c("port", "lb", "8404"),
      audit(c, victim),
      c("kill", "-s", "SIGKILL", victim),
      c("start", victim),
      c("ps", "-a", "--format", "json", victim),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
    expect(statsRequests.length).toBeGreaterThan(0);
    expect(statsRequests.filter((r) => r.startsWith("unauthenticated"))).toEqual([]);
    expect(platform.lbUrl()).toBe(`http://127.0.0.1:${(stats.address() as AddressInfo).port}`);
  });

  it("terminate: kill, remove the container and its session volume, create it anew", async () => {
    const { plan, platform, c, calls } = setUp("sticky", "terminate");
    const victim = plan.faults[0]!.target;
    await runPlan(plan, platform);
    expect(calls()).toEqual([
      existing(platform.project),
      c("up", "-d", "--build", "--wait"),
      c("port", "lb", "8080"),
      c("port", "lb", "8404"),
      audit(c, victim),
      c("kill", "-s", "SIGKILL", victim),
      c("rm", "-s", "-f", victim),
      ["volume", "rm", `${platform.project}_sessions-${victim}`],
      c("up", "-d", "--no-deps", victim),
      c("ps", "-a", "--format", "json", victim),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
  });

  it("rolling-restart: each instance in turn deregistered, stopped gracefully (-t 15) and replaced on a fresh volume", async () => {
    const { plan, platform, c, calls } = setUp("local", "rolling-restart");
    await runPlan(plan, platform);
    const replace = (id: string) => [
      audit(c, id),
      c("stop", "-t", "15", id),
      c("rm", "-s", "-f", id),
      ["volume", "rm", `${platform.project}_sessions-${id}`],
      c("up", "-d", "--no-deps", id),
      c("ps", "-a", "--format", "json", id),
    ];
    expect(calls()).toEqual([
      existing(platform.project),
      c("up", "-d", "--build", "--wait"),
      c("port", "lb", "8080"),
      c("port", "lb", "8404"),
      ...replace("app-1"),
      ...replace("app-2"),
      ...replace("app-3"),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
    // Each instance is taken out of HAProxy before it stops and put back once replaced (stats page).
    expect(statsRequests.filter((r) => r.startsWith("POST"))).toEqual(
      ["app-1", "app-2", "app-3"].flatMap((id) => [
        `POST s=${id}&action=maint&b=app`,
        `POST s=${id}&action=ready&b=app`,
      ]),
    );
  });

  it("freeze: pause, then unpause", async () => {
    const { plan, platform, c, calls } = setUp("sticky", "freeze");
    const victim = plan.faults[0]!.target;
    await runPlan(plan, platform);
    expect(calls()).toEqual([
      existing(platform.project),
      c("up", "-d", "--build", "--wait"),
      c("port", "lb", "8080"),
      c("port", "lb", "8404"),
      audit(c, victim),
      c("pause", victim),
      c("unpause", victim),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
  });

  it("store-outage (dynamodb): the table made after up; the store killed, started, and waited for", async () => {
    const { plan, platform, c, calls } = setUp("dynamodb", "store-outage");
    await runPlan(plan, platform);
    expect(calls()).toEqual([
      existing(platform.project),
      c("up", "-d", "--build", "--wait"),
      c("run", "--rm", "--no-deps", "store-init"),
      c("port", "lb", "8080"),
      c("port", "lb", "8404"),
      c("kill", "-s", "SIGKILL", "dynamodb"),
      c("start", "dynamodb"),
      c("run", "--rm", "--no-deps", "store-init"),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
  });

  it("store-outage (redis): the store stopped (SIGTERM: it saves a snapshot first), then started", async () => {
    const { plan, platform, c, calls } = setUp("redis", "store-outage");
    await runPlan(plan, platform);
    expect(calls()).toEqual([
      existing(platform.project),
      c("up", "-d", "--build", "--wait"),
      c("port", "lb", "8080"),
      c("port", "lb", "8404"),
      c("stop", "-t", "15", "redis"),
      c("start", "redis"),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
  });

  it("store-restart (redis): the store killed and started again at once", async () => {
    const { plan, platform, c, calls } = setUp("redis", "store-restart");
    await runPlan(plan, platform);
    expect(calls()).toEqual([
      existing(platform.project),
      c("up", "-d", "--build", "--wait"),
      c("port", "lb", "8080"),
      c("port", "lb", "8404"),
      c("kill", "-s", "SIGKILL", "redis"),
      c("start", "redis"),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
  });

  it("store-outage (disk sessions): nothing to stop, no store command", async () => {
    const { plan, platform, c, calls } = setUp("sticky", "store-outage");
    await runPlan(plan, platform);
    expect(calls()).toEqual([
      existing(platform.project),
      c("up", "-d", "--build", "--wait"),
      c("port", "lb", "8080"),
      c("port", "lb", "8404"),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
  });
});

describe("compose platform: tear-down always runs", () => {
  it("a kill that fails mid-plan surfaces its command and error, and down is still recorded", async () => {
    const { plan, platform, c, calls } = setUp("sticky", "single-crash", { FAKE_DOCKER_FAIL_ON: "kill" });
    const victim = plan.faults[0]!.target;
    await expect(runPlan(plan, platform)).rejects.toThrow(
      new RegExp(
        `docker compose .* kill -s SIGKILL ${victim} failed \\(exit 1\\):\\s+Error response from daemon: injected failure`,
      ),
    );
    expect(calls().at(-2)).toEqual(c("kill", "-s", "SIGKILL", victim));
    expect(calls().at(-1)).toEqual(c("--profile", "*", "down", "-v", "--remove-orphans"));
    expect(calls().some((a) => a.includes("start"))).toBe(false);
  });

  it("a failed up is followed by down", async () => {
    const { plan, platform, c, calls } = setUp("dynamodb", "single-crash", { FAKE_DOCKER_FAIL_CALL: "2" });
    await expect(runPlan(plan, platform)).rejects.toThrow(/up -d --build --wait failed/);
    expect(calls()).toEqual([
      existing(platform.project),
      c("up", "-d", "--build", "--wait"),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
  });

  it("up refuses a project that already has containers, and then never takes it down", async () => {
    const { plan, platform, calls } = setUp("sticky", "single-crash", { FAKE_DOCKER_EXISTING: "0123abcd\n" });
    await expect(runPlan(plan, platform)).rejects.toThrow(
      new RegExp(`compose project ${platform.project} already has containers \\(1\\)`),
    );
    expect(calls()).toEqual([existing(platform.project)]);
  });

  it("a frozen instance is thawed before down, when the plan ends without a thaw", async () => {
    const { plan, platform, c, calls } = setUp("sticky", "freeze");
    const victim = plan.faults[0]!.target;
    await runPlan(plan, platform, plan.faults.slice(0, 1));
    expect(calls().slice(-3)).toEqual([
      c("pause", victim),
      c("unpause", victim),
      c("--profile", "*", "down", "-v", "--remove-orphans"),
    ]);
  });

  it("down before up does nothing; down twice tears down once", async () => {
    const { platform, calls, c } = setUp("sticky", "single-crash");
    await platform.down();
    await platform.up();
    await platform.down();
    await platform.down();
    expect(calls().filter((a) => a.includes("down"))).toEqual([c("--profile", "*", "down", "-v", "--remove-orphans")]);
  });
});

describe("compose platform: probes", () => {
  it("reads the balancer's view from HAProxy's stats page on the published port", async () => {
    const { platform } = setUp("sticky", "single-crash");
    expect((await platform.lbStates()).size).toBe(0);
    try {
      await platform.up();
      const states = await platform.lbStates();
      expect([...states.keys()]).toContain("app-3");
      expect(states.get("app-1")).toEqual({
        status: "UP",
        inFlight: 0,
        abortedTotal: 0,
        retried: { retries: 0, redispatches: 0 },
      });
    } finally {
      await platform.down();
    }
  });

  it("audits disk sessions listed from the instance's volume with the target's format and the shared counting", async () => {
    const now = Date.now();
    const file = (username: string, ageMs: number, expiresIn = 60_000, name = `${username}-${ageMs}.json`) => ({
      name,
      text: JSON.stringify({ sess: { username }, expires: now + expiresIn }),
      mtimeMs: now - ageMs,
    });
    // target-app's audit.disk takes *.json only: dan's file is not a session.
    const sessions = [
      file("ann", 1000),
      file("bob", 60_000),
      file("cy", 1000, -1),
      file("ann", 500),
      file("dan", 500, 60_000, "dan.tmp"),
    ];
    const { platform } = setUp("sticky", "single-crash", { FAKE_DOCKER_SESSIONS: JSON.stringify(sessions) });
    expect(await platform.auditSessions("app-2", 10_000)).toEqual({
      activeSessions: 1,
      storedSessions: 2,
      shared: false,
    });
    const shared = setUp("dynamodb", "single-crash").platform;
    expect(await shared.auditSessions("app-2", 10_000)).toEqual({ activeSessions: 0, storedSessions: 0, shared: true });
  });

  it("versions: engine, compose, HAProxy (asked inside the balancer) and the store", async () => {
    // Images named by the user win over images.json and the official names.
    const env = { FH_IMAGE_NODE: "my/node:22", FH_IMAGE_LB: "my/haproxy:2.6", FH_IMAGE_REDIS: "my/redis:7.0" };
    const { platform } = setUp("dynamodb", "single-crash", env);
    const dynalite = `failover-harness/dynalite:${dynaliteVersion()}`;
    expect(await platform.versions()).toEqual({
      target: expect.stringMatching(/^target-app \(.*targets\/target-app\/target\.yaml\)$/),
      docker: "28.2.2",
      compose: "2.29.7",
      haproxy: "HAProxy version 2.6.22 2025/04/01 - https://haproxy.org/",
      store: `DynamoDB emulator dynalite ${dynaliteVersion()} (on disk in its container, image ${dynalite})`,
      images: `node my/node:22 ($FH_IMAGE_NODE), lb my/haproxy:2.6 ($FH_IMAGE_LB), dynamodb ${dynalite} (built on the node image), target-app failover-harness/target-app:local (built from target-app/Dockerfile)`,
    });
    const redis = setUp("redis", "single-crash", env).platform;
    expect(await redis.versions()).toMatchObject({
      store: "my/redis:7.0",
      images:
        "node my/node:22 ($FH_IMAGE_NODE), lb my/haproxy:2.6 ($FH_IMAGE_LB), redis my/redis:7.0 ($FH_IMAGE_REDIS), target-app failover-harness/target-app:local (built from target-app/Dockerfile)",
    });
  });

  it("writes its run folder's files under an absolute path when --out is relative", async () => {
    const { plan } = setUp("sticky", "single-crash");
    const relative = relativePath(process.cwd(), join(dirs.at(-1)!, "relative-run"));
    const platform = createPlatform({ ...plan, outDir: relative }, relative) as ComposePlatform;
    await platform.up();
    await platform.down();
    expect(isAbsolute(platform.composeFile)).toBe(true);
    const lb = (
      parseYaml(readFileSync(platform.composeFile, "utf8")) as { services: Record<string, { volumes: string[] }> }
    ).services.lb!;
    expect(lb.volumes).toEqual([
      `${join(dirs.at(-1)!, "relative-run", "haproxy.cfg")}:/usr/local/etc/haproxy/haproxy.cfg:ro`,
    ]);
  });

  it("refuses an instance outside the fleet", async () => {
    const { platform } = setUp("sticky", "single-crash");
    await expect(platform.instanceOp("app-9", "kill")).rejects.toThrow(
      /no instance "app-9": the fleet is app-1, app-2, app-3/,
    );
  });
});
