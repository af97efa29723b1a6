// The compose platform: the fleet as a docker compose project of its own per run (`-p fh-<run>`),
// written into the run folder from a typed model. Faults are docker compose commands on one
// service; the balancer's view comes from HAProxy's stats page through its published port.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseShowStat, statsPageAction } from "../../balancer/haproxy-stats.ts";
import { drainedOrTimedOut, everyServerUp } from "../../balancer/lb-state.ts";
import { HarnessError } from "../../errors.ts";
import { wipedSinceStart } from "../../faults/walk.ts";
import { healthProfiles } from "../../plan/health-profiles.ts";
import { instanceIds } from "../../plan/instances.ts";
import type { Plan } from "../../plan/plan.ts";
import { onForcedStop } from "../../process/forced-stop.ts";
import { pollUntil } from "../../process/poll.ts";
import { onOrchestratorDeath } from "../../process/supervisor.ts";
import { strategyUnit } from "../../strategies/index.ts";
import type { SharedStoreServer, StrategyUnit } from "../../strategies/types.ts";
import { diskSessionFiles } from "../../targets/audit-formats.ts";
import { defaultTargetName, loadTarget, type Target } from "../../targets/target-file.ts";
import { countDiskSessions, type SessionFile } from "../disk-sessions.ts";
import type {
  InstanceInfo,
  InstanceOp,
  LbServerState,
  Platform,
  PlatformStep,
  SessionAudit,
  StoreOp,
} from "../types.ts";
import {
  composeHaproxyConfig,
  containerPort,
  renderComposeFile,
  services,
  sessionDir,
  sessionVolume,
  statsPort,
  statsUri,
  statsUser,
  storeAppEnv,
  storeImage,
} from "./compose-file.ts";
import { commandLine, dockerBin, runDocker } from "./docker-cli.ts";
import { type ComposeImages, type ImageRole, type ImageSource, resolveBaseImage, resolveImages } from "./images.ts";
import { composeApp } from "./target-service.ts";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../../..");

/** Bounds of each kind of docker call (the first `up` builds the image: minutes). */
const timeouts = {
  up: 20 * 60_000,
  down: 3 * 60_000,
  op: 60_000,
  stop: 60_000,
  query: 30_000,
  store: 2 * 60_000,
  ready: 90_000,
};
/** `docker compose stop -t`: the graceful drain an instance gets before SIGKILL. */
const stopGraceSeconds = 15;

/**
 * Lists each file of the session folder with its name, text and mtime, as JSON: run by the node image in a container
 * of its own that mounts the instance's volumes, so that it needs nothing of the app's image (PHP's has no Node).
 */
const listSessionsScript =
  'const fs=require("fs"),p=require("path"),d=process.argv[1];let n=[];' +
  'try{n=fs.readdirSync(d)}catch(e){if(e.code!=="ENOENT")throw e}const o=[];' +
  "for(const f of n){const q=p.join(d,f);" +
  'try{const s=fs.statSync(q);if(s.isFile())o.push({name:f,text:fs.readFileSync(q,"utf8"),mtimeMs:s.mtimeMs})}catch{}}' +
  "process.stdout.write(JSON.stringify(o))";

/**
 * A compose project name from a run id: lower case letters, digits, "-" and "_", at most 63, and injective: the
 * readable part is lowered and folded, so a hash of the whole run id follows it (`A-1`, `a.1` and `a-1` differ).
 */
export function projectName(runId: string): string {
  const hash = createHash("sha256").update(runId).digest("hex").slice(0, 10);
  const readable = runId
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .slice(0, 63 - "fh-".length - hash.length - 1);
  return `fh-${readable.replace(/[-_]+$/, "")}-${hash}`;
}

/** One line of `docker compose ps --format json` (older versions print one JSON array instead). */
interface PsEntry {
  Service?: string;
  State?: string;
  Health?: string;
}

export function parsePs(text: string): PsEntry[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (trimmed.startsWith("[")) return JSON.parse(trimmed) as PsEntry[];
  return trimmed.split("\n").map((line) => JSON.parse(line) as PsEntry);
}

export class ComposePlatform implements Platform {
  readonly name = "compose";
  readonly project: string;
  readonly composeFile: string;
  private readonly strategy: StrategyUnit;
  /** The app under test: its target file (plan.target; target-app when the plan names none). */
  private readonly target: Target;
  private readonly ids: string[];
  private readonly sessionSecret = randomBytes(24).toString("hex");
  /** The stats page's per-run credential: its admin rights (MAINT, READY) need it; the app's port has no stats page. */
  private readonly statsPassword = randomBytes(18).toString("hex");
  private statsHostPort = 0;
  /** The images this run uses (official, the set-up's local equivalents, or the user's $FH_IMAGE_*). */
  readonly images: ComposeImages;
  private readonly imageSources: Record<ImageRole, ImageSource>;
  /** The Debian image a target's own Dockerfile builds on ({baseImage}). */
  private readonly baseImage: { image: string; source: ImageSource };
  private lbPort = 0;
  /** True once `up` was issued: from then on `down` has a project to remove. */
  private started = false;
  /** The `down` in progress, shared by the run's tear-down and a forced stop (a second Ctrl-C). */
  private tearingDown?: Promise<void>;
  private forgetForcedStop?: () => void;
  private forgetWatchdogDown?: () => void;
  private readonly paused = new Set<string>();
  /** Instances whose container was removed with their disk: `start` creates them anew. */
  private readonly removed = new Set<string>();

  private readonly runDir: string;

  constructor(
    private readonly plan: Plan,
    runDir: string,
  ) {
    // Absolute: the compose file mounts haproxy.cfg from here, and Compose reads a bind mount's
    // source without `/` or `./` as the name of a volume (`--out reports/out/x` is relative).
    this.runDir = resolve(runDir);
    this.strategy = strategyUnit(plan.strategy);
    this.target = loadTarget(plan.target?.file ?? defaultTargetName);
    this.ids = instanceIds(plan.instances);
    this.project = projectName(plan.runId);
    this.composeFile = join(this.runDir, "docker-compose.yml");
    ({ images: this.images, sources: this.imageSources } = resolveImages());
    this.baseImage = resolveBaseImage();
  }

  async up(signal?: AbortSignal): Promise<void> {
    // Never adopt another run's project: its containers and volumes would go with this run's `down -v`.
    const existing = await runDocker(existingArgs(this.project), { timeoutMs: timeouts.query, signal });
    if (existing.trim() !== "") {
      throw new HarnessError(
        `compose project ${this.project} already has containers (${existing.trim().split("\n").length}): another run ` +
          `with run id ${JSON.stringify(this.plan.runId)} is running or was left behind; remove it with ` +
          `\`docker compose -p ${this.project} down -v\` or choose another --run-id`,
      );
    }
    mkdirSync(this.runDir, { recursive: true });
    this.writeFiles();
    this.started = true;
    // A second Ctrl-C kills the orchestrator's children, but the project is still taken down; so
    // does the watchdog if the orchestrator is killed.
    this.forgetForcedStop ??= onForcedStop(`docker compose down of ${this.project}`, () => this.down());
    this.forgetWatchdogDown ??= onOrchestratorDeath([dockerBin(), ...this.compose(...downArgs)]);
    console.log(
      `[compose] project ${this.project}: ${this.ids.length} ${this.target.name} instances (${this.strategy.store.name} sessions), ` +
        `HAProxy ${this.strategy.sticky ? "sticky cookie" : "round robin"}, health ${this.plan.health}; ${this.composeFile}`,
    );
    console.log(`[compose] images: ${this.imageList()}`);
    await runDocker(this.compose(...upArgs), { timeoutMs: timeouts.up, signal, echo: "[compose]" });
    if (this.strategy.store.server?.setUp) {
      const init = services.storeInit;
      await runDocker(this.compose(...runOnceArgs(init)), { timeoutMs: timeouts.up, signal, echo: `[${init}]` });
    }
    this.lbPort = parsePort(
      await runDocker(this.compose("port", services.lb, String(containerPort)), { timeoutMs: timeouts.query, signal }),
    );
    this.statsHostPort = parsePort(
      await runDocker(this.compose("port", services.lb, String(statsPort)), { timeoutMs: timeouts.query, signal }),
    );
    await pollUntil(
      async () => {
        return everyServerUp(await this.lbStates(), this.ids.length);
      },
      { timeoutMs: timeouts.ready, intervalMs: 250, what: "HAProxy to see every instance UP", signal },
    );
  }

  down(): Promise<void> {
    if (!this.started) return Promise.resolve();
    this.tearingDown ??= this.tearDown().finally(() => {
      this.tearingDown = undefined;
    });
    return this.tearingDown;
  }

  private async tearDown(): Promise<void> {
    // A frozen container is thawed first so that it can be stopped; each step is tried on its own.
    const problems: string[] = [];
    for (const id of [...this.paused]) {
      await runDocker(this.compose("unpause", id), { timeoutMs: timeouts.op }).catch((err: Error) =>
        problems.push(err.message),
      );
      this.paused.delete(id);
    }
    try {
      await runDocker(this.compose(...downArgs), { timeoutMs: timeouts.down, echo: "[compose]" });
      this.started = false;
      this.forgetForcedStop?.();
      this.forgetForcedStop = undefined;
      this.forgetWatchdogDown?.();
      this.forgetWatchdogDown = undefined;
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (problems.length > 0) throw new HarnessError(`tearing down ${this.project}: ${problems.join("; ")}`);
  }

  instances(): InstanceInfo[] {
    // Each instance answers on the project's network only; the host reaches the fleet through the balancer.
    return this.ids.map((id) => ({ id, url: `http://${id}:${this.app().port}` }));
  }

  lbUrl(): string {
    return `http://127.0.0.1:${this.lbPort}`;
  }

  /** HAProxy's stats page, on its own loopback port. */
  private statsUrl(): string {
    return `http://127.0.0.1:${this.statsHostPort}${statsUri}`;
  }

  private statsAuth(): Record<string, string> {
    return { authorization: `Basic ${Buffer.from(`${statsUser}:${this.statsPassword}`).toString("base64")}` };
  }

  /**
   * Each instance operation once: what it does and what --dry-run prints for it. `wiped`: the
   * instance's container went with its disk (a start creates it anew). Only instanceOp runs an
   * entry; describe() only reads the commands.
   */
  private readonly ops: Record<InstanceOp, ComposeOp> = {
    kill: this.dockerOp("kill", (id) => this.paused.delete(id)),
    stop: this.dockerOp("stop", (id) => this.paused.delete(id)),
    start: {
      run: async (id, signal) => {
        await this.runCommands(this.instanceCommands(id, "start", this.removed.has(id)), timeouts.op, signal);
        this.removed.delete(id);
        await this.waitHealthy(id, signal);
      },
      describe: (id, wiped) => [
        ...this.instanceCommands(id, "start", wiped).map((args) => commandLine(args)),
        `${commandLine(this.compose(...psArgs(id)))}   # until ${id} is running and healthy`,
      ],
    },
    pause: this.dockerOp("pause", (id) => this.paused.add(id)),
    resume: this.dockerOp("resume", (id) => this.paused.delete(id)),
    wipe: this.dockerOp("wipe", (id) => this.removed.add(id)),
    deregister: {
      run: async (id, signal) => {
        await statsPageAction(this.statsUrl(), "app", id, "maint", this.statsAuth());
        await drainedOrTimedOut(() => this.lbStates(), id, healthProfiles[this.plan.health].drainTimeoutMs, signal);
      },
      describe: (id) => [`${statsPagePost(id, "maint")}, then wait until it has no request in flight`],
    },
    register: {
      run: (id) => statsPageAction(this.statsUrl(), "app", id, "ready", this.statsAuth()),
      describe: (id) => [statsPagePost(id, "ready")],
    },
  };

  async instanceOp(id: string, op: InstanceOp, signal?: AbortSignal): Promise<void> {
    this.member(id);
    await this.ops[op].run(id, signal);
  }

  /** An operation that is docker commands only, then `after` (the platform's bookkeeping). */
  private dockerOp(op: DockerOp, after: (id: string) => void): ComposeOp {
    return {
      run: async (id, signal) => {
        const timeoutMs = op === "stop" ? timeouts.stop : timeouts.op;
        await this.runCommands(this.instanceCommands(id, op, this.removed.has(id)), timeoutMs, signal);
        after(id);
      },
      describe: (id, wiped) => this.instanceCommands(id, op, wiped).map((args) => commandLine(args)),
    };
  }

  private async runCommands(commands: string[][], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    for (const args of commands) await runDocker(args, { timeoutMs, signal });
  }

  async lbStates(): Promise<Map<string, LbServerState>> {
    if (!this.statsHostPort) return new Map();
    const res = await fetch(`${this.statsUrl()};csv`, { headers: this.statsAuth(), signal: AbortSignal.timeout(2000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HAProxy's stats page answered ${res.status}`);
    return parseShowStat(text, "app");
  }

  async storeOp(op: StoreOp, signal?: AbortSignal): Promise<boolean> {
    const shared = this.strategy.store.server;
    if (!shared) return false;
    for (const args of this.storeCommands(op, shared)) {
      await runDocker(args, { timeoutMs: timeouts.store, signal });
    }
    return true;
  }

  async auditSessions(id: string, activeWithinMs: number): Promise<SessionAudit> {
    if (this.strategy.store.shared) return { activeSessions: 0, storedSessions: 0, shared: true };
    this.member(id);
    const now = Date.now();
    const files = diskSessionFiles(this.target);
    if (!files) throw new HarnessError(`target ${this.target.name} (${this.target.file}) has no audit.disk`);
    const out = await runDocker(this.auditArgs(id), { timeoutMs: timeouts.query });
    const listed = (JSON.parse(out) as (SessionFile & { name: string })[]).filter((f) => files.names.test(f.name));
    return countDiskSessions(listed, activeWithinMs, now, files.format);
  }

  /**
   * The audit's listing: a container of the node image, without network, that mounts the instance container's
   * volumes read-only (Compose names it <project>-<service>-1) and removes itself.
   */
  private auditArgs(id: string): string[] {
    return [
      "run",
      "--rm",
      "--network",
      "none",
      "--user",
      "0:0",
      "--volumes-from",
      `${this.project}-${id}-1:ro`,
      "--entrypoint",
      "node",
      this.images.node,
      "-e",
      listSessionsScript,
      sessionDir,
    ];
  }

  async versions(): Promise<Record<string, string>> {
    const ask = (args: string[]) =>
      runDocker(args, { timeoutMs: timeouts.query })
        .then((out) => out.trim().split("\n")[0]?.trim() || "unknown")
        .catch(() => "unknown");
    const [engine, compose, haproxy] = await Promise.all([
      ask(["version", "--format", "{{.Server.Version}}"]),
      ask(["compose", "version", "--short"]),
      ask(this.compose("exec", "-T", services.lb, "haproxy", "-v")),
    ]);
    return {
      target: `${this.target.name} (${this.target.file})`,
      docker: engine,
      compose,
      haproxy,
      store: this.storeVersion() ?? "disk (a named volume per instance)",
      images: this.imageList(),
    };
  }

  /**
   * The strategy's store server for the run record: a server built on the node image names its version
   * ("DynamoDB emulator dynalite 4.0.0 (on disk in its container, image ...)"), one on a role's image that image;
   * undefined: no shared store.
   */
  private storeVersion(): string | undefined {
    const shared = this.strategy.store.server;
    if (!shared) return undefined;
    const image = storeImage(shared, this.images);
    if (!("build" in shared.server.container.image)) return image;
    return `${shared.server.version() ?? shared.server.name} (on disk in its container, image ${image})`;
  }

  /** "node node:22-slim (official), lb ..., dynamodb ...": each image the run uses and where its name came from. */
  private imageList(): string {
    const shared = this.strategy.store.server;
    const image = shared?.server.container.image;
    const roles: ImageRole[] = ["node", "lb", ...(image && "role" in image ? [image.role] : [])];
    const list = roles.map((role) => `${role} ${this.images[role]} (${this.imageSources[role]})`);
    if (shared && image && "build" in image)
      list.push(`${this.strategy.store.name} ${image.build.name} (built on the node image)`);
    const app = this.app();
    const build = this.target.compose?.build;
    const baseUsed = build && Object.values(build.args).some((v) => v.includes("{baseImage}"));
    list.push(
      `${this.target.name} ${app.image} (${build ? `built from ${build.dockerfile}${baseUsed ? ` on ${this.baseImage.image} (${this.baseImage.source})` : ""}` : "the target's own image"})`,
    );
    return list.join(", ");
  }

  describe(step: PlatformStep, before: readonly PlatformStep[]): string[] {
    const line = (args: string[]) => commandLine(this.compose(...args));
    const shared = this.strategy.store.server;
    switch (step.kind) {
      case "up":
        return [
          `${commandLine(existingArgs(this.project))}   # must list nothing: a project with containers is refused`,
          `# write ${this.composeFile} and ${join(this.runDir, "haproxy.cfg")} (${this.strategy.sticky ? "cookie stickiness" : "round robin"}, health ${this.plan.health})`,
          line(upArgs),
          ...(shared?.setUp ? [line(runOnceArgs(services.storeInit))] : []),
          `${line(["port", services.lb, String(containerPort)])}   # the balancer's port on 127.0.0.1`,
          `${line(["port", services.lb, String(statsPort)])}   # the stats page's own port on 127.0.0.1`,
          `# then poll http://127.0.0.1:<stats port>${statsUri};csv (the run's credential) until HAProxy sees every instance UP`,
        ];
      case "down":
        return [`${line(downArgs)}   # after unpausing any frozen instance`];
      case "store":
        if (!shared) return ["(no shared session store: sessions are on each instance's disk; nothing to do)"];
        return this.storeCommands(step.op, shared).map((args) => commandLine(args));
      case "instance":
        this.member(step.id);
        return this.ops[step.op].describe(step.id, wipedSinceStart(before, step.id));
    }
  }

  /** `docker compose -p <project> -f <file> <args>`. */
  private compose(...args: string[]): string[] {
    return ["compose", "-p", this.project, "-f", this.composeFile, ...args];
  }

  /** The docker commands (argv) of one instance operation; `wiped`: its container was removed with its disk. */
  private instanceCommands(id: string, op: DockerOp | "start", wiped: boolean): string[][] {
    switch (op) {
      case "kill":
        return [this.compose("kill", "-s", "SIGKILL", id)];
      case "stop":
        return [this.compose("stop", "-t", String(stopGraceSeconds), id)];
      case "start":
        // A container removed with its disk is created anew (its volume too); otherwise started again.
        return [wiped ? this.compose("up", "-d", "--no-deps", id) : this.compose("start", id)];
      case "pause":
        return [this.compose("pause", id)];
      case "resume":
        return [this.compose("unpause", id)];
      case "wipe":
        // The volume can go only with the container that uses it.
        return [this.compose("rm", "-s", "-f", id), ["volume", "rm", `${this.project}_${sessionVolume(id)}`]];
    }
  }

  /**
   * Store down: gone at once, as an outage is, its data kept in the container (a store that saves
   * it on SIGTERM is stopped, not killed). Store up: started again, then its init job, which waits
   * until the store answers (and finds its data there). Store restart: killed, then as store up.
   */
  private storeCommands(op: StoreOp, shared: SharedStoreServer): string[][] {
    const service = this.strategy.store.name;
    const kill = this.compose("kill", "-s", "SIGKILL", service);
    if (op === "stop") {
      return [
        shared.server.container.gracefulStop ? this.compose("stop", "-t", String(stopGraceSeconds), service) : kill,
      ];
    }
    return [
      ...(op === "restart" ? [kill] : []),
      this.compose("start", service),
      ...(shared.setUp ? [this.compose(...runOnceArgs(services.storeInit))] : []),
    ];
  }

  private member(id: string): void {
    if (!this.ids.includes(id))
      throw new HarnessError(`no instance ${JSON.stringify(id)}: the fleet is ${this.ids.join(", ")}`);
  }

  private async waitHealthy(id: string, signal?: AbortSignal): Promise<void> {
    await pollUntil(
      async () => {
        const entry = parsePs(await runDocker(this.compose(...psArgs(id)), { timeoutMs: timeouts.query })).find(
          (e) => e.Service === id,
        );
        if (entry?.State === "exited" || entry?.State === "dead")
          throw new HarnessError(`${id} ${entry.State} (see \`${commandLine(this.compose("logs", id))}\`)`);
        return entry?.State === "running" && (entry.Health === "healthy" || !entry.Health);
      },
      { timeoutMs: timeouts.ready, intervalMs: 500, what: `${id} to be running and healthy`, signal },
    );
  }

  /** The app's service, from the target file's compose section (target-service.ts). */
  private app() {
    const shared = this.strategy.store.server;
    const service = this.strategy.store.name;
    return composeApp(this.target, {
      strategy: this.plan.strategy,
      nodeImage: this.images.node,
      baseImage: this.baseImage.image,
      sessionSecret: this.sessionSecret,
      sessionDir,
      ...(shared
        ? { store: { host: service, port: shared.server.container.port, env: storeAppEnv(service, shared) } }
        : {}),
    });
  }

  private writeFiles(): void {
    const haproxy = join(this.runDir, "haproxy.cfg");
    writeFileSync(
      haproxy,
      composeHaproxyConfig({
        instances: this.ids.length,
        sticky: this.strategy.sticky,
        health: healthProfiles[this.plan.health],
        statsPassword: this.statsPassword,
        appPort: this.app().port,
        healthPath: this.target.health,
      }),
    );
    writeFileSync(
      this.composeFile,
      renderComposeFile(
        {
          instances: this.ids.length,
          strategy: this.strategy,
          context: repoRoot,
          haproxyConfig: haproxy,
          images: this.images,
          sessionSecret: this.sessionSecret,
          app: this.app(),
        },
        `Written by failover-harness for run ${this.plan.runId} (strategy ${this.plan.strategy}); project ${this.project}.`,
      ),
    );
  }
}

const upArgs = ["up", "-d", "--build", "--wait"];
/** `docker ps` of every container, running or not, of a compose project (by compose's own label). */
const existingArgs = (project: string) => ["ps", "-a", "-q", "--filter", `label=com.docker.compose.project=${project}`];
// Every profile: a store's one-off init job (profile "init") still running, e.g. a store-up cut
// short by the end of the load, is removed too; without it its container kept the network in use.
const downArgs = ["--profile", "*", "down", "-v", "--remove-orphans"];
const runOnceArgs = (service: string) => ["run", "--rm", "--no-deps", service];
const psArgs = (id: string) => ["ps", "-a", "--format", "json", id];

/** One instance operation: what it does, and what --dry-run prints for it. */
interface ComposeOp {
  run(id: string, signal?: AbortSignal): Promise<void>;
  describe(id: string, wiped: boolean): string[];
}

/** The operations that are docker commands (the balancer's are HAProxy's stats page). */
type DockerOp = Exclude<InstanceOp, "deregister" | "register" | "start">;

/** A change of one server's state through HAProxy's stats page, as --dry-run prints it. */
const statsPagePost = (id: string, action: "maint" | "ready") =>
  `POST http://127.0.0.1:<stats port>${statsUri} s=${id}&action=${action}&b=app   # HAProxy's stats page, with the run's credential`;

/** `docker compose port` prints "127.0.0.1:49153". */
function parsePort(text: string): number {
  const port = Number(/:(\d+)\s*$/.exec(text.trim())?.[1]);
  if (!Number.isInteger(port) || port <= 0)
    throw new HarnessError(`unexpected answer of docker compose port: ${JSON.stringify(text.trim())}`);
  return port;
}
